/**
 * PyTorch's quantized 2-D convolution (torch.ops.quantized.conv2d, engines qnnpack
 * and onednn) against ONNX QLinearConv: what it can be asked, and a batch runner
 * over scripts/clients/torch_quantized_batch.py (one Python process per batch).
 *
 * PyTorch's semantics, and so what is declined (with the reason):
 * - QLinearConv only: PyTorch has no int32-output quantized convolution (ConvInteger);
 * - x quint8, w qint8, y quint8 (PyTorch's quantized conv types);
 * - 2-D, cross-correlation, zero padding, symmetric pads (one `padding` per axis);
 * - no bias: PyTorch takes a float bias and quantizes it itself, where ONNX's B is
 *   an int32 on the scale x_scale·w_scale — no exact equivalent;
 * - onednn: weight zero point 0 only ("ONEDNN only supports symmetric quantization
 *   of weight").
 */
import { spawnSync } from 'node:child_process';
import type { ConvProblem } from '../../reference/problem.ts';
import type { QLinearConvParameters, QuantizedArray } from '../../reference/quantized.ts';
import type { QuantizedSignature } from '../../reference/quantized-kernel.ts';

/** The quantized engines PyTorch builds may have. */
export type TorchQuantizedEngine = 'qnnpack' | 'onednn';

/**
 * Whether PyTorch's quantized conv can take a case, or the reason it cannot.
 *
 * @example
 * ```ts
 * torchInt8Supports({ op: 'conv-integer', ... }, 'qnnpack'); // 'PyTorch has no …'
 * ```
 */
export function torchInt8Supports(
  s: QuantizedSignature,
  engine: TorchQuantizedEngine,
  wZeroPoint?: QLinearConvParameters['wZeroPoint'],
): true | string {
  const p = s.problem;
  if (s.op !== 'qlinear-conv') return 'PyTorch has no int32-output quantized convolution';
  if (s.xType !== 'uint8' || s.wType !== 'int8' || s.yType !== 'uint8') {
    return `PyTorch's quantized conv takes x quint8, w qint8, y quint8 (got x ${s.xType}, w ${s.wType}, y ${s.yType})`;
  }
  if (p.inputSize.length !== 2) return 'torch.ops.quantized.conv2d: 2-D only';
  if (p.mode !== 'cross-correlation') return 'PyTorch convolution is cross-correlation';
  if ((p.paddingMode ?? 'zeros') !== 'zeros') return 'zero padding only';
  if (p.padBegin.some((b, i) => b !== p.padEnd[i])) {
    return 'PyTorch takes one symmetric pad per axis (asymmetric pads)';
  }
  if (p.bias) {
    return "PyTorch takes a float bias and quantizes it itself; ONNX's int32 B has no exact equivalent";
  }
  const zeros = typeof wZeroPoint === 'number' ? [wZeroPoint] : Array.from(wZeroPoint ?? [0]);
  if (engine === 'onednn' && zeros.some((z) => z !== 0)) {
    return 'onednn: weight zero point 0 only ("ONEDNN only supports symmetric quantization of weight")';
  }
  return true;
}

/** One QLinearConv case for the batch. */
export interface TorchQuantizedCase {
  problem: ConvProblem;
  x: QuantizedArray;
  w: QuantizedArray;
  params: QLinearConvParameters;
}

/** The outputs (Uint8Array, or the error PyTorch raised), or why nothing ran. */
export type TorchQuantizedBatch =
  | { torch: string; outputs: (Uint8Array | { error: string })[] }
  | { unsupported: string };

/**
 * Runs the cases through PyTorch's quantized conv on `engine`, in one Python process.
 *
 * @example
 * ```ts
 * const result = runTorchQuantizedBatch('qnnpack', cases, '/usr/bin/python3');
 * ```
 */
export function runTorchQuantizedBatch(
  engine: TorchQuantizedEngine,
  cases: readonly TorchQuantizedCase[],
  python: string,
  client: string,
): TorchQuantizedBatch {
  const request = {
    engine,
    cases: cases.map(({ problem, x, w, params }) => ({
      problem,
      x: Array.from(x),
      w: Array.from(w),
      xScale: params.xScale,
      xZeroPoint: params.xZeroPoint,
      wScale: typeof params.wScale === 'number' ? params.wScale : Array.from(params.wScale),
      wZeroPoint:
        typeof params.wZeroPoint === 'number' ? params.wZeroPoint : Array.from(params.wZeroPoint),
      yScale: params.yScale,
      yZeroPoint: params.yZeroPoint,
    })),
  };
  const run = spawnSync(python, [client], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (run.error) return { unsupported: `${python}: ${run.error.message}` };
  if (run.status !== 0) return { unsupported: `${client} failed: ${run.stderr.slice(-300)}` };
  const reply = JSON.parse(run.stdout) as
    | { unsupported: string }
    | { torch: string; outputs: (number[] | { error: string })[] };
  if ('unsupported' in reply) return reply;
  return {
    torch: reply.torch,
    outputs: reply.outputs.map((o) => (Array.isArray(o) ? Uint8Array.from(o) : o)),
  };
}
