"""A watchdog that stops what a command started when the command dies without cleaning up.

`veerkracht publish` without PREFECT_API_URL starts Prefect's embedded server as a child
process, stopped at exit. A SIGKILL (an operator, the OOM killer, a container stop) skips that
exit, and the server kept running, holding a port and its database. So before starting
Prefect the command starts this watchdog: a separate process (its own session, so a signal to
the command's process group does not reach it) that notes the command's descendants every half
second and, once the command is gone, sends them SIGTERM, then SIGKILL after five seconds. A
process is only signalled if it is still the one it noted (same start time), never a later
process that got the same pid. Linux only (/proc); elsewhere it does nothing.

    python -m flows.cli.orphans <pid>
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PROC = Path("/proc")


def start_watchdog() -> subprocess.Popen[bytes] | None:
    """Watch this process; returns the watchdog (None where there is no /proc)."""
    if not (PROC / str(os.getpid()) / "stat").exists():
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli.orphans", str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process, or None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], fields[19]  # state (field 3), starttime (field 22)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    seen: list[int] = []
    todo = _children(pid)
    while todo:
        child = todo.pop()
        if child not in seen:
            seen.append(child)
            todo += _children(child)
    return seen


def _alive(pid: int, started: str) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[1] == started and stat[0] not in ("Z", "X")


def watch(parent: int, interval: float = 0.5, grace: float = 5.0) -> int:
    """Note `parent`'s descendants until it is gone, then stop those still running; returns how
    many were signalled."""
    first = _stat(parent)
    if first is None:
        return 0
    noted: dict[int, str] = {}
    while _alive(parent, first[1]):
        for pid in _descendants(parent):
            if pid == os.getpid():
                continue  # this watchdog is a child of the command too
            stat = _stat(pid)
            if stat is not None:
                noted.setdefault(pid, stat[1])
        time.sleep(interval)
    left = {pid: started for pid, started in noted.items() if _alive(pid, started)}
    for pid in left:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(p, s) for p, s in left.items()):
        time.sleep(0.1)
    for pid, started in left.items():
        if _alive(pid, started):
            _signal(pid, signal.SIGKILL)
    return len(left)


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(OSError):  # gone meanwhile
        os.kill(pid, signum)


if __name__ == "__main__":
    watch(int(sys.argv[1]))
