"""Run the `payoff` command with timestamps at its phases, and optionally SIGKILL it at one of them.

    python probe.py STAMPS [--kill-at PHASE:start|PHASE:end] -- PAYOFF ARGS...

Each phase entry and exit is appended to STAMPS as "phase start|end <time.monotonic()>"
(the clock is system-wide, so the parent can place the phases on its own timeline). With
--kill-at the process kills itself with SIGKILL at that moment: a crash at an exact point,
with nothing in Python (no finally, no atexit, no DuckDB close) getting to run.
"""

from __future__ import annotations

import functools
import importlib
import os
import signal
import sys
import time

# phase -> the engine function whose call is that phase; renaming one of these breaks the probe loudly
PHASES = {
    "scan": "pipelines.ingest.load:open_source",  # hash and sniff the file
    "stage": "pipelines.ingest.load:_LoadPlan.stage",  # read as text, type, collect rejects (temp tables)
    "commit": "pipelines.ingest.load:_LoadPlan.commit",  # facts + load record in one transaction
    "archive": "pipelines.ingest.load:archive_copy",  # inside that transaction, before the load row
    "undo": "pipelines.workflow:undo_load",  # delete facts + mark undone in one transaction
    "build": ("pipelines.cli:build",  # the panel rebuild of `payoff build`
              "pipelines.workflow:build",  # the panel rebuild after an undo
              "pipelines.workflow:refresh"),  # the panel update after a load (new events only, or a rebuild)
}


def main(argv: list[str]) -> int:
    """Wrap every phase, then hand the remaining arguments to the real command line."""
    stamps, rest = argv[0], argv[1:]
    kill_at = None
    if rest[:1] == ["--kill-at"]:
        kill_at, rest = rest[1], rest[2:]
    if rest[:1] != ["--"]:
        raise SystemExit("usage: probe.py STAMPS [--kill-at PHASE:start|end] -- PAYOFF ARGS...")
    fd = os.open(stamps, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for phase, targets in PHASES.items():
        for target in (targets,) if isinstance(targets, str) else targets:
            _wrap(phase, target, fd, kill_at)
    from pipelines.cli import main as payoff

    return payoff(rest[1:])


def _wrap(phase: str, target: str, fd: int, kill_at: str | None) -> None:
    module_name, _, qualname = target.partition(":")
    owner = importlib.import_module(module_name)
    *parents, attr = qualname.split(".")
    for name in parents:
        owner = getattr(owner, name)
    original = getattr(owner, attr)  # AttributeError here: the engine moved; update PHASES

    @functools.wraps(original)
    def timed(*args, **kwargs):
        _mark(fd, phase, "start", kill_at)
        result = original(*args, **kwargs)
        _mark(fd, phase, "end", kill_at)
        return result

    setattr(owner, attr, timed)


def _mark(fd: int, phase: str, event: str, kill_at: str | None) -> None:
    os.write(fd, f"{phase} {event} {time.monotonic():.6f}\n".encode())
    if kill_at == f"{phase}:{event}":
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
