#!/usr/bin/env python3
"""convcheck subprocess-protocol client: PyTorch's conv1d/2d/3d (CPU, one thread).

Run with the Python that has torch (Debian's python3-torch):
  npx convcheck check --impl-cmd "/usr/bin/python3 scripts/clients/torch_client.py"
Without torch, every request is answered "unsupported: torch not installed".
"""
from reference_client import Unsupported, serve

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    torch = None

CONV = {1: "conv1d", 2: "conv2d", 3: "conv3d"}
# convcheck's paddingMode as F.pad's mode: nn.ConvNd(padding_mode=...) pads the same way.
PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
            "circular": "circular"}


def conv(p, x, w, b):
    if torch is None:
        raise Unsupported("torch not installed")
    rank = len(p["inputSize"])
    # The request's dtype (float32 or float64) is kept: torch computes in it.
    x, w = torch.from_numpy(x.copy()), torch.from_numpy(w.copy())
    if p["mode"] == "convolution":
        w = torch.flip(w, dims=list(range(2, 2 + rank)))  # true convolution flips the kernel
    # F.pad lists pads from the last dimension backwards: (wBegin, wEnd, hBegin, hEnd, ...).
    pads = [n for i in reversed(range(rank)) for n in (p["padBegin"][i], p["padEnd"][i])]
    x = F.pad(x, pads, mode=PAD_MODE[p.get("paddingMode", "zeros")])
    bias = None if b is None else torch.from_numpy(b.copy())
    conv_nd = getattr(F, CONV[rank])
    y = conv_nd(x, w, bias, stride=p["stride"], dilation=p["dilation"], groups=p["groups"])
    return y.numpy()


if __name__ == "__main__":
    if torch is not None:
        torch.set_num_threads(1)
    serve(conv)
