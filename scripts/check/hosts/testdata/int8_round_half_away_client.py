#!/usr/bin/env python3
"""The reference client with one requantization bug in its QLinearConv: ties rounded half
away from zero (C's round, gemmlowp's rounding shift), not to even, for
scripts/check/quantized-command.test.ts."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "clients"))
import reference_client  # noqa: E402

reference_client.np = type("numpy_half_away", (), {
    name: getattr(np, name) for name in dir(np) if not name.startswith("__")})
reference_client.np.rint = lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5)
reference_client.serve(reference_client.conv, {
    "conv-integer": reference_client.conv_integer,
    "qlinear-conv": reference_client.qlinear_conv,
})
