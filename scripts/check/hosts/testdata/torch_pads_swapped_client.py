#!/usr/bin/env python3
"""The torch client with one convention bug in its ConvTranspose: padBegin and padEnd
swapped (pads removed from the wrong sides), for scripts/check/ops-command.test.ts."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "clients"))
import torch_client  # noqa: E402
from reference_client import serve  # noqa: E402

FLAGS = torch_client.parse_flags([])
torch_client.configure(FLAGS)
OPS = torch_client.make_ops(FLAGS)
right = OPS["convtranspose"]
OPS["convtranspose"] = lambda p, x, w, b: right(
    dict(p, padBegin=p["padEnd"], padEnd=p["padBegin"]), x, w, b)
serve(torch_client.make_conv(FLAGS), OPS)
