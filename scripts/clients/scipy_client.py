#!/usr/bin/env python3
"""convcheck subprocess-protocol client: scipy.signal.correlate2d / convolve2d.

Only what those functions compute: 2-D, batch 1, one input and one output channel,
groups 1, stride 1, dilation 1 (any pads, bias, both modes). Everything else is
answered "unsupported" with the reasons.
  npx convcheck check --impl-cmd "python3 scripts/clients/scipy_client.py"
"""
import numpy as np
from scipy.signal import convolve2d, correlate2d

from reference_client import Unsupported, np_pad_mode, serve


def limits(p):
    """The reasons this problem is outside what the client computes (empty when inside)."""
    reasons = []
    if len(p["inputSize"]) != 2:
        reasons.append(f"only 2-D (rank {len(p['inputSize'])})")
    for field in ("batch", "inChannels", "outChannels", "groups"):
        if p[field] != 1:
            reasons.append(f"{field} must be 1 (got {p[field]})")
    for field in ("stride", "dilation"):
        if any(v != 1 for v in p[field]):
            reasons.append(f"{field} must be 1 (got {p[field]})")
    return reasons


def conv(p, x, w, b):
    reasons = limits(p)
    if reasons:
        raise Unsupported("scipy client: " + "; ".join(reasons))
    pads = list(zip(p["padBegin"], p["padEnd"]))
    image = np.pad(x[0, 0].astype(np.float64), pads, mode=np_pad_mode(p))
    # convolve2d flips the kernel in both axes: the textbook convolution.
    apply = convolve2d if p["mode"] == "convolution" else correlate2d
    y = apply(image, w[0, 0].astype(np.float64), mode="valid")
    if b is not None:
        y = y + b[0]
    return y.reshape([1, 1] + list(y.shape))


if __name__ == "__main__":
    serve(conv)
