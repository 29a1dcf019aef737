"""The reference client, except that the first process ever started with this
state file dies on its first request (exit code 3, a last word on stderr)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "clients"))
from reference_client import conv, serve  # noqa: E402

state_file = sys.argv[1]
if not os.path.exists(state_file):
    open(state_file, "w").close()
    sys.stdin.readline()
    sys.stderr.write("exit_once_client: dying on purpose\n")
    sys.exit(3)
serve(conv)
