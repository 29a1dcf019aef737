#!/usr/bin/env python3
"""convcheck subprocess-protocol client: PyTorch's quantized 2-D convolution
(torch.ops.quantized.conv2d) as ONNX QLinearConv, on one quantized engine.

  npx convcheck check --impl-cmd "/usr/bin/python3 scripts/clients/torch_quantized_client.py \\
      --engine qnnpack" --ops qlinear-conv
(the built-ins torch-int8-qnnpack and torch-int8-onednn). What PyTorch can be asked, and so
what is answered "unsupported" with the reason (impl/peers/torch-int8.ts says why):
x quint8, w qint8, y quint8; 2-D cross-correlation (asymmetric pads are applied to x here,
holding x's zero point, as ONNX pads; symmetric ones are PyTorch's own); no bias
(PyTorch quantizes a float bias itself, ONNX adds an int32 one); onednn: weight zero point 0.
Without torch or the engine, every case is answered "unsupported" with why.
"""
import sys

from reference_client import Unsupported, serve
from torch_quantized_batch import run_case, torch

import numpy as np


def engine_flag(argv):
    if len(argv) != 3 or argv[1] != "--engine" or argv[2] not in ("qnnpack", "onednn"):
        sys.exit("usage: torch_quantized_client.py --engine qnnpack|onednn")
    return argv[2]


ENGINE = engine_flag(sys.argv)
if torch is None:
    MISSING = "torch is not installed"
elif ENGINE not in torch.backends.quantized.supported_engines:
    MISSING = f"this PyTorch has no {ENGINE} engine ({torch.backends.quantized.supported_engines})"
else:
    MISSING = None
    torch.backends.quantized.engine = ENGINE


def scalar_or_list(a):
    values = a.tolist()
    return values[0] if len(values) == 1 else values


def declined(p, types, zero_points):
    if types != ("uint8", "int8", "uint8"):
        return "PyTorch's quantized conv takes x quint8, w qint8, y quint8 (got x %s, w %s, y %s)" % types
    if len(p["inputSize"]) != 2:
        return "torch.ops.quantized.conv2d: 2-D only"
    if p["mode"] != "cross-correlation":
        return "PyTorch convolution is cross-correlation"
    if ENGINE == "onednn" and any(z != 0 for z in zero_points):
        return 'onednn: weight zero point 0 only ("ONEDNN only supports symmetric quantization of weight")'
    return None


def qlinear_conv(p, x, xScale, xZeroPoint, w, wScale, wZeroPoint, yScale, yZeroPoint,
                 bias=None):
    if MISSING:
        raise Unsupported(MISSING)
    if bias is not None:
        raise Unsupported("PyTorch takes a float bias and quantizes it itself; "
                          "ONNX's int32 B has no exact equivalent")
    types = (str(x.dtype), str(w.dtype), str(yZeroPoint.dtype))
    reason = declined(p, types, wZeroPoint.tolist())
    if reason:
        raise Unsupported(reason)
    if p["padBegin"] != p["padEnd"]:
        # PyTorch takes one pad per axis: asymmetric pads are applied here, holding x_zp,
        # which is what ONNX's padding holds (and what PyTorch pads a quantized tensor with).
        pads = [(0, 0), (0, 0)] + list(zip(p["padBegin"], p["padEnd"]))
        x = np.pad(x, pads, constant_values=int(xZeroPoint[0]))
        p = dict(p, inputSize=list(x.shape[2:]), padBegin=[0, 0], padEnd=[0, 0])
    case = {"problem": p, "x": x.flatten().tolist(), "w": w.flatten().tolist(),
            "xScale": float(xScale[0]), "xZeroPoint": int(xZeroPoint[0]),
            "wScale": scalar_or_list(wScale.astype(np.float64)),
            "wZeroPoint": scalar_or_list(wZeroPoint.astype(np.int64)),
            "yScale": float(yScale[0]), "yZeroPoint": int(yZeroPoint[0])}
    return np.array(run_case(case), dtype=np.uint8)


def conv(p, x, w, b):
    raise Unsupported("this client runs PyTorch's quantized conv only (--ops qlinear-conv)")


if __name__ == "__main__":
    serve(conv, {"qlinear-conv": qlinear_conv})
