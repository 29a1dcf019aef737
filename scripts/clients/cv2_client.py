#!/usr/bin/env python3
"""convcheck subprocess-protocol client: OpenCV cv2.filter2D (Debian python3-opencv).

filter2D computes cross-correlation (the kernel is not flipped) of one 2-D plane with one
kernel, with an output the size of the input: output(x) = sum_k K(k) src(x + k - anchor). So it
computes exactly the problems with one input and one output channel, batch 1, groups 1,
stride 1, dilation 1, mode cross-correlation and "same" pads: padBegin = anchor and
padBegin + padEnd = K - 1 on each axis. The border type is the padding mode:
  zeros -> BORDER_CONSTANT (value 0), reflect -> BORDER_REFLECT_101 (edge not repeated),
  replicate -> BORDER_REPLICATE, circular -> BORDER_WRAP (which filter2D refuses: unsupported).
float32 in and out (ddepth -1); the bias is added after filter2D in the request's dtype (filter2D's
delta would do the same). Nothing else is changed: what filter2D returns is the answer.
Everything outside is answered "unsupported" with the reasons; without cv2, every request is
answered "unsupported: cv2 not installed".
  npx convcheck check --impl-cmd "/usr/bin/python3 scripts/clients/cv2_client.py"
"""
import numpy as np

from reference_client import Unsupported, serve

try:
    import cv2
except ImportError:  # a missing module is a skip with the reason, never a pass
    cv2 = None

BORDER = (
    {}
    if cv2 is None
    else {
        "zeros": cv2.BORDER_CONSTANT,
        "reflect": cv2.BORDER_REFLECT_101,
        "replicate": cv2.BORDER_REPLICATE,
        "circular": cv2.BORDER_WRAP,
    }
)


def limits(p):
    """The reasons this problem is outside what filter2D computes (empty when inside)."""
    reasons = []
    if len(p["inputSize"]) != 2:
        reasons.append(f"only 2-D (rank {len(p['inputSize'])})")
        return reasons
    if p["mode"] != "cross-correlation":
        reasons.append("filter2D computes cross-correlation only (the kernel is not flipped)")
    for field in ("batch", "inChannels", "outChannels", "groups"):
        if p[field] != 1:
            reasons.append(f"{field} must be 1 (got {p[field]})")
    for field in ("stride", "dilation"):
        if any(v != 1 for v in p[field]):
            reasons.append(f"{field} must be 1 (got {p[field]})")
    for d, (k, pb, pe) in enumerate(zip(p["kernelSize"], p["padBegin"], p["padEnd"])):
        if pb + pe != k - 1:
            reasons.append(f"output the size of the input: padBegin[{d}] + padEnd[{d}] must be {k - 1}")
    if p.get("paddingMode") == "circular":
        reasons.append("filter2D refuses BORDER_WRAP (paddingMode 'circular')")
    return reasons


def conv(p, x, w, b):
    if cv2 is None:
        raise Unsupported("cv2 not installed")
    reasons = limits(p)
    if x.dtype != np.float32:
        reasons.append(f"float32 only (filter2D on CV_32F), got {x.dtype} (run with --dtype float32)")
    if reasons:
        raise Unsupported("cv2 client: " + "; ".join(reasons))
    src = np.ascontiguousarray(x[0, 0], dtype=np.float32)
    kernel = np.ascontiguousarray(w[0, 0], dtype=np.float32)
    anchor = (p["padBegin"][1], p["padBegin"][0])  # OpenCV points are (x, y): (width, height)
    border = BORDER[p.get("paddingMode", "zeros")]
    y = cv2.filter2D(src, -1, kernel, anchor=anchor, delta=0, borderType=border)
    if b is not None:
        y = y + b[0].astype(np.float32)
    return y.reshape([1, 1] + list(y.shape))


if __name__ == "__main__":
    serve(conv)
