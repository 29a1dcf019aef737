#!/usr/bin/env python3
"""PyTorch's quantized 2-D convolution (torch.ops.quantized.conv2d), for the
QLinearConv check in properties/peers/torch-int8.test.ts.

Reads one JSON object {"engine": "qnnpack" | "onednn", "cases": [...]} on stdin,
each case {"problem": ConvProblem, "x", "w" (flat row-major int lists), "xScale",
"xZeroPoint", "wScale", "wZeroPoint" (a number or one per output channel),
"yScale", "yZeroPoint"}, and writes {"outputs": [[...] | {"error": msg}, ...]}.
Without torch, or without the engine, it writes {"unsupported": reason}.

PyTorch's semantics: x quint8, w qint8 (per tensor, or per output channel on
axis 0), y quint8; symmetric padding; the caller declines everything else
(impl/peers/torch-int8.ts).
"""
import json
import sys

try:
    import torch
except ImportError:
    torch = None


def run_case(c):
    p = c["problem"]
    n, ci, co, g = p["batch"], p["inChannels"], p["outChannels"], p["groups"]
    x = torch.tensor(c["x"], dtype=torch.uint8).reshape([n, ci, *p["inputSize"]])
    w = torch.tensor(c["w"], dtype=torch.int8).reshape([co, ci // g, *p["kernelSize"]])
    qx = torch._make_per_tensor_quantized_tensor(x, c["xScale"], c["xZeroPoint"])
    ws, wz = c["wScale"], c["wZeroPoint"]
    if isinstance(ws, list) or isinstance(wz, list):
        scales = ws if isinstance(ws, list) else [ws] * co
        zeros = wz if isinstance(wz, list) else [wz] * co
        qw = torch._make_per_channel_quantized_tensor(
            w, torch.tensor(scales, dtype=torch.double), torch.tensor(zeros), 0
        )
    else:
        qw = torch._make_per_tensor_quantized_tensor(w, ws, wz)
    packed = torch.ops.quantized.conv2d_prepack(
        qw, None, p["stride"], p["padBegin"], p["dilation"], g
    )
    y = torch.ops.quantized.conv2d(qx, packed, c["yScale"], c["yZeroPoint"])
    return y.int_repr().flatten().tolist()


def main():
    request = json.load(sys.stdin)
    if torch is None:
        print(json.dumps({"unsupported": "torch not installed"}))
        return
    engine = request["engine"]
    if engine not in torch.backends.quantized.supported_engines:
        engines = torch.backends.quantized.supported_engines
        print(json.dumps({"unsupported": f"engine {engine} not in {engines}"}))
        return
    torch.backends.quantized.engine = engine
    outputs = []
    for c in request["cases"]:
        try:
            outputs.append(run_case(c))
        except Exception as e:  # noqa: BLE001 - the error is the case's result
            outputs.append({"error": str(e).split("\n")[0]})
    print(json.dumps({"torch": torch.__version__, "outputs": outputs}))


if __name__ == "__main__":
    main()
