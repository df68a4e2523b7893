"""Benchmark of the screens channel: write 1,000 screens of 60 slides, page weight, browser memory.

    .venv/bin/python bench/screens.py [--screens 1000] [--slides 60] [--minutes 5]
                                      [--slide-seconds 3] [--skip-browser]

Prints each figure with its target:
- time to render and write every screen folder: target < 10 s for a day's publish with the QR
  codes kept from the day before (`state/qr/`); the first publish on a machine makes every
  screen's codes (each screen has its own, tagged for reach) and is shown beside it;
- page weight of one screen (index.html, everything inline): target < 250 KB;
- memory (RSS and PSS, read from /proc) of headless Chromium showing one screen for
  `--minutes` of rotation: target no growth beyond 10% after the first minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channels.base import Context, Edition
from channels.screens import CHANNEL
from channels.screens.config import Screen
from channels.screens.playlist import _slide
from channels.shared.qr import qr_svg
from flows.cli.commands.serve import make_server
from flows.core.models import THEMES, Message, Resource, ScreenText
from flows.core.settings import load_settings
from tests.chromium import ARGS, CHROMIUM
from tests.screen_editions import screen_edition

DAY = date.today()  # the page checks validity against the real clock
UNIQUE_URLS = 300  # a region links to a few hundred pages; each QR code is made once
MESSAGES = 2000
KB = 1024


def workload(screens: int, slides: int, seconds: int) -> list[Edition]:
    """Synthetic editions: `screens` screens, each with `slides` messages (as plan would give)."""
    themes = sorted(THEMES)
    messages = [
        Message(
            id=f"bericht-{i:04d}",
            lang="nl",
            title=f"Bericht {i}",
            theme=themes[i % len(themes)],
            audiences=("ouders-jonge-kinderen",),
            screen=ScreenText(
                headline=f"Een korte kop voor bericht {i}, goed leesbaar",
                text="Een tekst van ongeveer honderdvijftig tekens, zoals de schrijfwijzer "
                "vraagt. Hij zegt wat je morgen kunt doen, en waarom dat helpt.",
            ),
            resources=(
                Resource(
                    title="Meer lezen",
                    url=f"https://www.ncj.nl/themadossiers/pagina-{i % UNIQUE_URLS}/",
                ),
            ),
            valid_from=DAY - timedelta(days=30),
            valid_until=DAY + timedelta(days=60),
        )
        for i in range(MESSAGES)
    ]
    editions = []
    for n in range(screens):
        screen = Screen(
            id=f"scherm-{n:04d}",
            location=f"Wachtkamer {n}",
            audiences=("ouders-jonge-kinderen",),
            slide_seconds=seconds,
            orientation="landscape" if n % 2 else "portrait",
            opening_hours={},
        )  # none given: always on, whenever the bench runs
        start = (n * 7) % MESSAGES
        chosen = tuple(messages[(start + k) % MESSAGES] for k in range(slides))
        editions.append(
            screen_edition(
                screen,
                chosen,
                day=DAY,
                campaign_id="bench",
                campaign_title="Sterk begin – samen sterk in 2027",
            )
        )
    return editions


def write_all(editions: list[Edition], out: Path) -> tuple[float, float, int]:
    """Render and deliver every edition with empty in-memory caches (a new process): the QR
    codes come from the state folder's cache when an earlier run kept them there; (wall s,
    CPU s, folders written)."""
    ctx = Context(load_settings(out_dir=out, state_dir=out.parent / "state"), out)
    qr_svg.cache_clear()
    _slide.cache_clear()
    started, cpu = time.perf_counter(), time.process_time()
    written = 0
    for edition in editions:
        written += CHANNEL.deliver(CHANNEL.render(edition, ctx), ctx).delivered
    return time.perf_counter() - started, time.process_time() - cpu, written


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def chromium_memory() -> tuple[int, int]:
    """(RSS, PSS) in KB summed over every chromium process under this one."""
    tree = _children()
    todo, found = [os.getpid()], []
    while todo:
        pid = todo.pop()
        for child in tree.get(pid, []):
            todo.append(child)
            try:
                if "chrom" in Path(f"/proc/{child}/comm").read_text():
                    found.append(child)
            except OSError:
                pass
    rss = pss = 0
    for pid in found:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


def browser_memory(folder: Path, minutes: float, sample_seconds: float = 5.0) -> None:
    """Show one screen in headless Chromium and sample its memory."""
    from playwright.sync_api import sync_playwright

    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.2,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/?refresh=30"
    samples: list[tuple[float, int, int, float]] = []
    try:
        with sync_playwright() as p:
            # Exact JS heap figures and a GC before each sample, so the heap trend is not the
            # noise of when the collector last ran.
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM),
                args=[*ARGS, "--enable-precise-memory-info", "--js-flags=--expose-gc"],
            )
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            started = time.monotonic()
            changes = 0
            last = None
            while (elapsed := time.monotonic() - started) < minutes * 60:
                rss, pss = chromium_memory()
                heap = page.evaluate(
                    "(window.gc && gc(), performance.memory ?"
                    " performance.memory.usedJSHeapSize : 0)"
                )
                current = page.evaluate(
                    "document.querySelector('.slide.active').getAttribute('data-slide-id')"
                )
                if current != last:
                    changes += 1
                    last = current
                samples.append((elapsed, rss, pss, heap / KB))
                page.wait_for_timeout(sample_seconds * 1000)
            nodes = page.evaluate("document.getElementsByTagName('*').length")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    first = [s for s in samples if s[0] <= 60] or samples[:1]
    after = [s for s in samples if s[0] > 60] or samples[-1:]
    print(
        f"  samples: {len(samples)} over {samples[-1][0]:.0f} s; slide changes seen in "
        f"samples: {changes}; DOM elements at the end: {nodes}; page errors: {len(errors)}"
    )
    for label, col in (("RSS", 1), ("PSS", 2), ("JS heap", 3)):
        base = max(s[col] for s in first)
        peak = max(s[col] for s in after)
        growth = (peak / base - 1) * 100 if base else 0.0
        mark = "ok" if growth <= 10 else "OVER TARGET"
        print(
            f"  {label:7}: max in first minute {base / KB:8.1f} MB, peak after "
            f"{peak / KB:8.1f} MB, growth {growth:+5.1f}% (target <= +10%) {mark}"
        )
    trail = ", ".join(
        f"{s[0]:.0f}s:{s[1] / KB:.0f}" for s in samples[:: max(1, len(samples) // 12)]
    )
    print(f"  RSS MB over time: {trail}")


def main() -> int:
    """Run the benchmark and print figures against targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--slides", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--slide-seconds", type=int, default=3)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()

    editions = workload(args.screens, args.slides, args.slide_seconds)
    out = Path(tempfile.mkdtemp(prefix="veerkracht-bench-screens-")) / "out"
    try:
        print(f"machine load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        seconds, cpu, written = write_all(editions, out)
        info = qr_svg.cache_info()
        folders = list((out / "screens").iterdir())
        total = sum(f.stat().st_size for d in folders for f in d.iterdir())
        print(
            f"first publish on this machine, {args.screens} screens x {args.slides} slides: "
            f"{seconds:.2f} s wall, {cpu:.2f} s CPU; QR codes made: {info.misses} (one per "
            f"screen and resource), reused: {info.hits}; {total / KB / KB:.0f} MB in "
            f"{written} folders"
        )
        shutil.rmtree(out / "screens")  # the next day: every screen is written again
        again, cpu, written = write_all(editions, out)
        print(
            f"a day's publish, QR codes kept from the day before ({written} folders): "
            f"{again:.2f} s wall, {cpu:.2f} s CPU (target < 10 s, ratio {again / 10:.2f}); "
            f"first publish / this: {seconds / again:.1f}x"
        )
        same, cpu, written = write_all(editions, out)
        print(
            f"second run, same day (renders, finds nothing new, writes {written} folders): "
            f"{same:.2f} s wall, {cpu:.2f} s CPU"
        )
        one = out / "screens" / editions[0].target
        page = (one / "index.html").stat().st_size
        print(
            f"page weight of one screen: index.html {page / KB:.0f} KB (target < 250 KB, "
            f"ratio {page / (250 * KB):.2f}); playlist.json "
            f"{(one / 'playlist.json').stat().st_size / KB:.0f} KB; slides.rss "
            f"{(one / 'slides.rss').stat().st_size / KB:.0f} KB"
        )
        if not args.skip_browser:
            print(
                f"headless Chromium showing one screen ({args.slides} slides of "
                f"{args.slide_seconds} s, playlist re-fetched every 30 s) for "
                f"{args.minutes:g} min:"
            )
            browser_memory(one, args.minutes)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
