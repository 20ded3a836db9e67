"""Run one command and report its wall time and peak resident memory as JSON (bench.py's launcher).

    python bench/measured.py RESULT.json -- COMMAND [ARGS...]

Why a launcher: on Linux a child's ru_maxrss starts from the peak of the process that started it
(exec records the old address space's high-water mark), so a command started straight from the
benchmark would carry the benchmark's own memory. Started from this small process, it carries at
most this process's few MB. Standard output and error pass through untouched.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: measured.py RESULT.json -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    result, cmd = argv[0], argv[2:]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    with open(result, "w", encoding="utf-8") as fh:
        json.dump({"seconds": seconds, "maxrss_kib": usage.ru_maxrss, "returncode": code,
                   "launcher_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
