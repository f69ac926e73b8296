"""Waits for parley's first 200 on /health and prints the milliseconds since
it was started: start to ready.
  wait_ready.py URL PID STARTED_NS   (STARTED_NS: `date +%s%N` just before)
Exits 1 when the process dies first."""
import os
import sys
import time
import urllib.request

url, pid, started_ns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
while True:
    try:
        if urllib.request.urlopen(url, timeout=1).status == 200:
            break
    except Exception:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(1)
    time.sleep(0.002)  # polling: the figure is good to a few milliseconds
print(round((time.time_ns() - started_ns) / 1e6))
