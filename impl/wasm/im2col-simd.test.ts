import { describe, expect, it } from 'vitest';
import { gamma, unitRoundoff } from '../../reference/float.ts';
import { type ConvProblem, convGeometry, referenceConv } from '../../reference/index.ts';
import { convProblem, integerData, uniformData } from '../../reference/testing.ts';
import {
  createIm2colSimdKernel,
  headerBytes,
  im2colSimd2tKernel,
  im2colSimdConv,
  im2colSimdKernel,
  loadWasmGemm,
  loadWasmGemmFrom,
  simdLayout,
  type WasmGemm,
} from './index.ts';
import { assembled, brokenGemmEdits } from './testing.ts';

/** Operands of `p` drawn by `data` (integers: every partial sum exact in float32). */
function operands(p: ConvProblem, data: (length: number, seed: number) => number[]) {
  const g = convGeometry(p);
  return {
    x: Float32Array.from(data(g.inputLength, 1)),
    w: Float32Array.from(data(g.weightLength, 2)),
    b: p.bias ? Float32Array.from(data(g.outChannels, 3)) : undefined,
  };
}

/**
 * Problems that reach every edge of the GEMM: rows past 4, columns past 12, K past 256;
 * the two 1×1 stride-1 unpadded ones run the row-major-B product (gemmRowB).
 */
const problems: [string, ConvProblem][] = [
  [
    '2-D, padded, Cout = 7 (an A edge panel), 5×6 outputs',
    convProblem({
      inChannels: 3,
      outChannels: 7,
      inputSize: [5, 6],
      kernelSize: [3, 3],
      padBegin: [1, 1],
      padEnd: [1, 1],
      bias: true,
    }),
  ],
  [
    'R = 300 > 256: two depth slices',
    convProblem({ inChannels: 12, outChannels: 4, inputSize: [9, 9], kernelSize: [5, 5] }),
  ],
  [
    'groups, stride, dilation, true convolution',
    convProblem({
      mode: 'convolution',
      batch: 2,
      inChannels: 6,
      outChannels: 9,
      groups: 3,
      inputSize: [11, 10],
      kernelSize: [3, 2],
      stride: [2, 1],
      dilation: [1, 2],
      padBegin: [0, 1],
      padEnd: [2, 0],
      bias: true,
    }),
  ],
  [
    '1-D',
    convProblem({ inChannels: 5, outChannels: 13, inputSize: [31], kernelSize: [4], bias: true }),
  ],
  [
    '3-D',
    convProblem({
      inChannels: 2,
      outChannels: 5,
      inputSize: [4, 5, 6],
      kernelSize: [2, 3, 2],
      padBegin: [1, 0, 1],
      padEnd: [0, 1, 1],
    }),
  ],
  [
    '1×1 kernel',
    convProblem({ inChannels: 17, outChannels: 16, inputSize: [7, 7], kernelSize: [1, 1] }),
  ],
  [
    '1×1, stride 1, unpadded (B row-major, unpacked): groups, batch 2, C_in/g = 300 (two depth slices)',
    convProblem({
      batch: 2,
      groups: 2,
      inChannels: 600,
      outChannels: 6,
      inputSize: [5, 5],
      kernelSize: [1, 1],
      bias: true,
    }),
  ],
  [
    '1×1 with R·ΠO = 300·3600 > 2^20 (more columns than a built column block holds)',
    convProblem({ inChannels: 300, outChannels: 4, inputSize: [60, 60], kernelSize: [1, 1] }),
  ],
  [
    'several column blocks (R = 4608)',
    convProblem({
      inChannels: 512,
      outChannels: 4,
      inputSize: [16, 16],
      kernelSize: [3, 3],
      padBegin: [1, 1],
      padEnd: [1, 1],
    }),
  ],
];

describe('im2col-simd equals the oracle bit for bit on integer data', () => {
  it.each(problems)('%s', (_, p) => {
    const { x, w, b } = operands(p, integerData);
    const y = im2colSimdConv(p, x, w, b);
    expect(Array.from(y)).toEqual(Array.from(Float32Array.from(referenceConv(p, x, w, b))));
  });
});

describe('im2col-simd on real data stays within the float32 dot-product bound', () => {
  // |y − ref| ≤ γ_{R+1}·Σ|x·w| (+ the oracle's own float64 error): a float32
  // recursive sum of R products and the bias, in any order (Higham §3.1).
  it.each(problems)('%s', (_, p) => {
    const { x, w, b } = operands(p, uniformData);
    const R = convGeometry(p).reductionLength;
    const y = im2colSimdConv(p, x, w, b);
    const ref = referenceConv(p, x, w, b);
    const abs = (a?: Float32Array) => a && Array.from(a, Math.abs);
    const magnitude = referenceConv(p, abs(x)!, abs(w)!, abs(b));
    const relative = gamma(R + 1, unitRoundoff('float32')) + gamma(R + 1, unitRoundoff('float64'));
    let worst = 0;
    for (let i = 0; i < y.length; i++) {
      worst = Math.max(worst, Math.abs(y[i]! - ref[i]!) / (relative * magnitude[i]! || 1));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

/** C[M × N] = A · B on integer operands through `gemm`; returns how many entries differ from a JS product. */
function gemmMismatches(gemm: WasmGemm, M: number, N: number, K: number): number {
  const A = integerData(M * K, 4);
  const B = integerData(K * N, 5);
  const a = headerBytes;
  const b = a + 16 * Math.ceil(M / 4) * K;
  const c = b + 16 * Math.ceil(N / 12) * 3 * K;
  const scratch = c + 4 * M * N;
  gemm.reserve(scratch + 192);
  const memory = gemm.floats();
  for (let i = 0; i < Math.ceil(M / 4) * 4; i++) {
    for (let k = 0; k < K; k++) {
      memory[a / 4 + (i >> 2) * 4 * K + 4 * k + (i & 3)] = i < M ? A[i * K + k]! : 0;
    }
  }
  for (let n = 0; n < Math.ceil(N / 4) * 4; n++) {
    for (let k = 0; k < K; k++) {
      memory[b / 4 + (n >> 2) * 4 * K + 4 * k + (n & 3)] = n < N ? B[k * N + n]! : 0;
    }
  }
  memory.fill(0, c / 4, c / 4 + M * N);
  gemm.gemm(M, N, K, a, b, c, N, scratch);
  let mismatches = 0;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += A[i * K + k]! * B[k * N + j]!;
      if (memory[c / 4 + i * N + j] !== sum) mismatches++;
    }
  }
  return mismatches;
}

describe('im2col-simd on two threads', () => {
  it.each(problems)('%s: the same bits as one thread', (_, p) => {
    const { x, w, b } = operands(p, uniformData);
    const one = im2colSimdConv(p, x, w, b);
    const two = im2colSimd2tKernel.conv(p, x, w, b) as Float32Array;
    expect(Array.from(two)).toEqual(Array.from(one));
  });

  it('names itself and refuses another thread count', () => {
    expect(im2colSimd2tKernel.name).toBe('im2col-simd-2t');
    expect(() => createIm2colSimdKernel({ threads: 3 as 2 })).toThrow(
      /^im2col-simd: threads must be 1 or 2, got 3$/,
    );
  });
});

describe('the GEMM check can fail', () => {
  // Last slivers of 5 (12 + 12 + 5: scratch, 4 × 8 tile), 4 (4 × 4 tile on C), 8 (4 × 8
  // tile on C) and 1 column (scratch, 4 × 4 tile); 9 rows end in a 1-row edge panel;
  // K = 300 makes two depth slices.
  const sizes = [
    [9, 29, 300],
    [9, 28, 300],
    [8, 20, 300],
    [8, 13, 40],
  ] as const;
  const mismatches = (gemm: WasmGemm) =>
    sizes.reduce((sum, [M, N, K]) => sum + gemmMismatches(gemm, M, N, K), 0);

  it('the built GEMM matches a plain product, edges included', () => {
    const gemm = loadWasmGemm();
    if (typeof gemm === 'string') throw new Error(gemm);
    for (const [M, N, K] of sizes) expect(gemmMismatches(gemm, M, N, K)).toBe(0);
  });

  it.each(Object.keys(brokenGemmEdits))('a GEMM where %s is caught', async (edit) => {
    const broken = await assembled(brokenGemmEdits[edit]!);
    expect(mismatches(broken)).toBeGreaterThan(0);
  });
});

describe('supports() and loading', () => {
  it('says the GEMM is not built when the .wasm is missing', () => {
    const reason = loadWasmGemmFrom(new URL('./no-such-gemm.wasm', import.meta.url));
    expect(reason).toMatch(/^WebAssembly GEMM not built: .*no-such-gemm\.wasm is missing/);
  });

  it('says WebAssembly is unusable when the bytes do not compile', () => {
    const reason = loadWasmGemmFrom(new URL('./gemm.wat', import.meta.url));
    expect(reason).toMatch(/^WebAssembly SIMD unavailable in this runtime/);
  });

  it('refuses a problem whose memory exceeds maxWorkspaceBytes, naming both', () => {
    const p = problems[0]![1];
    const kernel = createIm2colSimdKernel({ maxWorkspaceBytes: 1000 });
    expect(simdLayout(convGeometry(p)).end).toBeGreaterThan(1000);
    expect(kernel.supports?.(p)).toMatch(/^im2col-simd: .* needs \d+ bytes .* more than 1000/);
    expect(im2colSimdKernel.supports?.(p)).toBe(true);
  });

  it('declines non-zero padding modes (its columns pad with zeros)', () => {
    const p = problems[0]![1];
    expect(im2colSimdKernel.supports?.({ ...p, paddingMode: 'circular' })).toMatch(
      /^im2col-simd: only zero padding/,
    );
  });

  it('names an operand of the wrong type', () => {
    const p = problems[0]![1];
    const { x, w } = operands(p, integerData);
    expect(() => im2colSimdKernel.conv(p, Float64Array.from(x), w)).toThrow(
      /^im2col-simd: input must be a Float32Array, got \[object Float64Array\]$/,
    );
  });
});
