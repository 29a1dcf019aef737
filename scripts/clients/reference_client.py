#!/usr/bin/env python3
"""convcheck subprocess-protocol client: the direct definition of convolution, in numpy.

One JSON request per stdin line, one JSON answer per stdout line (docs/protocol.md).
  npx convcheck check --impl-cmd "python3 scripts/clients/reference_client.py"
It also implements ONNX ConvInteger and QLinearConv (exact integers, float64 rescale):
  npx convcheck check --impl-cmd "python3 scripts/clients/reference_client.py" \
      --ops conv-integer,qlinear-conv
The other Python clients reuse serve() and Unsupported from here.
"""
import base64
import json
import sys

import numpy as np


class Unsupported(Exception):
    """Raise from a compute function to decline a problem, with the reason."""


def decode(text, dtype, shape):
    """base64 of raw little-endian bytes -> array of the request's dtype and shape.

    float16 arrives as numpy float16; bfloat16 (which numpy lacks) as the float32
    values of its 16-bit patterns (exact: a bfloat16 is the top half of a float32)."""
    if dtype == "bfloat16":
        bits = np.frombuffer(base64.b64decode(text), dtype="<u2").astype(np.uint32)
        return (bits << 16).view(np.float32).reshape(shape)
    little_endian = np.dtype(dtype).newbyteorder("<")
    return np.frombuffer(base64.b64decode(text), dtype=little_endian).reshape(shape)


def bfloat16_bits(y):
    """float values -> bfloat16 patterns (uint16), rounded once to nearest, ties to even,
    from the float64 value (float64 -> float32 -> bfloat16 would round twice)."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        m, e = np.frexp(y)  # y = m * 2**e, 0.5 <= |m| < 1: keep 8 significant bits
        r = np.ldexp(np.rint(np.ldexp(m, 8)), e - 8)
        # below 2**-126 the spacing is fixed, 2**-133 (bfloat16 subnormals)
        r = np.where(np.abs(y) < 2.0 ** -126, np.ldexp(np.rint(np.ldexp(y, 133)), -133), r)
    r = np.where(np.isfinite(y), r, y).astype(np.float32)  # exact, or overflow to +-inf
    bits = (r.view(np.uint32) >> 16).astype(np.uint16)
    return np.where(np.isnan(r), np.uint16(0x7FC0), bits)


def encode(y, dtype):
    """An array -> base64 of its little-endian bytes in the request's dtype (C order)."""
    if dtype == "bfloat16":
        raw = bfloat16_bits(y).astype("<u2")
    else:
        raw = np.ascontiguousarray(y).astype(np.dtype(dtype).newbyteorder("<"))
    return base64.b64encode(np.ascontiguousarray(raw).tobytes()).decode("ascii")


# problem.paddingMode (absent: zeros) as np.pad's mode: numpy's 'reflect' omits the edge
# as PyTorch's does, 'edge' is replicate, 'wrap' is circular.
NP_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def np_pad_mode(p):
    return NP_PAD_MODE[p.get("paddingMode", "zeros")]


def layout_axes(layout, rank):
    """For each axis of a tensor stored in `layout`, the canonical axis it holds
    (canonical: [n, c, *spatial] or [o, i, *kernel]); reference/layout.ts defines the same."""
    spatial = list(range(2, 2 + rank))
    return {"nchw": [0, 1] + spatial, "nhwc": [0] + spatial + [1],
            "oihw": [0, 1] + spatial, "ohwi": [0] + spatial + [1],
            "hwio": spatial + [1, 0], "ihwo": [1] + spatial + [0]}[layout]


def decode_in_layout(text, dtype, shape, layout):
    """An operand sent in `layout`, returned in canonical order."""
    axes = layout_axes(layout, len(shape) - 2)
    stored = decode(text, dtype, [shape[a] for a in axes])
    return stored.transpose(np.argsort(axes))


def conv(p, x, w, b):
    """Ranks 1-3, groups, stride, dilation, asymmetric pads, bias, both modes; float64 sums."""
    rank, groups = len(p["inputSize"]), p["groups"]
    pads = [(0, 0), (0, 0)] + list(zip(p["padBegin"], p["padEnd"]))
    # explicit zeros (0 * inf = nan as in the oracle), or the problem's padding mode
    x = np.pad(x.astype(np.float64), pads, mode=np_pad_mode(p))
    w = w.astype(np.float64)
    if p["mode"] == "convolution":
        w = np.flip(w, axis=tuple(range(2, 2 + rank)))  # true convolution: kernel flipped
    kernel, stride, dilation = p["kernelSize"], p["stride"], p["dilation"]
    sizes = [(x.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1
             for i in range(rank)]
    cig, cog = p["inChannels"] // groups, p["outChannels"] // groups
    y = np.zeros([p["batch"], p["outChannels"]] + sizes)
    for g in range(groups):
        ins, outs = slice(g * cig, (g + 1) * cig), slice(g * cog, (g + 1) * cog)
        for tap in np.ndindex(*kernel):
            # What this kernel tap sees at every output position: [batch, cig, *sizes].
            window = tuple(slice(k * d, k * d + (o - 1) * s + 1, s)
                           for k, d, o, s in zip(tap, dilation, sizes, stride))
            patch = x[(slice(None), ins) + window]
            y[:, outs] += np.einsum("nc...,oc->no...", patch, w[(outs, slice(None)) + tap])
    if b is not None:
        y += b.reshape([1, -1] + [1] * rank)
    return y


def conv_output_size(p):
    """The forward conv's output size per spatial axis (docs/protocol.md)."""
    return [(i + pb + pe - d * (k - 1) - 1) // s + 1
            for i, k, s, d, pb, pe in zip(p["inputSize"], p["kernelSize"], p["stride"],
                                          p["dilation"], p["padBegin"], p["padEnd"])]


def op_operands(request, p, dtype):
    """The operands of an op other than conv, by name and shape (docs/protocol.md, "Ops");
    these ops travel in NCHW/OIHW."""
    n, cin, cout, g = p["batch"], p["inChannels"], p["outChannels"], p["groups"]
    x_shape = [n, cin] + p["inputSize"]
    dy_shape = [n, cout] + conv_output_size(p)
    conv_w = [cout, cin // g] + p["kernelSize"]
    op = request["op"]
    if op == "convtranspose":
        b = None if request.get("bias") is None else decode(request["bias"], dtype, [-1])
        return (decode(request["input"], dtype, x_shape),
                decode(request["weight"], dtype, [cin, cout // g] + p["kernelSize"]), b)
    if op == "conv-backward-data":
        return (decode(request["outputGradient"], dtype, dy_shape),
                decode(request["weight"], dtype, conv_w))
    if op == "conv-backward-weights":
        return (decode(request["input"], dtype, x_shape),
                decode(request["outputGradient"], dtype, dy_shape))
    raise Unsupported(f"unknown op {op}")


QUANTIZED_OPS = ("conv-integer", "qlinear-conv")


def quantized_operands(request, p):
    """A quantized op's operands by name (docs/protocol.md, "Quantized ops"), each decoded in
    the type request["dtypes"] names: x, w in NCHW/OIHW; zero points and scales as 1-D arrays
    (one value, or one per output channel); bias [outChannels] or None."""
    x_shape = [p["batch"], p["inChannels"]] + p["inputSize"]
    w_shape = [p["outChannels"], p["inChannels"] // p["groups"]] + p["kernelSize"]
    shapes = {"x": x_shape, "w": w_shape}
    operands = {name: decode(request[name], dtype, shapes.get(name, [-1]))
                for name, dtype in request["dtypes"].items()}
    if request["op"] == "qlinear-conv":
        operands.setdefault("bias", None)
    return operands


def conv_integer(p, x, w, xZeroPoint, wZeroPoint):
    """ONNX ConvInteger: sum of (x - x_zp)(w - w_zp[oc]) as int32. The padding holds x_zp
    (it contributes 0 once x_zp is subtracted); float64 sums of these integers are exact."""
    wz = wZeroPoint.astype(np.int64).reshape([-1] + [1] * (w.ndim - 1))
    shifted_x = x.astype(np.int64) - int(xZeroPoint[0])
    acc = conv(dict(p, bias=False), shifted_x, w.astype(np.int64) - wz, None)
    return np.rint(acc).astype(np.int32)


def qlinear_conv(p, x, xScale, xZeroPoint, w, wScale, wZeroPoint, yScale, yZeroPoint,
                 bias=None):
    """ONNX QLinearConv: (ConvInteger + int32 bias) * x_scale * w_scale[oc] / y_scale, rounded
    half to even, plus y_zp, saturated to y_zp's type. The rescale is float64 (the scales are
    float32): far inside the +-1 that docs/quantized.md derives, and exact at the ties that
    power-of-two scales make, where the half-to-even rule decides."""
    acc = conv_integer(p, x, w, xZeroPoint, wZeroPoint).astype(np.int64)
    channel = [1, -1] + [1] * (acc.ndim - 2)
    if bias is not None:
        acc = acc + bias.astype(np.int64).reshape(channel)
    scale = (xScale.astype(np.float64)[0] * wScale.astype(np.float64).reshape(channel)
             / yScale.astype(np.float64)[0])
    y = np.rint(acc * scale) + int(yZeroPoint[0])
    limits = np.iinfo(yZeroPoint.dtype)
    return np.clip(y, limits.min, limits.max).astype(yZeroPoint.dtype)


def serve(compute, ops=None):
    """Answers requests until stdin closes; compute(p, x, w, b) returns an array or raises.

    compute works in canonical NCHW / OIHW whatever the run's declared layouts
    (--layout, --weight-layout): serve reads the operands in them and writes the
    output back in `layout`. p["dtype"] is the request's dtype; for float16 and
    bfloat16 the result is rounded to it once, to nearest even.

    ops maps the other op names ("convtranspose", "conv-backward-data",
    "conv-backward-weights") to functions of (p, *operands) in call order, and the
    quantized ones ("conv-integer", "qlinear-conv") to functions of their operands
    by name (conv_integer, qlinear_conv); an op not in it is answered "unsupported"."""
    ops = ops or {}
    for line in sys.stdin:
        request = json.loads(line)
        answer = {"id": request["id"]}
        op = request.get("op", "conv")
        # compute sees the request's dtype too: float16/bfloat16 kernels may compute in it
        dtype = request.get("dtype")
        p = dict(request["problem"], dtype=dtype)
        try:
            if op in QUANTIZED_OPS:
                if op not in ops:
                    raise Unsupported(f"this client does not implement {op}")
                y = ops[op](p, **quantized_operands(request, p))
                answer["output"] = encode(np.ascontiguousarray(y), request["outputDtype"])
            elif op != "conv":
                if op not in ops:
                    raise Unsupported(f"this client implements conv only, not {op}")
                y = ops[op](p, *op_operands(request, p, dtype))
                answer["output"] = encode(np.ascontiguousarray(y), dtype)
            else:
                layout = request.get("layout", "nchw")
                x_shape = [p["batch"], p["inChannels"]] + p["inputSize"]
                x = decode_in_layout(request["input"], dtype, x_shape, layout)
                w_shape = [p["outChannels"], p["inChannels"] // p["groups"]] + p["kernelSize"]
                w = decode_in_layout(request["weight"], dtype, w_shape,
                                     request.get("weightLayout", "oihw"))
                b = None if request["bias"] is None else decode(request["bias"], dtype, [-1])
                y = compute(p, x, w, b)
                y = np.ascontiguousarray(y.transpose(layout_axes(layout, y.ndim - 2)))
                answer["output"] = encode(y, dtype)  # rounded once to a 16-bit dtype
        except Unsupported as reason:
            answer["unsupported"] = str(reason)
        except Exception as e:  # a bug here fails this case only; the run goes on
            answer["error"] = f"{type(e).__name__}: {e}"
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(conv, {"conv-integer": conv_integer, "qlinear-conv": qlinear_conv})
