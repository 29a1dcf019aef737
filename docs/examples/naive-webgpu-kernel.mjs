// A complete WebGPU kernel for `convcheck check --impl docs/examples/naive-webgpu-kernel.mjs --browser`.
// Direct convolution in WGSL, one invocation per output element, float32 accumulation:
// 1-D to 3-D, groups, stride, dilation, asymmetric pads, bias, xcorr and true convolution.
// No imports: the browser host serves this file alone and passes a GPUDevice as ctx.device.

const WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> dims: array<i32, 26>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = i32(gid.x + gid.y * nwg.x * 64u);
  let total = dims[25];
  if (o >= total) { return; }
  let C = dims[1]; let OC = dims[2]; let cig = dims[3]; let cog = dims[4];
  let ID = dims[5]; let IH = dims[6]; let IW = dims[7];
  let KD = dims[8]; let KH = dims[9]; let KW = dims[10];
  let OD = dims[20]; let OH = dims[21]; let OW = dims[22];
  let flip = dims[23] == 1;
  // Decompose the flat output index [n, oc, od, oh, ow].
  let ow = o % OW; let oh = (o / OW) % OH; let od = (o / (OW * OH)) % OD;
  let oc = (o / (OW * OH * OD)) % OC; let n = o / (OW * OH * OD * OC);
  let c0 = (oc / cog) * cig;
  var acc = 0.0;
  if (dims[24] == 1) { acc = b[oc]; }
  for (var ci = 0; ci < cig; ci++) {
    for (var kd = 0; kd < KD; kd++) {
      let id = od * dims[11] - dims[17] + kd * dims[14];
      if (id < 0 || id >= ID) { continue; }
      for (var kh = 0; kh < KH; kh++) {
        let ih = oh * dims[12] - dims[18] + kh * dims[15];
        if (ih < 0 || ih >= IH) { continue; }
        for (var kw = 0; kw < KW; kw++) {
          let iw = ow * dims[13] - dims[19] + kw * dims[16];
          if (iw < 0 || iw >= IW) { continue; }
          var fd = kd; var fh = kh; var fw = kw;
          if (flip) { fd = KD - 1 - kd; fh = KH - 1 - kh; fw = KW - 1 - kw; }
          let xi = (((n * C + c0 + ci) * ID + id) * IH + ih) * IW + iw;
          let wi = (((oc * cig + ci) * KD + fd) * KH + fh) * KW + fw;
          acc = acc + x[xi] * w[wi];
        }
      }
    }
  }
  y[o] = acc;
}
`;

const pipelines = new WeakMap();

function pipelineFor(device) {
  let pipeline = pipelines.get(device);
  if (pipeline === undefined) {
    const module = device.createShaderModule({ code: WGSL });
    pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    pipelines.set(device, pipeline);
  }
  return pipeline;
}

/** The geometry as 26 integers, every problem lifted to 3-D (leading size-1 axes). */
function dimsOf(p) {
  const lift = (a, fill) => [...Array(3 - a.length).fill(fill), ...a];
  const I = lift(p.inputSize, 1), K = lift(p.kernelSize, 1), S = lift(p.stride, 1);
  const D = lift(p.dilation, 1), PB = lift(p.padBegin, 0), PE = lift(p.padEnd, 0);
  const O = I.map((i, a) => Math.floor((i + PB[a] + PE[a] - D[a] * (K[a] - 1) - 1) / S[a]) + 1);
  const total = p.batch * p.outChannels * O[0] * O[1] * O[2];
  return {
    total,
    dims: Int32Array.from([
      p.batch, p.inChannels, p.outChannels, p.inChannels / p.groups, p.outChannels / p.groups,
      ...I, ...K, ...S, ...D, ...PB, ...O, p.mode === 'convolution' ? 1 : 0, p.bias ? 1 : 0, total,
    ]),
  };
}

function storage(device, data) {
  // A binding cannot be empty: a zero-length operand still gets 4 bytes.
  const buffer = device.createBuffer({
    size: Math.max(4, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

export default {
  name: 'naive-webgpu-direct',
  dtype: 'float32',
  supports: (p) =>
    p.inputSize.length > 3 ? 'only 1-D to 3-D' : (p.paddingMode ?? 'zeros') !== 'zeros' ? 'only zero padding' : true,
  async conv(p, x, w, b, ctx) {
    const device = ctx.device;
    const { dims, total } = dimsOf(p);
    const bytes = Math.max(4, total * 4);
    const buffers = [
      storage(device, dims),
      storage(device, x),
      storage(device, w),
      storage(device, b ?? new Float32Array(1)),
    ];
    const out = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const pipeline = pipelineFor(device);
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [...buffers, out].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const groups = Math.ceil(total / 64);
    const limit = device.limits.maxComputeWorkgroupsPerDimension;
    if (groups > 0) pass.dispatchWorkgroups(Math.min(groups, limit), Math.ceil(groups / limit));
    pass.end();
    encoder.copyBufferToBuffer(out, 0, read, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const y = new Float32Array(read.getMappedRange().slice(0, total * 4));
    read.unmap();
    for (const buffer of [...buffers, out, read]) buffer.destroy();
    return y;
  },
};
