"""Reads requests and never answers. It starts a grandchild (`sleep`) and names
its pid on stderr and, when given a file as argv[1], appends it there, so a test
can check the whole process group was killed."""
import subprocess
import sys
import time

sleeper = subprocess.Popen(["sleep", "300"])
sys.stderr.write(f"hang_client: grandchild pid {sleeper.pid}\n")
sys.stderr.flush()
if len(sys.argv) > 1:
    with open(sys.argv[1], "a") as pids:
        pids.write(f"{sleeper.pid}\n")
for _ in sys.stdin:
    time.sleep(3600)
