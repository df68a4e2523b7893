"""`veerkracht publish` as an operator runs it: two at once, and one killed mid-send.

Real processes (the command line with Prefect's embedded server, at a campaign day set with
faketime), one real SMTP server (aiosmtpd) and one state database:
- two runs started at the same moment both exit 0 and every recipient gets exactly one message
  (one publishes, the other finds the day in progress, or nothing new if it came second);
- a run killed with SIGKILL while the server holds a message leaves no process behind (the
  embedded Prefect server is stopped by the watchdog), and the rerun takes the day over at once,
  sends what was not sent, resends nothing, and exits 1 naming the message with an unknown
  outcome.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.test_newsletter_support import Sink, smtp_server

REPO = Path(__file__).resolve().parent.parent
VEERKRACHT = str(Path(sys.executable).with_name("veerkracht"))
# libfaketime itself, preloaded into the command: the `faketime` wrapper would be the process
# the test kills, leaving the real run alive underneath it.
FAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketimeMT.so.1"))), None)
DAY = "2027-01-05"  # the bundled campaign's first newsletter day

pytestmark = pytest.mark.skipif(
    FAKETIME is None and not os.environ.get("CI"), reason="faketime (Debian) is not installed"
)


@dataclass
class HoldingSink(Sink):
    """Keeps message `hold_at` (counted as received) and never answers it until released."""

    hold_at: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold_at is not None and len(self.received) + 1 == self.hold_at:
            self.hold_at = None
            self.received.append((list(envelope.rcpt_tos), envelope.content))
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 too late"
        return await super().handle_DATA(server, session, envelope)


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "VEERKRACHT_"))}
    env.update(
        {
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_TO_API_ENABLED": "false",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
            "VEERKRACHT_STATE_DIR": str(tmp_path / "state"),
            "VEERKRACHT_DELIVERY": "smtp",
            "VEERKRACHT_SMTP_HOST": "127.0.0.1",
            "VEERKRACHT_SMTP_PORT": str(port),
            "VEERKRACHT_SMTP_SECURITY": "none",
            "VEERKRACHT_SMTP_TO_EXAMPLE": "true",  # aiosmtpd here is a test server
            "VEERKRACHT_SMTP_CONNECTIONS": "1",
            "VEERKRACHT_SMTP_RETRIES": "0",
            "VEERKRACHT_LANG": "en",  # the assertions read the English texts
        }
    )
    return env


def _publish(env: dict[str, str], out: Path) -> subprocess.Popen[str]:
    assert FAKETIME is not None
    return subprocess.Popen(
        [VEERKRACHT, "publish", "--content", "content", "--out", str(out)],
        cwd=REPO,
        env={**env, "LD_PRELOAD": str(FAKETIME), "FAKETIME": f"@{DAY} 08:00:00"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _copies(sink: Sink) -> dict[tuple[str, str], int]:
    """How often each recipient got each edition (told apart by the subject)."""
    counts: dict[tuple[str, str], int] = {}
    for rcpts, content in sink.received:
        text = content.decode("ascii", "replace")
        subject = next((x for x in text.splitlines() if x.startswith("Subject:")), "")
        for r in rcpts:
            counts[(r.lower(), subject)] = counts.get((r.lower(), subject), 0) + 1
    return counts


@pytest.mark.timeout(400)
def test_two_runs_started_at_once_both_exit_0_and_send_each_message_once(tmp_path: Path) -> None:
    sink = Sink()
    with smtp_server(sink) as port:
        env = _env(tmp_path, port)
        out = tmp_path / "out"
        runs = [_publish(env, out), _publish(env, out)]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
    codes = [run.returncode for run in runs]
    assert codes == [0, 0], "\n---\n".join(outputs)
    copies = _copies(sink)
    assert copies, "nothing was sent"
    assert set(copies.values()) == {1}, copies  # nobody got any message twice
    second = [o for o in outputs if "already in progress" in o or "nothing new" in o]
    assert len(second) >= 1, outputs


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                kids = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for kid in kids:
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.timeout(400)
def test_a_killed_run_leaves_nothing_running_and_the_rerun_resends_nothing(tmp_path: Path) -> None:
    sink = HoldingSink(hold_at=3)
    with smtp_server(sink) as port:
        env = _env(tmp_path, port)
        out = tmp_path / "out"
        first = _publish(env, out)
        assert sink.holding.wait(timeout=240), "the run never reached its third message"
        started = _descendants(first.pid)
        assert started, "the run started no processes (no embedded Prefect server?)"
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in started):
            time.sleep(0.2)
        assert not [p for p in started if _alive(p)], "processes outlived the killed run"
        sink.release.set()
        held = sink.received[2][0][0].lower()
        rerun = _publish(env, out)
        output = rerun.communicate(timeout=300)[0]
    assert rerun.returncode == 1, output
    assert "1 message has an unknown outcome" in output, output
    copies = _copies(sink)
    assert len(copies) > 3 and set(copies.values()) == {1}, copies  # not even the held one
    report = (out / "reports" / f"publish-{DAY}.md").read_text(encoding="utf-8")
    assert "Took this day over from a run that stopped" in report
    assert "## Unknown outcome" in report and held in report
