"""Benchmark: load + check 2,000 generated messages vs markdown-it-py parsing the bodies alone.

Target: the whole check within 3x of parsing the same bodies with markdown-it-py.
Run: .venv/bin/python bench/check.py [--messages N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from markdown_it import MarkdownIt

from flows.core.models import AUDIENCES, THEMES
from flows.core.settings import load_settings
from flows.library.loader import load_library
from flows.publishing.checking import check_folder

TARGET = 3.0
SENTENCES = [
    "Veel ouders herkennen dit.",
    "Je doet al veel goed als je er bent voor je kind.",
    "Lees samen een boekje voor het slapen, want dat geeft rust.",
    "Ga samen naar buiten, zo krijgt je kind energie kwijt.",
    "Een vast ritme helpt je kind om tot rust te komen.",
    "Praat over wat er vandaag gebeurde, omdat dat je kind helpt om het te begrijpen.",
    "Wat hielp jou de vorige keer?",
    "Kleine momenten samen maken een groot verschil.",
    "Het is normaal dat het soms niet lukt.",
    "Vraag hulp aan mensen om je heen, want samen gaat het makkelijker.",
    "Stress hoort bij het leven en je kind leert ervan.",
    "Probeer het morgen nog een keer, want oefenen helpt.",
]
STYLE = """jargon: [early life stress, ELS, toxische stress, allostatische belasting, AB-model]
blame: [schuld, fout, slechte ouder, je moet]
strength_markers: [al veel goed, doet al, gaat goed, lukt, sterk]
hard_words: {faciliteren: helpen, adequaat: goed, desalniettemin: toch}
"""


def body(rng: random.Random) -> str:
    """A body of about 100-150 words: paragraphs, a list, a link, sometimes a heading."""
    parts = []
    if rng.random() < 0.3:
        parts.append("## Wat kun je doen?")
    for _ in range(rng.randint(2, 3)):
        parts.append(" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 4))))
    items = [f"- {rng.choice(SENTENCES)}" for _ in range(rng.randint(2, 4))]
    parts.append("\n".join(items))
    parts.append(
        "Meer lezen? Kijk op [de site van het NCJ](https://www.ncj.nl/themadossiers/"
        f"ouderschap/{rng.randint(1, 999)}/), want daar staat meer."
    )
    return "\n\n".join(parts)


def generate(root: Path, count: int, seed: int = 42) -> list[str]:
    """Write `count` messages under root/messages plus a style.yaml; return their bodies."""
    rng = random.Random(seed)
    themes, audiences = list(THEMES), list(AUDIENCES)
    bodies = []
    (root / "style.yaml").parent.mkdir(parents=True, exist_ok=True)
    (root / "style.yaml").write_text(STYLE, encoding="utf-8")
    for i in range(count):
        theme = rng.choice(themes)
        text = body(rng)
        bodies.append(text)
        folder = root / "messages" / theme
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"bericht-{i}.nl.md").write_text(
            f"""---
id: bericht-{i}
lang: nl
title: Bericht nummer {i} over {theme}
theme: {theme}
audiences: [{rng.choice(audiences)}, {rng.choice(audiences)}]
screen:
  headline: Een kort bericht over {theme}
  text: {rng.choice(SENTENCES)}
resources:
  - title: Meer lezen
    url: https://www.ncj.nl/themadossiers/vakmanschapsagenda/
valid_from: 2026-01-01
review_by: 2028-01-01
---

{text}
""",
            encoding="utf-8",
        )
    return bodies


def best_of(runs: int, fns: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The fastest of `runs` CPU timings of each fn, taken in turns so that every side sees the
    same machine load (it is shared) and a collected heap; CPU time and the minimum are what
    other work disturbs least."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(runs):
        for name, fn in fns.items():
            gc.collect()
            start = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - start)
    return best


def main() -> int:
    """Generate, time, print figures and the ratio against the target."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veerkracht-bench-") as tmp:
        root = Path(tmp) / "content"
        bodies = generate(root, args.messages)
        md = MarkdownIt()  # markdown-it-py's default (CommonMark) parser

        def parse_only() -> None:
            for text in bodies:
                md.parse(text)

        def load_only() -> None:
            load_library(root)

        findings_count = 0

        def load_and_check() -> None:
            nonlocal findings_count
            findings_count = len(check_folder(root, load_settings(content_dir=root)).findings)

        parse_only()  # warm up caches and imports on every side
        load_and_check()
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(load_and_check)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        times = best_of(
            args.runs, {"parse": parse_only, "load": load_only, "check": load_and_check}
        )
        t_parse, t_load, t_check = times["parse"], times["load"], times["check"]
    n = args.messages
    ratio = t_check / t_parse
    print(f"messages:                     {n}")
    print(f"markdown-it parse bodies:     {t_parse:.3f} s  ({n / t_parse:,.0f} messages/s)")
    print(f"load only:                    {t_load:.3f} s  ({n / t_load:,.0f} messages/s)")
    print(f"load + check:                 {t_check:.3f} s  ({n / t_check:,.0f} messages/s)")
    print(f"findings:                     {findings_count}")
    print(
        f"ratio load+check / parse:     {ratio:.2f}x  (target <= {TARGET:g}x: "
        f"{'met' if ratio <= TARGET else 'NOT met'})"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
