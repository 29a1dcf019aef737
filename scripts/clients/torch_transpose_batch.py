#!/usr/bin/env python3
"""PyTorch float64 ConvTranspose and conv backward passes, for the cross-check
in properties/crosscheck/torchTranspose.test.ts.

Reads one JSON object {"cases": [...]} on stdin, each case
  {"op": "convtranspose", "problem": ConvTransposeProblem, "x", "w", "b"?}
  {"op": "bwd-data" | "bwd-weights", "problem": ConvProblem, "x", "w", "dy"}
(flat row-major lists), and writes {"outputs": [[...], ...]} on stdout.
Without torch it writes {"unsupported": "torch not installed"}.

ConvTranspose goes through F.conv_transpose{1,2,3}d: with its own padding and
output_padding when the pads are symmetric, otherwise with padding 0 and the
output cropped (and zero-extended for output rows beyond the scatter), since
PyTorch has no asymmetric ConvTranspose padding. The backward passes are
autograd through F.pad + F.conv{1,2,3}d.
"""
import json
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    torch = None


def tensor(values, shape):
    return torch.tensor(values, dtype=torch.float64).reshape(shape)


def spatial_dims(rank):
    return list(range(2, 2 + rank))


def conv_transpose(p, x, w, b):
    rank = len(p["inputSize"])
    g = p["groups"]
    x = tensor(x, [p["batch"], p["inChannels"], *p["inputSize"]])
    w = tensor(w, [p["inChannels"], p["outChannels"] // g, *p["kernelSize"]])
    if p["mode"] == "convolution":
        w = torch.flip(w, dims=spatial_dims(rank))
    bias = None if b is None else tensor(b, [p["outChannels"]])
    op = getattr(F, f"conv_transpose{rank}d")
    if p["padBegin"] == p["padEnd"]:
        y = op(x, w, bias, stride=p["stride"], padding=p["padBegin"],
               output_padding=p["outputPadding"], groups=g, dilation=p["dilation"])
        return y.flatten().tolist()
    full = op(x, w, None, stride=p["stride"], padding=0, groups=g, dilation=p["dilation"])
    for i in range(rank):
        dim = 2 + i
        size = full.shape[dim]
        out = size - p["padBegin"][i] - p["padEnd"][i] + p["outputPadding"][i]
        extra = max(0, p["padBegin"][i] + out - size)
        if extra:
            pad = [0, 0] * (rank - 1 - i) + [0, extra]
            full = F.pad(full, pad)
        full = full.narrow(dim, p["padBegin"][i], out)
    if bias is not None:
        full = full + bias.reshape([1, -1] + [1] * rank)
    return full.flatten().tolist()


def backward(p, x, w, dy, want):
    rank = len(p["inputSize"])
    x = tensor(x, [p["batch"], p["inChannels"], *p["inputSize"]]).requires_grad_()
    w = tensor(w, [p["outChannels"], p["inChannels"] // p["groups"], *p["kernelSize"]]).requires_grad_()
    kernel = torch.flip(w, dims=spatial_dims(rank)) if p["mode"] == "convolution" else w
    pads = [n for i in reversed(range(rank)) for n in (p["padBegin"][i], p["padEnd"][i])]
    y = getattr(F, f"conv{rank}d")(F.pad(x, pads), kernel, None, stride=p["stride"],
                                   dilation=p["dilation"], groups=p["groups"])
    y.backward(tensor(dy, list(y.shape)))
    grad = x.grad if want == "bwd-data" else w.grad
    return grad.flatten().tolist()


def run(case):
    p = case["problem"]
    if case["op"] == "convtranspose":
        return conv_transpose(p, case["x"], case["w"], case.get("b"))
    return backward(p, case["x"], case["w"], case["dy"], case["op"])


def main():
    if torch is None:
        json.dump({"unsupported": "torch not installed"}, sys.stdout)
        return
    torch.set_num_threads(1)
    cases = json.load(sys.stdin)["cases"]
    json.dump({"outputs": [run(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
