"""Reads requests and never answers. It starts a grandchild (`sleep`) and names
its pid on stderr, so a test can check the whole process group was killed."""
import subprocess
import sys
import time

sleeper = subprocess.Popen(["sleep", "300"])
sys.stderr.write(f"hang_client: grandchild pid {sleeper.pid}\n")
sys.stderr.flush()
for _ in sys.stdin:
    time.sleep(3600)
