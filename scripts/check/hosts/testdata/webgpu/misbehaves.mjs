// A browser-host fixture: correct for batch 1 (1-D cross-correlation, computed on
// the CPU after checking ctx.device), and one misbehaviour per other batch size.
const BAD_WGSL = '@compute @workgroup_size(1) fn main() { let a: f32 = undefined_name; }';

function correct(p, x, w, b) {
  const [IW] = p.inputSize,
    [KW] = p.kernelSize,
    [PW] = p.padBegin,
    [QW] = p.padEnd;
  const OW = IW + PW + QW - KW + 1;
  const cig = p.inChannels / p.groups,
    cog = p.outChannels / p.groups;
  const y = new Float32Array(p.batch * p.outChannels * OW);
  for (let n = 0; n < p.batch; n++)
    for (let oc = 0; oc < p.outChannels; oc++)
      for (let ow = 0; ow < OW; ow++) {
        let acc = b ? b[oc] : 0;
        for (let ci = 0; ci < cig; ci++)
          for (let k = 0; k < KW; k++) {
            const iw = ow - PW + k;
            if (iw < 0 || iw >= IW) continue;
            const c = Math.floor(oc / cog) * cig + ci;
            acc += x[(n * p.inChannels + c) * IW + iw] * w[(oc * cig + ci) * KW + k];
          }
        y[(n * p.outChannels + oc) * OW + ow] = acc;
      }
  return y;
}

export default {
  name: 'misbehaves',
  dtype: 'float32',
  async conv(p, x, w, b, ctx) {
    if (!(ctx?.device instanceof GPUDevice)) throw new Error('no GPUDevice in ctx.device');
    switch (p.batch) {
      case 2: {
        const module = ctx.device.createShaderModule({ code: BAD_WGSL });
        ctx.device.createComputePipeline({
          layout: 'auto',
          compute: { module, entryPoint: 'main' },
        });
        await ctx.device.queue.onSubmittedWorkDone();
        return correct(p, x, w, b);
      }
      case 3:
        console.error('kernel says boom');
        throw new Error('boom');
      case 4:
        return new Promise(() => {});
      case 5:
        for (;;) {}
      case 6:
        ctx.device.destroy();
        await ctx.device.lost;
        return correct(p, x, w, b);
      case 7:
        return Array.from(correct(p, x, w, b));
      case 8:
        x[0] = 42;
        return correct(p, x, w, b);
      default:
        return correct(p, x, w, b);
    }
  },
};
