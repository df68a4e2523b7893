"""Benchmark of `veerkracht studio`: keystroke to updated findings and previews, and memory.

    .venv/bin/python bench/studio.py [--keys 20] [--messages 2000] [--skip-large]

For two libraries, the bundled content and the bundled content with `--messages` generated
messages added (bench/check.py's generator), it starts `veerkracht studio` as its own process
on 127.0.0.1, opens the editor of a 150-word message in Debian's headless Chromium and types
`--keys` characters at the end of the body, one at a time, each after the previous update has
landed. In the page (performance.now()) it takes, per keystroke:

- keystroke to update: the `input` event to the moment the findings are on the page and both
  preview frames (slide, newsletter block) show the new preview (the script puts a page
  without a script in its frame in place, loads the others, and leaves a frame whose preview
  did not change alone; its `studio-updated` event says when all that is done);
- debounce: the `input` event to the request leaving (the script waits for a pause in typing);
- server and render: the request leaving to the same end point (the checks, the previews
  rendered by the server, the answer shown and the frames updated). Target: under 200 ms;
- to the next frame: the same, up to the browser's next animation frame (about to paint).

It prints the median and p95 of each, the ratio of the server-and-render figures to the
target, and the studio process's memory (VmRSS and VmHWM from /proc/<pid>/status) once the
overview has been served (the whole library loaded and checked) and after the typing.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx
from playwright.sync_api import sync_playwright

from bench.check import SENTENCES, generate
from tests.chromium import ARGS, CHROMIUM

TARGET_MS = 200.0
WORDS = 150
MODEL = "messages/slapen/vast-slaapritueel.nl.md"  # front matter for the bench message
REL = "messages/slapen/bench-150-woorden.nl.md"
PATIENCE_S = 120.0  # a safety bound for start-up (checking 2,000 messages) and each update

# Installed once the editor's first check has landed: one sample per update of the studio's
# script (its `studio-updated` event, sent once the findings are on the page and every preview
# frame shows the new preview: put in place, or loaded), with the time of the last keystroke
# before it, and the next animation frame after it (the update about to be painted).
LISTEN = """() => {
  const b = window.__bench = {samples: [], lastInput: null};
  const form = document.getElementById("bewerk");
  form.addEventListener("input", () => { b.lastInput = performance.now(); }, true);
  form.addEventListener("studio-updated", (e) => {
    const s = {input: b.lastInput, sent: e.detail.sent, shown: e.detail.shown,
               frames: performance.now(), painted: null, loaded: e.detail.loaded};
    requestAnimationFrame(() => { s.painted = performance.now(); });
    b.samples.push(s);
  });
}"""


def body_of(words: int) -> str:
    """A Dutch body of exactly `words` words, in paragraphs of four sentences."""
    sentences: list[str] = []
    count = 0
    while count < words:
        sentence = SENTENCES[len(sentences) % len(SENTENCES)].split()[: words - count]
        count += len(sentence)
        text = " ".join(sentence)
        sentences.append(text if text.endswith((".", "?")) else text + ".")
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return "\n\n".join(paragraphs)


def library(root: Path, generated: int) -> None:
    """The bundled content in `root`, with `generated` messages added and the 150-word message."""
    shutil.copytree(REPO / "content", root)
    if generated:
        scratch = root.parent / "generated"
        generate(scratch, generated)  # also writes its own style.yaml, not used here
        for folder in (scratch / "messages").iterdir():
            target = root / "messages" / folder.name
            target.mkdir(exist_ok=True)
            for path in folder.iterdir():
                # bench/check.py's messages have no status (S119 keeps them from loading as
                # messages); the studio's library is one of published messages.
                text = path.read_text("utf-8").replace(
                    "\nlang: nl\n", "\nlang: nl\nstatus: gepubliceerd\n", 1
                )
                (target / path.name).write_text(text, "utf-8")
        shutil.rmtree(scratch)
    model = (root / MODEL).read_text("utf-8")
    front = model.split("\n---\n", 1)[0]
    front = front.replace("id: vast-slaapritueel", "id: bench-150-woorden", 1)
    (root / REL).write_text(f"{front}\n---\n\n{body_of(WORDS)}\n", "utf-8")


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def start_studio(content: Path, out: Path) -> tuple[subprocess.Popen[str], str]:
    """`veerkracht studio` on a free port; its process and base URL once it listens."""
    env = os.environ | {
        "PYTHONUNBUFFERED": "1",
        "VEERKRACHT_STATE_DIR": str(out.parent / "state"),
        "VEERKRACHT_STUDIO_PASSWORD": "",
        "VEERKRACHT_STUDIO_USER_HEADER": "",
    }
    tool = REPO / ".venv" / "bin" / "veerkracht"
    command = [str(tool), "studio", "--port", "0", "--content", str(content), "--out", str(out)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert process.stdout is not None
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        found = re.search(r"open (http://\S+)/ in", line)
        if found:
            return process, found[1]
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit(f"the studio did not start ({command})")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 20 values is the 19th)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(base: str, keys: int, browser: Any) -> tuple[list[dict[str, float]], int]:
    """Type `keys` characters (two more first, not counted) into the editor; the samples and
    the script's debounce in ms."""
    page = browser.new_page()
    page.goto(f"{base}/bericht/{REL}", timeout=PATIENCE_S * 1000)
    page.locator("#stand", has_text=re.compile(r"Geen meldingen|fout")).wait_for(
        timeout=PATIENCE_S * 1000
    )
    page.locator("#nieuwsbrief").wait_for(state="visible", timeout=PATIENCE_S * 1000)
    page.wait_for_load_state("networkidle")
    debounce = int(page.get_attribute("#bewerk", "data-debounce-ms") or 0)
    page.evaluate(LISTEN)
    page.focus("#body")
    page.keyboard.press("Control+End")
    text = " rustig samen"
    for n in range(keys + 2):
        page.keyboard.type(text[n % len(text)])
        page.wait_for_function(
            f"() => window.__bench.samples.length > {n} && "
            f"window.__bench.samples[{n}].painted !== null",
            timeout=PATIENCE_S * 1000,
        )
    samples: list[dict[str, float]] = page.evaluate("() => window.__bench.samples")
    page.close()
    return samples[2:], debounce


def report(name: str, samples: list[dict[str, float]], debounce: int, mem: list[str]) -> None:
    total = [s["frames"] - s["input"] for s in samples]
    wait = [s["sent"] - s["input"] for s in samples]
    work = [s["frames"] - s["sent"] for s in samples]
    findings = [s["shown"] - s["sent"] for s in samples]
    painted = [s["painted"] - s["sent"] for s in samples]
    print(f"\n{name}: {len(samples)} keystroke updates (debounce in studio.js: {debounce} ms)")
    print(f"  {'':38} {'median':>8} {'p95':>8}")
    rows = [
        ("keystroke to update (with debounce)", total),
        ("debounce (keystroke to request)", wait),
        ("server and render (request to update)", work),
        ("  of which: findings on the page", findings),
        ("request to the next animation frame", painted),
    ]
    for label, values in rows:
        print(f"  {label:38} {statistics.median(values):7.0f}ms {percentile(values, 0.95):7.0f}ms")
    median, p95 = statistics.median(work), percentile(work, 0.95)
    print(
        f"  server and render vs target {TARGET_MS:.0f} ms: median {median / TARGET_MS:.2f}x, "
        f"p95 {p95 / TARGET_MS:.2f}x ({'within' if p95 < TARGET_MS else 'over'} target at p95)"
    )
    for line in mem:
        print(f"  {line}")


def run(name: str, generated: int, keys: int, browser: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="veerkracht-bench-studio-") as tmp:
        content = Path(tmp) / "content"
        library(content, generated)
        count = len(list((content / "messages").rglob("*.md")))
        process, base = start_studio(content, Path(tmp) / "out")
        try:
            started = time.monotonic()
            overview = httpx.get(f"{base}/", timeout=PATIENCE_S)
            overview.raise_for_status()
            first = time.monotonic() - started
            after_overview = memory(process.pid)
            samples, debounce = measure(base, keys, browser)
            after_typing = memory(process.pid)
        finally:
            process.terminate()
            process.wait(30)
    rss, peak = after_typing["VmRSS"] / 1024, after_typing["VmHWM"] / 1024
    mem = [
        f"memory after the overview ({count} messages checked, first overview {first:.1f} s): "
        + f"RSS {after_overview['VmRSS'] / 1024:.0f} MiB",
        f"memory after typing: RSS {rss:.0f} MiB, peak (VmHWM) {peak:.0f} MiB",
    ]
    report(f"{name} ({count} messages)", samples, debounce, mem)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=20, help="keystroke updates measured")
    parser.add_argument("--messages", type=int, default=2000, help="generated messages added")
    parser.add_argument("--skip-large", action="store_true", help="the bundled library only")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"no Chromium at {CHROMIUM}", file=sys.stderr)
        return 2
    print(f"Veerkracht Studio: a {WORDS}-word message, {args.keys} keystrokes per library")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            run("bundled library", 0, args.keys, browser)
            if not args.skip_large:
                run(
                    f"bundled library + {args.messages} generated",
                    args.messages,
                    args.keys,
                    browser,
                )
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
