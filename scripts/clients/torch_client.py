#!/usr/bin/env python3
"""convcheck subprocess-protocol client: PyTorch's conv1d/2d/3d, conv_transpose1d/2d/3d
and autograd for both backward passes of the conv.

Run with the Python that has torch (Debian's python3-torch):
  npx convcheck check --impl-cmd "/usr/bin/python3 scripts/clients/torch_client.py"
With the other ops (docs/protocol.md, "Ops"), declared to convcheck with --ops:
  npx convcheck check --impl-cmd "/usr/bin/python3 scripts/clients/torch_client.py" \
    --ops conv,convtranspose,conv-backward-data,conv-backward-weights
On a GPU, in the precision PyTorch is asked for (the precision profile of the
real-data phase names the class it meets; docs/tolerance.md):
  npx convcheck check --impl-cmd "python3 scripts/clients/torch_client.py --device cuda --precision tf32" --only real

  --device cpu|cuda        where to compute (default cpu, one thread)
  --precision fp32|tf32|fp16|bf16
                           fp32 (default): TF32 off (cudnn.allow_tf32 and
                           matmul.allow_tf32 False, PyTorch's conv default is on);
                           tf32: both on; fp16/bf16: the operands are cast to
                           float16/bfloat16 on the device, the convolution runs
                           there, the result is cast back to the request's dtype.
                           A request of dtype float16 or bfloat16 (convcheck --dtype)
                           computes in that dtype unless --precision says otherwise.
  --benchmark              torch.backends.cudnn.benchmark = True (cuDNN picks an
                           algorithm per shape, transform-based ones included)

Without torch, every request is answered "unsupported: torch not installed".
A bad flag is one line on stderr and exit 2.
"""
import argparse
import sys

import numpy as np

from reference_client import Unsupported, serve

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    torch = None

CONV = {1: "conv1d", 2: "conv2d", 3: "conv3d"}
PRECISIONS = ("fp32", "tf32", "fp16", "bf16")
# convcheck's paddingMode as F.pad's mode: nn.ConvNd(padding_mode=...) pads the same way.
PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
            "circular": "circular"}


class UsageError(Exception):
    """A bad command-line flag: reported in one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parse_flags(argv):
    parser = Parser(prog="torch_client.py", add_help=False)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--precision", default="fp32", choices=PRECISIONS)
    parser.add_argument("--benchmark", action="store_true")
    flags = parser.parse_args(argv)
    if flags.device != "cpu" and not flags.device.startswith("cuda"):
        raise UsageError(f"--device must be cpu or cuda[:N], got '{flags.device}'")
    return flags


def configure(flags):
    """Applies the flags to torch; a device that is not there is a UsageError."""
    if torch is None:
        return
    if flags.device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise UsageError(f"--device {flags.device}: torch sees no CUDA device")
        tf32 = flags.precision == "tf32"
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.benchmark = flags.benchmark
    else:
        torch.set_num_threads(1)


def compute_dtype(precision, request_dtype):
    """The dtype torch computes in: the request's, or float16/bfloat16."""
    if precision == "fp16":
        return torch.float16
    if precision == "bf16":
        return torch.bfloat16
    return request_dtype


def make_conv(flags):
    def conv(p, x, w, b):
        if torch is None:
            raise Unsupported("torch not installed")
        rank = len(p["inputSize"])
        device = torch.device(flags.device)
        request_dtype = torch.from_numpy(x[:0].copy()).dtype
        # A 16-bit request (--dtype float16|bfloat16) is computed by torch in that dtype;
        # bfloat16 arrives as float32 values (numpy has no bfloat16) and leaves as them.
        storage = {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(p.get("dtype"))
        dtype = compute_dtype(flags.precision, storage or request_dtype)
        tensor = lambda a: torch.from_numpy(a.copy()).to(device=device, dtype=dtype)
        x, w = tensor(x), tensor(w)
        if p["mode"] == "convolution":
            w = torch.flip(w, dims=list(range(2, 2 + rank)))  # true convolution flips the kernel
        # F.pad lists pads from the last dimension backwards: (wBegin, wEnd, hBegin, hEnd, ...).
        pads = [n for i in reversed(range(rank)) for n in (p["padBegin"][i], p["padEnd"][i])]
        bias = None if b is None else tensor(b)
        conv_nd = getattr(F, CONV[rank])
        try:
            # F.pad too may lack a 16-bit CPU kernel (reflection_pad1d for 'Half').
            x = F.pad(x, pads, mode=PAD_MODE[p.get("paddingMode", "zeros")])
            y = conv_nd(x, w, bias, stride=p["stride"], dilation=p["dilation"], groups=p["groups"])
        except RuntimeError as e:
            # e.g. float16 convolution on a CPU build without it: a kernel limitation.
            if "not implemented" in str(e):
                raise Unsupported(f"torch: {str(e).splitlines()[0]}") from None
            raise
        return y.to(dtype=request_dtype).cpu().numpy()

    return conv


def make_ops(flags):
    """ConvTranspose by F.conv_transposeNd, and the conv's input and weight gradients by
    autograd, in the request's dtype on the device (the --precision casts are conv's only).
    Asymmetric pads: PyTorch pads symmetrically, so ConvTranspose is computed unpadded with
    the output padding, then cropped padBegin at the start and padEnd at the end; the
    backward passes differentiate F.pad + conv."""

    def tensor(a, requires_grad=False):
        t = torch.from_numpy(a.copy()).to(device=torch.device(flags.device))
        return t.requires_grad_(requires_grad)

    def flipped(w, p):
        rank = len(p["inputSize"])
        return torch.flip(w, dims=list(range(2, 2 + rank))) if p["mode"] == "convolution" else w

    def conv_transpose(p, x, w, b):
        if torch is None:
            raise Unsupported("torch not installed")
        rank = len(p["inputSize"])
        conv_t = getattr(F, f"conv_transpose{rank}d")
        y = conv_t(tensor(x), flipped(tensor(w), p), None, stride=p["stride"], padding=0,
                   output_padding=p["outputPadding"], groups=p["groups"], dilation=p["dilation"])
        crop = tuple(slice(pb, y.shape[2 + i] - pe)
                     for i, (pb, pe) in enumerate(zip(p["padBegin"], p["padEnd"])))
        y = y[(slice(None), slice(None)) + crop]
        if b is not None:
            y = y + tensor(b).reshape([1, -1] + [1] * rank)
        return y.detach().cpu().numpy()

    def forward(p, x, w):
        rank = len(p["inputSize"])
        pads = [n for i in reversed(range(rank)) for n in (p["padBegin"][i], p["padEnd"][i])]
        conv_nd = getattr(F, CONV[rank])
        return conv_nd(F.pad(x, pads), flipped(w, p), None, stride=p["stride"],
                       dilation=p["dilation"], groups=p["groups"])

    def backward(p, x, w, dy, wrt):
        if torch is None:
            raise Unsupported("torch not installed")
        (forward(p, x, w) * tensor(dy)).sum().backward()
        return wrt.grad.detach().cpu().numpy()

    def backward_data(p, dy, w):
        n, c = p["batch"], p["inChannels"]
        x = tensor(np.zeros([n, c] + p["inputSize"], dtype=dy.dtype), requires_grad=True)
        return backward(p, x, tensor(w), dy, x)

    def backward_weights(p, x, dy):
        g, k = p["groups"], p["kernelSize"]
        shape = [p["outChannels"], p["inChannels"] // g] + k
        w = tensor(np.zeros(shape, dtype=x.dtype), requires_grad=True)
        return backward(p, tensor(x), w, dy, w)

    return {"convtranspose": conv_transpose, "conv-backward-data": backward_data,
            "conv-backward-weights": backward_weights}


if __name__ == "__main__":
    try:
        FLAGS = parse_flags(sys.argv[1:])
        configure(FLAGS)
    except UsageError as e:
        sys.stderr.write(f"torch_client.py: {e}\n")
        sys.exit(2)
    serve(make_conv(FLAGS), make_ops(FLAGS))
