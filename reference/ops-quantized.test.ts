/**
 * The quantized entries of the op registry: operands named and ordered as ONNX's
 * inputs, the oracles equal to the quantized reference functions (per-tensor and
 * per-channel parameters, y's type from y_zero_point), refusals naming the field.
 */
import { describe, expect, it } from 'vitest';
import { fractionToNumber } from './exact.ts';
import { formatOpDescriptor, parseOpDescriptor } from './opDescriptor.ts';
import { implementedOps, isFloatOp, OPS, parseOpList } from './ops.ts';
import { referenceConvInteger, referenceQLinearConv } from './quantized.ts';
import { convProblem, errorOf } from './testing.ts';

const p = convProblem({ inputSize: [4], kernelSize: [2], inChannels: 2, outChannels: 3 });
const x = Uint8Array.from([0, 255, 17, 128, 3, 250, 9, 77]);
const w = Int8Array.from([-128, 5, 127, 0, 1, -1, 3, 4, 100, -7, 2, 9]);

const names = (op: 'conv-integer' | 'qlinear-conv', problem = p) => {
  const g = OPS[op].geometry(problem);
  return [...g.operands.map((o) => `${o.name}[${o.shape}]`), `${g.outputName}[${g.outputShape}]`];
};

describe('quantized ops in the registry', () => {
  it("name and order the operands as ONNX's inputs, with their dtypes", () => {
    expect(names('conv-integer')).toEqual([
      'x[1,2,4]',
      'w[3,2,2]',
      'xZeroPoint[]',
      'wZeroPoint[]',
      'output[1,3,3]',
    ]);
    expect(names('qlinear-conv', { ...p, bias: true })).toEqual([
      'x[1,2,4]',
      'xScale[]',
      'xZeroPoint[]',
      'w[3,2,2]',
      'wScale[]',
      'wZeroPoint[]',
      'yScale[]',
      'yZeroPoint[]',
      'bias[3]',
      'output[1,3,3]',
    ]);
    expect(OPS['conv-integer'].geometry(p).outputDtype).toBe('int32');
    expect(OPS['qlinear-conv'].geometry(p).operands.map((o) => o.dtype)).toEqual([
      'quantized',
      'float32',
      'quantized',
      'quantized',
      'float32',
      'quantized',
      'float32',
      'quantized',
    ]);
    expect(isFloatOp('conv')).toBe(true);
    expect(isFloatOp('qlinear-conv')).toBe(false);
  });

  it('the conv-integer oracle is referenceConvInteger (per-channel w zero point), exact alike', () => {
    const operands = [x, w, Uint8Array.from([128]), Int8Array.from([0, -3, 127])];
    const y = OPS['conv-integer'].oracle(p, operands);
    expect([...y]).toEqual([...referenceConvInteger(p, x, w, 128, [0, -3, 127])]);
    expect(OPS['conv-integer'].exact(p, operands).map(fractionToNumber)).toEqual([...y]);
  });

  it("the qlinear-conv oracle is referenceQLinearConv, y's type that of y_zero_point", () => {
    const q = { ...p, bias: true };
    const bias = Int32Array.from([100, -5000, 7]);
    const operands = [
      x,
      Float32Array.from([0.5]),
      Uint8Array.from([128]),
      w,
      Float32Array.from([0.25, 0.125, 1]),
      Int8Array.from([0]),
      Float32Array.from([16]),
      Int8Array.from([-3]),
      bias,
    ];
    const expected = referenceQLinearConv(
      q,
      x,
      w,
      {
        xScale: 0.5,
        xZeroPoint: 128,
        wScale: [0.25, 0.125, 1],
        wZeroPoint: 0,
        yScale: 16,
        yZeroPoint: -3,
        yType: 'int8',
      },
      bias,
    );
    expect([...OPS['qlinear-conv'].oracle(q, operands)]).toEqual([...expected]);
  });

  it('refuses what the operators cannot take, naming the field; --ops and descriptors know them', () => {
    expect(errorOf(() => OPS['conv-integer'].geometry({ ...p, bias: true })).field).toBe(
      'ConvProblem.bias',
    );
    const reflect = { ...p, padBegin: [1], paddingMode: 'reflect' as const };
    expect(errorOf(() => OPS['qlinear-conv'].geometry(reflect)).field).toBe(
      'ConvProblem.paddingMode',
    );
    expect(parseOpList('qlinear-conv,conv-integer')).toEqual(['conv-integer', 'qlinear-conv']);
    expect(implementedOps({ name: 'k', convInteger() {} })).toEqual(['conv-integer']);
    const text = formatOpDescriptor({ op: 'qlinear-conv', problem: p });
    expect(text.startsWith('xcorrQL:')).toBe(true);
    expect(parseOpDescriptor(text)).toEqual({ op: 'qlinear-conv', problem: p });
  });
});
