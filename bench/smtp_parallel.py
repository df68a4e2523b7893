"""Parallel SMTP sending: messages per second over 1 and over 4 connections to an aiosmtpd sink
that answers each message after 20 ms (a relay's latency), and the ratio (target: at least 3x).

The sink runs in its own process. Runs alternate (1, 4, 1, 4, ...) so the noise of a shared
machine falls on both alike; each run sends a fresh edition through the whole ledger path.

    .venv/bin/python bench/smtp_parallel.py [--recipients 400] [--rounds 2] [--latency 0.02]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller

from bench.newsletter import editions, free_port, wait_for
from channels.base import Context
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from flows.core.settings import load_settings


class SlowSink:
    """Accepts every message after `latency` seconds; keeps a count and the peak of messages
    in DATA at one moment (how many connections really overlapped)."""

    def __init__(self, counter: Any, peak: Any, latency: float) -> None:
        self.counter, self.peak, self.latency = counter, peak, latency
        self.active = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.active += 1
        with self.peak.get_lock():
            self.peak.value = max(self.peak.value, self.active)
        await asyncio.sleep(self.latency)
        self.active -= 1
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


def serve_sink(port: int, counter: Any, peak: Any, latency: float, stop: Any) -> None:
    controller = Controller(
        SlowSink(counter, peak, latency), hostname="127.0.0.1", port=port, ready_timeout=10
    )
    controller.start()
    stop.wait()
    controller.stop()


def send_once(folder: Path, port: int, connections: int, recipients: int, tag: str) -> float:
    """Render and deliver one edition of `recipients`; returns the seconds delivering took."""
    settings = load_settings(
        out_dir=folder / "out",
        state_dir=folder / "state",
        delivery="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_connections=connections,
    )
    rendered = render_edition(editions(recipients, 1, tag)[0], settings)
    started = time.perf_counter()
    report = deliver_edition(rendered, Context(settings, settings.out_dir))
    took = time.perf_counter() - started
    assert report.delivered == recipients, report
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args(argv)

    mp = multiprocessing.get_context("spawn")
    counter, peak, stop = mp.Value("i", 0), mp.Value("i", 0), mp.Event()
    port = free_port()
    sink = mp.Process(
        target=serve_sink, args=(port, counter, peak, args.latency, stop), daemon=True
    )
    sink.start()
    wait_for(port)
    took = {1: 0.0, 4: 0.0}
    peaks = {1: 0, 4: 0}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            send_once(Path(tmp), port, 1, 10, "warm")  # imports, state database
            for r in range(args.rounds):
                for n in (1, 4):
                    with peak.get_lock():
                        peak.value = 0
                    took[n] += send_once(Path(tmp), port, n, args.recipients, f"r{r}c{n}")
                    peaks[n] = max(peaks[n], peak.value)
    finally:
        stop.set()
        sink.join(10)
    sent = args.recipients * args.rounds
    rate = {n: sent / took[n] for n in took}
    ratio = rate[4] / rate[1]
    print(
        f"sink answering in {args.latency * 1e3:.0f} ms; {sent} messages per setting "
        f"({args.rounds} rounds of {args.recipients})"
    )
    for n in (1, 4):
        print(
            f"{n} connection(s): {took[n]:.2f} s = {rate[n]:.1f} messages/s "
            f"(at most {peaks[n]} message(s) in DATA at once)"
        )
    print(f"ratio 4 / 1 connections: {ratio:.2f}x (target >= 3x)")
    print(f"sink received {counter.value} messages")
    ok = ratio >= 3
    print("target met" if ok else "target NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
