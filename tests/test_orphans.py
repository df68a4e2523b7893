"""The watchdog stops what a killed command left running, and nothing else."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.cli import orphans

PARENT = """
import subprocess, sys, time
from flows.cli.orphans import start_watchdog
start_watchdog()
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
print(child.pid, flush=True)
time.sleep(120)
"""

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux only")


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False


def test_a_killed_commands_children_are_stopped() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(1.5)  # the watchdog notes the child within half a second
    unrelated = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        parent.send_signal(signal.SIGKILL)  # no atexit, no cleanup of its own
        assert _gone(child, within=15), "the child outlived the killed command"
        assert not _gone(unrelated.pid, within=1)  # only the command's own processes
    finally:
        parent.wait()
        unrelated.kill()
        unrelated.wait()
        if not _gone(child, within=0):
            os.kill(child, signal.SIGKILL)


def test_a_command_that_exits_normally_leaves_the_watchdog_nothing_to_do() -> None:
    quick = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1)"])
    assert orphans.watch(quick.pid, interval=0.1) == 0  # no children: none signalled
    quick.wait()
    assert orphans.watch(quick.pid) == 0  # a pid that is gone: nothing at all
