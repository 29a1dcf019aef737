// A complete third-party kernel for `convcheck check --impl docs/examples/naive-kernel.mjs`.
// Direct convolution for 1-D to 3-D problems, float32 in and out, accumulating in float64.
// Padding taps multiply zeros (the default rule); a kernel that skips them declares padding: 'skip-taps'.
export default {
  name: 'naive-direct',
  dtype: 'float32',
  supports: (p) => (p.inputSize.length > 3 ? 'only 1-D to 3-D' : (p.paddingMode ?? 'zeros') === 'zeros' || 'only zero padding'),
  conv(p, x, w, b) {
    const lift = (a, fill) => [...Array(3 - a.length).fill(fill), ...a];
    const [ID, IH, IW] = lift(p.inputSize, 1), [KD, KH, KW] = lift(p.kernelSize, 1);
    const [SD, SH, SW] = lift(p.stride, 1), [DD, DH, DW] = lift(p.dilation, 1);
    const [PD, PH, PW] = lift(p.padBegin, 0), pe = lift(p.padEnd, 0);
    const out = (i, k, s, d, pb, pend) => Math.floor((i + pb + pend - d * (k - 1) - 1) / s) + 1;
    const OD = out(ID, KD, SD, DD, PD, pe[0]), OH = out(IH, KH, SH, DH, PH, pe[1]), OW = out(IW, KW, SW, DW, PW, pe[2]);
    const cig = p.inChannels / p.groups, cog = p.outChannels / p.groups, flip = p.mode === 'convolution';
    const y = new Float32Array(p.batch * p.outChannels * OD * OH * OW);
    let o = 0;
    for (let n = 0; n < p.batch; n++) for (let oc = 0; oc < p.outChannels; oc++)
      for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
        let acc = b ? b[oc] : 0;
        for (let ci = 0; ci < cig; ci++) for (let kd = 0; kd < KD; kd++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
          const d = od * SD - PD + kd * DD, h = oh * SH - PH + kh * DH, iw = ow * SW - PW + kw * DW;
          const c = Math.floor(oc / cog) * cig + ci;
          const [fd, fh, fw] = flip ? [KD - 1 - kd, KH - 1 - kh, KW - 1 - kw] : [kd, kh, kw];
          // A tap in the padding multiplies a real zero (0·∞ = NaN), as the oracle does.
          const inPadding = d < 0 || d >= ID || h < 0 || h >= IH || iw < 0 || iw >= IW;
          const xv = inPadding ? 0 : x[(((n * p.inChannels + c) * ID + d) * IH + h) * IW + iw];
          acc += xv * w[(((oc * cig + ci) * KD + fd) * KH + fh) * KW + fw];
        }
        y[o++] = acc;
      }
    return y;
  },
};
