import { describe, expect, it } from 'vitest';
import { referenceConv } from './conv.ts';
import { formatDescriptor, parseDescriptor } from './descriptor.ts';
import { exactConv, fractionToNumber } from './exact.ts';
import { convGeometry } from './geometry.ts';
import { PADDING_MODES, paddedIndex } from './padding-mode.ts';
import type { PaddingMode } from './problem.ts';
import { convProblem, errorOf } from './testing.ts';

/** The padded row [−2, 6) of an axis of size 4 holding a, b, c, d, read through each mode. */
const PADDED: Record<PaddingMode, string> = {
  zeros: '00abcd00',
  reflect: 'cbabcdcb',
  replicate: 'aaabcddd',
  circular: 'cdabcdab',
};

describe('paddedIndex', () => {
  it.each(PADDING_MODES)('reads the padded row of %s as PyTorch and ONNX Pad define it', (mode) => {
    const row = Array.from({ length: 8 }, (_, j) => {
      const i = paddedIndex(mode, j - 2, 4);
      return i < 0 ? '0' : 'abcd'[i];
    }).join('');
    expect(row).toBe(PADDED[mode]);
  });
});

describe('padding modes in the problem model', () => {
  const base = { inputSize: [3], kernelSize: [2] };

  it('accepts the pads each mode can fill and refuses the others, naming the field', () => {
    expect(() =>
      convGeometry(convProblem({ ...base, padBegin: [2], paddingMode: 'reflect' })),
    ).not.toThrow();
    expect(
      errorOf(() => convGeometry(convProblem({ ...base, padBegin: [3], paddingMode: 'reflect' })))
        .message,
    ).toMatch(/padBegin\[0\].*less than inputSize\[0\] = 3 for paddingMode 'reflect'/);
    expect(() =>
      convGeometry(convProblem({ ...base, padEnd: [3], paddingMode: 'circular' })),
    ).not.toThrow();
    expect(
      errorOf(() => convGeometry(convProblem({ ...base, padEnd: [4], paddingMode: 'circular' })))
        .message,
    ).toMatch(/padEnd\[0\].*at most inputSize\[0\] = 3 for paddingMode 'circular'/);
    expect(() =>
      convGeometry(convProblem({ ...base, padEnd: [9], paddingMode: 'replicate' })),
    ).not.toThrow();
    expect(
      errorOf(() => convGeometry(convProblem({ ...base, paddingMode: 'wrap' as PaddingMode })))
        .message,
    ).toMatch(/paddingMode/);
  });

  it('round-trips through descriptors, which name a mode only when it is not zeros', () => {
    for (const mode of PADDING_MODES) {
      const p = convProblem({ ...base, padBegin: [1], paddingMode: mode });
      const text = formatDescriptor(p);
      expect(text.endsWith(`_${mode}`)).toBe(mode !== 'zeros');
      const back = parseDescriptor(text).problem;
      expect(back).toEqual(mode === 'zeros' ? { ...p, paddingMode: undefined } : p);
    }
    expect(() => parseDescriptor('xcorr:ic1oc1_iw3_kw2_reflect_circular')).toThrow(
      /at most one padding mode/,
    );
    expect(() => parseDescriptor('maxpool:c1_iw3_kw2_reflect')).toThrow(/no padding mode/);
  });

  it.each(PADDING_MODES)('the oracle and the exact oracle agree under %s', (mode) => {
    const p = convProblem({
      inputSize: [3, 4],
      kernelSize: [3, 2],
      padBegin: [2, 1],
      padEnd: [1, 3],
      dilation: [1, 2],
      paddingMode: mode,
    });
    const g = convGeometry(p);
    const x = Array.from({ length: g.inputLength }, (_, i) => ((i * 7) % 11) - 5);
    const w = Array.from({ length: g.weightLength }, (_, i) => ((i * 5) % 7) - 3);
    const exact = exactConv(p, x, w).map(fractionToNumber);
    expect(Array.from(referenceConv(p, x, w))).toEqual(exact);
  });
});
