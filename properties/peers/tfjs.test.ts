import { describe, expect, it } from 'vitest';
import { isUnavailable } from '../../impl/peers/peer.ts';
import { caseTitle, peerCases, peerData } from '../../impl/peers/test-problems.ts';
import { loadTfjsBackend, loadTfjsKernel, type TfjsBackendName } from '../../impl/peers/tfjs.ts';
import { type ConvProblem, convGeometry, referenceConv } from '../../reference/index.ts';
import { ALL_PASS, peerVerdicts, runPeerCase } from './run-case.ts';

const loads = {
  cpu: await loadTfjsKernel('cpu'),
  wasm: await loadTfjsKernel('wasm'),
};

/** Cases each backend must decline (by name), with the reason they must give. */
const expectedUnsupported: Record<TfjsBackendName, Record<string, RegExp>> = {
  cpu: {
    'grouped, groups 2': /1 < groups < inChannels/,
    'stride (2, 1) with dilation (1, 2)': /stride > 1 together with dilation > 1/,
    'depthwise, stride (2, 1) with dilation (1, 2)': /stride > 1 together with dilation > 1/,
    '3-D, grouped': /1 < groups < inChannels/,
  },
  wasm: {
    'grouped, groups 2': /1 < groups < inChannels/,
    'stride (2, 1) with dilation (1, 2)': /stride > 1 together with dilation > 1/,
    '3-D, grouped': /1 < groups < inChannels/,
  },
};

const STRIDE_DILATION_ERROR = /Either strides or dilations must be 1/;

for (const backend of ['cpu', 'wasm'] as const) {
  const load = loads[backend];
  const skipReason = isUnavailable(load) ? ` — SKIPPED: ${load.unavailable}` : '';

  describe.skipIf(isUnavailable(load))(`tfjs-${backend} adapter${skipReason}`, () => {
    const kernel = load as Exclude<typeof load, { unavailable: string }>;

    describe('matches the oracle within the float32 direct-sum bound, and exactly on integers', () => {
      for (const c of peerCases) {
        const declined = expectedUnsupported[backend][c.name];
        if (declined !== undefined) {
          it(`declines: ${caseTitle(c)}`, () => {
            expect(kernel.supports?.(c.problem)).toMatch(declined);
          });
          continue;
        }
        it(caseTitle(c), async () => {
          expect(kernel.supports?.(c.problem)).toBe(true);
          expect(peerVerdicts(await runPeerCase(kernel, c))).toEqual(ALL_PASS);
        });
      }
    });

    it('confirms tfjs itself rejects stride > 1 with dilation > 1, even on different axes', async () => {
      const tf = await loadTfjsBackend(backend);
      tf.tidy(() => {
        const x = tf.ones([1, 7, 7, 2]) as import('@tensorflow/tfjs-core').Tensor4D;
        const f = tf.ones([3, 3, 2, 1]) as import('@tensorflow/tfjs-core').Tensor4D;
        expect(() => tf.conv2d(x, f, [2, 1], 'valid', 'NHWC', [1, 2])).toThrow(
          STRIDE_DILATION_ERROR,
        );
        expect(() => tf.conv2d(x, f, [2, 2], 'valid', 'NHWC', [2, 2])).toThrow(
          STRIDE_DILATION_ERROR,
        );
        const depthwise = () => tf.depthwiseConv2d(x, f, [2, 1], 'valid', 'NHWC', [1, 2]);
        // The check lives in tfjs-cpu's kernel, not in the op: wasm computes it
        // (correctly, as the depthwise case above shows).
        if (backend === 'cpu') expect(depthwise).toThrow(STRIDE_DILATION_ERROR);
        else expect(depthwise().shape).toEqual([1, 3, 3, 2]);
      });
    });

    it('leaks no tensors over many calls', async () => {
      const tf = await loadTfjsBackend(backend);
      const supported = peerCases.filter((c) => kernel.supports?.(c.problem) === true);
      const data = supported.map((c) => peerData(c.problem, 'uniform', 3));
      const run = async () => {
        for (const [i, c] of supported.entries()) {
          const d = data[i]!;
          await kernel.conv(c.problem, d.input, d.weight, d.bias);
        }
      };
      await run();
      const before = tf.memory();
      for (let round = 0; round < 20; round++) await run();
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    });

    it('multiplies padding taps by real zeros: Inf weight over padding gives NaN as in the oracle', async () => {
      const p: ConvProblem = {
        ...peerCases[0]!.problem,
        batch: 1,
        inChannels: 1,
        outChannels: 1,
        bias: false,
      };
      const g = convGeometry(p);
      const x = Float32Array.from({ length: g.inputLength }, (_, i) => (i % 3) + 1);
      const w = new Float32Array(g.weightLength).fill(1);
      w[0] = Number.POSITIVE_INFINITY; // tap (0, 0): over the top/left padding for output (0, 0)
      const expected = referenceConv(p, x, w);
      expect(Number.isNaN(expected[0])).toBe(true);
      const y = await kernel.conv(p, x, w);
      expect(Array.from(y)).toEqual(Array.from(expected));
    });
  });
}

describe.skipIf(isUnavailable(loads.cpu) || isUnavailable(loads.wasm))(
  `tfjs-cpu and tfjs-wasm together${isUnavailable(loads.cpu) || isUnavailable(loads.wasm) ? ' — SKIPPED: a tfjs backend is unavailable' : ''}`,
  () => {
    it('interleaved calls each compute on their own backend', async () => {
      const cpu = loads.cpu as Exclude<typeof loads.cpu, { unavailable: string }>;
      const wasm = loads.wasm as Exclude<typeof loads.wasm, { unavailable: string }>;
      const c = peerCases[3]!; // depthwise: the two backends differ there (padding, checks)
      const outcomes = await Promise.all([
        runPeerCase(cpu, c, 5),
        runPeerCase(wasm, c, 6),
        runPeerCase(cpu, c, 7),
        runPeerCase(wasm, c, 8),
      ]);
      for (const outcome of outcomes) {
        expect(outcome.uniform.verdict).toBe('pass');
        expect(outcome.integer.verdict).toBe('pass');
      }
    });
  },
);

/**
 * The reported fact "tfjs depthwiseConv2d with dataFormat 'NCHW' returns wrong
 * shapes or values", as it really behaves in 4.22: the op checks channels on
 * axis 1, but both backends build the kernel geometry without the data format,
 * so they read an [N, C, H, W] buffer as NHWC — height C, width H, W channels —
 * and index the filter's channel axis with those W "channels". The adapter
 * never passes 'NCHW'.
 */
for (const backend of ['cpu', 'wasm'] as const) {
  const load = loads[backend];
  const skipReason = isUnavailable(load) ? ` — SKIPPED: ${load.unavailable}` : '';
  describe.skipIf(isUnavailable(load))(
    `documents tfjs-${backend} depthwiseConv2d with dataFormat 'NCHW'${skipReason}`,
    () => {
      // On wasm, W > C reads past the filter in the wasm heap and W < C reads
      // the filter with the wrong stride; only W = C stays in bounds, so only
      // that shape is run there.
      const shapes =
        backend === 'cpu'
          ? [
              { C: 8, H: 6, W: 4 },
              { C: 6, H: 6, W: 6 },
              { C: 4, H: 6, W: 8 },
            ]
          : [{ C: 6, H: 6, W: 6 }];
      for (const { C, H, W } of shapes) {
        it(`C=${C} H=${H} W=${W}, 3x3 valid`, async () => {
          const tf = await loadTfjsBackend(backend);
          tf.tidy(() => {
            type T4 = import('@tensorflow/tfjs-core').Tensor4D;
            const x = tf.randomUniform([1, C, H, W], -1, 1, 'float32', 1) as T4;
            const f = tf.randomUniform([3, 3, C, 1], -1, 1, 'float32', 2) as T4;
            const y = tf.depthwiseConv2d(x, f, 1, 'valid', 'NCHW');
            // What NCHW should give, and what reading the buffer as NHWC gives.
            expect(y.shape).not.toEqual([1, C, H - 2, W - 2]);
            expect(y.shape).toEqual([1, C - 2, H - 2, W]);
            const values = y.dataSync();
            if (W > C) {
              // tfjs-cpu reads filter channels ≥ C as undefined: NaN outputs.
              expect(values.some(Number.isNaN)).toBe(true);
            } else {
              const firstW = tf.slice(f, [0, 0, 0, 0], [3, 3, W, 1]) as T4;
              const asNhwc = tf.depthwiseConv2d(x, firstW, 1, 'valid', 'NHWC');
              expect(Array.from(values)).toEqual(Array.from(asNhwc.dataSync()));
            }
          });
        });
      }
    },
  );
}
