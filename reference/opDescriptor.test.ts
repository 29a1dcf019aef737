import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backwardDataAsConvTranspose } from './convTranspose.ts';
import { ProblemError } from './errors.ts';
import { formatOpDescriptor, type OpDescriptor, parseOpDescriptor } from './opDescriptor.ts';
import { convProblem, smallConvProblemArbitrary } from './testing.ts';

describe('op descriptors', () => {
  it('round-trip every op', () => {
    fc.assert(
      fc.property(
        smallConvProblemArbitrary(),
        fc.constantFrom('conv', 'convtranspose', 'bwd-data', 'bwd-weights'),
        (p, op) => {
          const d: OpDescriptor =
            op === 'convtranspose'
              ? { op, problem: backwardDataAsConvTranspose(p) }
              : { op: op as 'conv', problem: p };
          expect(parseOpDescriptor(formatOpDescriptor(d))).toEqual(d);
        },
      ),
    );
  });

  it('writes outputPadding as op keys before the bias flag, and T after the kind', () => {
    const problem = {
      ...convProblem({ inputSize: [3, 4], kernelSize: [3, 3], stride: [2, 2] }),
      outputPadding: [1, 0],
    };
    expect(formatOpDescriptor({ op: 'convtranspose', problem })).toBe(
      'xcorrT:mb1g1ic1oc1_ih3iw4_kh3kw3_sh2sw2_dh1dw1_pbh0pbw0_peh0pew0_oph1opw0_nobias',
    );
  });

  it('writes the backward passes as BD and BW, and the forward conv as the plain descriptor', () => {
    const problem = convProblem({ mode: 'convolution', inputSize: [5], kernelSize: [2] });
    expect(formatOpDescriptor({ op: 'bwd-data', problem })).toMatch(/^trueconvBD:/);
    expect(formatOpDescriptor({ op: 'bwd-weights', problem })).toMatch(/^trueconvBW:/);
    expect(formatOpDescriptor({ op: 'conv', problem })).toMatch(/^trueconv:/);
  });

  it('defaults outputPadding to 0 and reads op keys anywhere in the body', () => {
    expect(parseOpDescriptor('xcorrT:ic2oc4g2_ih3iw3_kh2kw2').problem).toMatchObject({
      outputPadding: [0, 0],
    });
    expect(parseOpDescriptor('trueconvT:ic1oc1_iw3_kw3_sw2opw1').problem).toMatchObject({
      mode: 'convolution',
      outputPadding: [1],
      stride: [2],
    });
  });

  it('refuses op keys outside T kinds, of another rank, or repeated, and unknown kinds', () => {
    for (const text of [
      'xcorrBD:ic1oc1_iw3_kw3_opw1',
      'xcorrT:ic1oc1_iw3_kw3_oph1',
      'xcorrT:ic1oc1_iw3_kw3_opw1opw1',
      'xcorrX:ic1oc1_iw3_kw3',
      'maxpoolT:c1_iw3_kw3',
    ]) {
      expect(() => parseOpDescriptor(text), text).toThrow(ProblemError);
    }
  });
});
