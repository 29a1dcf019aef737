#!/usr/bin/env python3
"""convcheck subprocess-protocol client: scipy.signal, direct or FFT.

  --method direct (default): scipy.signal.correlate2d / convolve2d, 2-D only;
  --method fft:  scipy.signal.correlate / convolve(method='fft'), 1-D to 3-D;
  --method auto: the same with method='auto' (scipy picks direct or FFT by size).
Each computes in the request's dtype (float32 stays float32, as scipy does for float32 arrays)
what those functions compute: batch 1, one input and one output channel, groups 1, stride 1,
dilation 1 (any pads, any paddingMode through np.pad, bias, both modes). Everything else is
answered "unsupported" with the reasons.
  npx convcheck check --impl-cmd "python3 scripts/clients/scipy_client.py --method fft" --tolerance fft
"""
import argparse

import numpy as np
from scipy import signal

from reference_client import Unsupported, np_pad_mode, serve


def limits(p, method):
    """The reasons this problem is outside what the client computes (empty when inside)."""
    reasons = []
    rank = len(p["inputSize"])
    if method == "direct" and rank != 2:
        reasons.append(f"only 2-D (rank {rank}): correlate2d / convolve2d")
    for field in ("batch", "inChannels", "outChannels", "groups"):
        if p[field] != 1:
            reasons.append(f"{field} must be 1 (got {p[field]})")
    for field in ("stride", "dilation"):
        if any(v != 1 for v in p[field]):
            reasons.append(f"{field} must be 1 (got {p[field]})")
    return reasons


def make_conv(method):
    def conv(p, x, w, b):
        reasons = limits(p, method)
        if reasons:
            raise Unsupported(f"scipy client ({method}): " + "; ".join(reasons))
        pads = list(zip(p["padBegin"], p["padEnd"]))
        image = np.pad(x[0, 0], pads, mode=np_pad_mode(p))
        kernel = w[0, 0]
        flip = p["mode"] == "convolution"  # convolve* flip the kernel: the textbook convolution
        if method == "direct":
            y = (signal.convolve2d if flip else signal.correlate2d)(image, kernel, mode="valid")
        else:
            apply = signal.convolve if flip else signal.correlate
            y = apply(image, kernel, mode="valid", method=method)
        if b is not None:
            y = y + b[0]
        return y.reshape([1, 1] + list(y.shape))

    return conv


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--method", choices=["direct", "fft", "auto"], default="direct")
    serve(make_conv(parser.parse_args().method))
