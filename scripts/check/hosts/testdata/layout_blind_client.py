#!/usr/bin/env python3
"""The reference client blind to the declared layouts: it reads and writes every
array as NCHW / OIHW whatever the request's `layout` and `weightLayout` say, as a
program that ignores them would (for scripts/check/layout.test.ts)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "clients"))
import reference_client  # noqa: E402

reference_client.layout_axes = lambda layout, rank: list(range(rank + 2))
reference_client.serve(reference_client.conv)
