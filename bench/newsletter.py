"""Newsletter delivery benchmark: 10,000 recipients in 6 editions to an aiosmtpd sink on 127.0.0.1.

Prints messages per second, renders per edition (target 1), peak memory at 1,000 and at
10,000 recipients (target: within 20%), and the same 10,000 messages through bare smtplib
in the same run with the ratio (target: within 1.5x of that floor).

    .venv/bin/python bench/newsletter.py [--recipients 10000] [--editions 6]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import multiprocessing
import smtplib
import socket
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller

from channels.base import Context, Edition
from channels.newsletter.payload import NewsletterPayload
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from flows.core.models import Message
from flows.core.settings import Settings, load_settings

DAY = date(2027, 1, 5)


class CountingSink:
    """Accepts everything and keeps only a count, so the sink's memory stays flat."""

    def __init__(self, counter: Any) -> None:
        self.counter = counter

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


def serve_sink(port: int, counter: Any, stop: Any) -> None:
    """Run the sink in its own process, so neither its CPU nor its memory is counted as ours."""
    controller = Controller(
        CountingSink(counter), hostname="127.0.0.1", port=port, ready_timeout=10
    )
    controller.start()
    stop.wait()
    controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, timeout: float = 20.0) -> None:
    """Wait until the sink accepts connections."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def message(i: int, kind_staff: bool = False) -> Message:
    body = (
        f"Bericht {i}: slapen gaat beter met een vast ritme, want je lichaam weet dan wat er "
        "komt. Lees [meer bij het NCJ](https://www.ncj.nl/themadossiers/ouderschap/).\n\n"
        "- Zet de schermen een uur voor bedtijd uit.\n- Lees samen een boekje.\n"
    ) * 3
    return Message(
        id=f"bericht-{i}",
        lang="nl",
        title=f"Rust en ritme, deel {i}",
        theme="slapen",
        audiences=("kinderopvang-team",) if kind_staff else ("ouders-jonge-kinderen",),
        body=body,
        screen={"headline": "Rust", "text": "Ritme helpt"},
        resources=({"title": "NCJ", "url": "https://www.ncj.nl/x"},),
        valid_from=date(2026, 1, 1),
    )


def editions(total: int, count: int, tag: str) -> list[Edition[NewsletterPayload]]:
    """`count` editions sharing `total` recipients between them."""
    out = []
    per = [total // count + (1 if e < total % count else 0) for e in range(count)]
    n = 0
    for e in range(count):
        recipients = tuple(
            (f"partner{n + i}@example.org", f"Opvang {n + i}") for i in range(per[e])
        )
        n += per[e]
        out.append(
            Edition(
                channel="newsletter",
                target=f"bench-{tag}-{e}",
                day=DAY,
                campaign_id="bench",
                campaign_title="Sterk begin",
                lang="nl",
                audiences=("kinderopvang-team", "ouders-jonge-kinderen"),
                messages=(
                    message(3 * e),
                    message(3 * e + 1),
                    message(3 * e + 2),
                    message(100 + e, kind_staff=True),
                ),
                payload=NewsletterPayload(
                    kind="kinderopvang", recipients=recipients, staff=f"bericht-{100 + e}"
                ),
            )
        )
    return out


def run_interleaved(
    settings: Settings, port: int, eds: list[Edition[NewsletterPayload]]
) -> dict[str, float]:
    """Per edition: our render + deliver, then the same number of messages through bare smtplib.

    Interleaving spreads the noise of a shared machine evenly over both. The bare floor sends
    one pre-built message (rendered once, outside the timing) over one connection.
    """
    ctx = Context(settings, settings.out_dir)
    sample = editions(1, 1, "bare")[0]
    payload = render_edition(sample, settings).meta.mime.personalise("x@example.org", "X")
    bare = smtplib.SMTP("127.0.0.1", port)
    bare.ehlo()
    totals = dict.fromkeys(("ours", "ours_cpu", "bare", "bare_cpu", "sent", "bare_sent"), 0.0)
    for ed in eds:
        c0, t0 = time.process_time(), time.perf_counter()
        report = deliver_edition(render_edition(ed, settings), ctx)
        totals["ours"] += time.perf_counter() - t0
        totals["ours_cpu"] += time.process_time() - c0
        totals["sent"] += report.delivered
        c0, t0 = time.process_time(), time.perf_counter()
        for address, _ in ed.payload.recipients:
            bare.sendmail("bench@example.org", [address], payload)
            totals["bare_sent"] += 1
        totals["bare"] += time.perf_counter() - t0
        totals["bare_cpu"] += time.process_time() - c0
    bare.quit()
    return totals


def run_pipeline(settings: Settings, eds: list[Edition[NewsletterPayload]]) -> int:
    """Render each edition once and deliver it; returns messages sent."""
    ctx = Context(settings, settings.out_dir)
    return sum(deliver_edition(render_edition(ed, settings), ctx).delivered for ed in eds)


def settings_in(folder: Path, port: int, connections: int | None = None) -> Settings:
    """SMTP to the sink; the state database in `folder` too (the default, ./state, would keep
    the ledger between bench runs, and a second run would send nothing)."""
    extra = {} if connections is None else {"smtp_connections": connections}
    return load_settings(
        out_dir=folder / "out",
        state_dir=folder / "state",
        delivery="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        **extra,
    )


def peak_memory(port: int, recipients: int, count: int) -> float:
    """Peak traced memory (MB) of rendering and delivering to `recipients`."""
    eds = editions(recipients, count, f"mem{recipients}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_in(Path(tmp), port)
        gc.collect()
        tracemalloc.start()
        run_pipeline(settings, eds)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak / 1e6


@contextlib.contextmanager
def counting_renders() -> Iterator[Counter[str]]:
    """Count how often each edition's content is composed (render and deliver together must
    compose it once), by wrapping the renderer's compose step for the duration."""
    import channels.newsletter.render as render_module

    counted: Counter[str] = Counter()
    real = getattr(render_module, "compose")  # noqa: B009 - the name render.py calls

    def compose(edition: Any, settings: Settings) -> Any:
        counted[edition.key] += 1
        return real(edition, settings)

    setattr(render_module, "compose", compose)  # noqa: B010
    try:
        yield counted
    finally:
        setattr(render_module, "compose", real)  # noqa: B010


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--editions", type=int, default=6)
    args = parser.parse_args(argv)

    mp = multiprocessing.get_context("spawn")
    counter, stop = mp.Value("i", 0), mp.Event()
    port = free_port()
    sink = mp.Process(target=serve_sink, args=(port, counter, stop), daemon=True)
    sink.start()
    wait_for(port)
    try:
        eds = editions(args.recipients, args.editions, "speed")
        with tempfile.TemporaryDirectory() as tmp:
            settings = settings_in(Path(tmp), port)
            run_pipeline(settings, editions(20, 1, "warm"))  # imports, state database
            with counting_renders() as counted:
                t = run_interleaved(settings, port, eds)
        renders = [counted[e.key] for e in eds]
        peak_memory(port, args.recipients // 10, args.editions)  # warm-up: one-time caches
        mem_small = peak_memory(port, args.recipients // 10, args.editions)
        mem_big = peak_memory(port, args.recipients, args.editions)
    finally:
        stop.set()
        sink.join(10)

    ours, bare, sent, bare_sent = t["ours"], t["bare"], int(t["sent"]), int(t["bare_sent"])
    ratio = ours / bare
    growth = mem_big / mem_small - 1
    print(
        f"newsletter: {sent} messages in {args.editions} editions in {ours:.2f} s "
        f"= {sent / ours:.0f} messages/s"
    )
    print(f"renders per edition: {renders} (target: 1 each)")
    print(
        f"bare smtplib: {bare_sent} messages in {bare:.2f} s = {bare_sent / bare:.0f} "
        f"messages/s; ratio {ratio:.2f}x (target <= 1.5x)"
    )
    print(
        f"CPU in this process per message: ours {t['ours_cpu'] / sent * 1e3:.2f} ms, bare "
        f"{t['bare_cpu'] / bare_sent * 1e3:.2f} ms (the SMTP server's time is the rest)"
    )
    print(
        f"peak memory: {mem_small:.1f} MB at {args.recipients // 10} recipients, "
        f"{mem_big:.1f} MB at {args.recipients}: {growth:+.0%} (target within 20%)"
    )
    print(f"sink received {counter.value} messages")
    ok = all(r == 1 for r in renders) and ratio <= 1.5 and abs(growth) <= 0.2
    print("all targets met" if ok else "NOT all targets met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
