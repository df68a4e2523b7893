"""Benchmark: `veerkracht links` against established link checkers on the same workload.

Starts 8 HTTP servers on 127.0.0.1 (8 "hosts" = 8 ports, 100 ms latency per request), writes
400 Markdown message files that use 1,000 unique URLs of known behaviour (ok, 404, 410, 301,
302, HEAD refused, 503-then-200, 429 with Retry-After, always-503), then runs in turn:

  - `veerkracht links --no-cache` (defaults: 32 requests in flight, 4 per host);
  - linkinator (npm), with its defaults (--concurrency 100), with --concurrency 32 (our global
    limit) and with --concurrency 4 (it has no per-host limit; measured, even 4 does not keep it
    to 4 requests at once per host, since each file is crawled on its own);
  - markdown-link-check (npm);
  - LinkChecker (PyPI), with its defaults and its Markdown plugin switched on.

The peers are installed into a temporary folder for this run only (set BENCH_PEERS_DIR=/some/dir
to install there once and reuse it). For each tool it prints wall time, requests the servers
received, correct verdicts, the most requests one host had at once, and the ratio to veerkracht.
Targets: at least 3x faster than the fastest peer, every verdict right, each URL requested once
plus the retries its behaviour needs, per-host limit 4 held.

It also prints the floor: the least time ANY checker needs for this workload while it holds 4
requests per host (requests needed / (hosts x 4) x latency), and so the largest speed-up over
the fastest peer that a checker holding the limit can reach.

A second corpus, "timeouts" (`--corpus timeouts`), is a run at the limit: 500 unique URLs on 8
hosts, 100 ms per answer, 5 of them never answer, a 5 s timeout. It prints veerkracht's wall
time, its floor (one timeout plus the polite work: each host's requests over its 4 slots, 100 ms
each) and the ratio (target within 1.5x), and linkinator with its retries on (--retry,
--retry-errors) on the same corpus and the speed-up over it (target at least 3x).

Run: .venv/bin/python bench/links.py [--corpus mixed|timeouts|all]
     (all: about six minutes; needs node + npm for the peers)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fixtures.links.httpserver import ServerThread

HOSTS = 8
LATENCY = 0.1
FILES = 400
PER_HOST_LIMIT = 4
TIMEOUT = 600
# LinkChecker reads Markdown only through its plugin; links outside the files are checked.
LINKCHECKER_CONFIG = """[filtering]
checkextern=1
[MarkdownCheck]
filename_re=.*\\.md$
"""

# kind -> (how many URLs, veerkracht verdict, requests it needs, path template)
MIX: dict[str, tuple[int, str, int, str]] = {
    "ok": (620, "ok", 1, "/ok/u{i}"),
    "notfound": (100, "broken", 1, "/notfound/u{i}"),
    "gone": (50, "broken", 1, "/gone/u{i}"),
    "moved": (80, "redirected", 2, "/moved/1/u{i}"),  # 301, then the new page
    "found": (30, "ok", 2, "/found/u{i}"),  # 302 (temporary), then the page
    "nohead": (50, "ok", 2, "/nohead/u{i}"),  # HEAD 405, then GET
    "flaky": (40, "ok", 2, "/flaky/u{i}"),  # 503, retry, 200
    "ratelimit": (20, "ok", 2, "/ratelimit/u{i}"),  # 429 Retry-After: 1, then 200
    "down": (10, "unverified", 3, "/down/u{i}"),  # 503 every time: 1 + 2 retries
}


@dataclass
class Url:
    url: str
    port: int
    path: str
    kind: str
    verdict: str
    requests: int


@dataclass
class Outcome:
    tool: str
    wall: float
    requests: int
    correct: int
    max_per_host: int
    extra: int  # requests beyond what each URL's behaviour needs
    note: str = ""


def make_urls(ports: list[int]) -> list[Url]:
    """1,000 unique URLs spread over the hosts, in a fixed shuffled order."""
    urls: list[Url] = []
    i = 0
    for kind, (count, verdict, requests, template) in MIX.items():
        for _ in range(count):
            port = ports[i % len(ports)]
            path = template.format(i=i)
            urls.append(Url(f"http://127.0.0.1:{port}{path}", port, path, kind, verdict, requests))
            i += 1
    random.Random(4).shuffle(urls)
    return urls


def write_content(root: Path, urls: list[Url]) -> None:
    """400 message files; each URL used at least once, a third of them twice."""
    rng = random.Random(7)
    per_file: list[list[str]] = [[] for _ in range(FILES)]
    for n, u in enumerate(urls):
        per_file[n % FILES].append(u.url)
    for n, u in enumerate(urls[: len(urls) // 3]):
        per_file[(n * 7 + 3) % FILES].append(u.url)
    for n, links in enumerate(per_file):
        rng.shuffle(links)
        body = "\n".join(
            f"- Lees [meer informatie nummer {k}]({link})." for k, link in enumerate(links)
        )
        text = (
            f"---\nid: bericht-{n}\nlang: nl\ntitle: Bericht {n}\ntheme: slapen\n"
            "audiences: [ouders-jonge-kinderen]\nscreen:\n  headline: Rustig slapen\n"
            "  text: Een vast ritueel helpt.\nvalid_from: 2026-01-01\nstatus: gepubliceerd\n"
            "reviewed_by: Redactie\nreviewed_on: 2026-01-01\n---\n"
            f"Een vast ritueel helpt je kind slapen.\n\n{body}\n"
        )
        path = root / "messages" / "slapen" / f"bericht-{n}.nl.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def count_requests(st: ServerThread, urls: list[Url]) -> tuple[int, int, int]:
    """(requests received, extra requests beyond the needed ones, max in flight on one host)."""
    by_port = {s.port: s.stats for s in st.servers}
    total = sum(s.stats.total for s in st.servers)
    needed = sum(u.requests for u in urls)
    extra = 0
    for u in urls:
        seen = by_port[u.port].requests[u.path]
        if u.kind in ("moved", "found"):
            seen += by_port[u.port].requests["/ok/" + u.path.rsplit("/", 1)[-1]]
        extra += max(0, seen - u.requests)
    del needed
    return total, extra, max(s.stats.max_in_flight for s in st.servers)


def run_tool(name: str, cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str, str]:
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        out, err = proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = f"timed out after {TIMEOUT} s"
    return time.monotonic() - started, out, err


def veerkracht_verdicts(out: str) -> dict[str, str]:
    return {row["url"]: row["verdict"] for row in json.loads(out)}


def linkinator_verdicts(out: str) -> dict[str, str]:
    start = out.find("{")
    data, _ = json.JSONDecoder().raw_decode(out[start:])
    return {link["url"]: "broken" if link["state"] == "BROKEN" else "ok" for link in data["links"]}


_MLC = re.compile(r"\[(✓|✖|/)\] (\S+)")


def mlc_verdicts(out: str) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    for mark, url in _MLC.findall(out):
        verdicts.setdefault(url, {"✓": "ok", "✖": "broken"}.get(mark, "skipped"))
    return verdicts


def score(verdicts: dict[str, str], urls: list[Url], exact: bool) -> int:
    """Correct verdicts. Peers only say alive or dead: alive is right for ok and redirected,
    dead for broken; a 503 page (unverified) reported dead is a false alarm, so wrong."""
    correct = 0
    for u in urls:
        got = verdicts.get(u.url)
        if got is None:
            continue
        if exact:
            correct += got == u.verdict
        else:
            correct += (got == "broken") == (u.verdict == "broken") and u.verdict != "unverified"
    return correct


def linkchecker_verdicts(out: str) -> dict[str, str]:
    """LinkChecker's CSV: one row per use; a URL is broken when any use is invalid."""
    rows = csv.DictReader(
        (line for line in out.splitlines() if not line.startswith("#")), delimiter=";"
    )
    verdicts: dict[str, str] = {}
    for row in rows:
        url = row.get("urlname") or ""
        if url.startswith("http"):
            dead = row.get("valid") != "True"
            verdicts[url] = "broken" if dead or verdicts.get(url) == "broken" else "ok"
    if not verdicts:
        raise ValueError("no CSV rows")
    return verdicts


def install_linkchecker(folder: Path) -> Path | None:
    """LinkChecker from PyPI into its own virtual environment under `folder`."""
    tool = folder / "linkchecker-venv" / "bin" / "linkchecker"
    if tool.exists():
        return tool
    print(f"installing LinkChecker into {tool.parent.parent} ...", flush=True)
    venv = subprocess.run(
        [sys.executable, "-m", "venv", str(tool.parent.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    pip = tool.parent / "pip"
    proc = (
        venv
        if venv.returncode
        else subprocess.run(
            [str(pip), "install", "--quiet", "linkchecker"],
            capture_output=True,
            text=True,
            check=False,
        )
    )
    if proc.returncode != 0 or not tool.exists():
        print("LinkChecker install failed; skipped:\n" + proc.stderr[-2000:])
        return None
    return tool


def install_peers() -> Path:
    reuse = os.environ.get("BENCH_PEERS_DIR")
    if reuse and (Path(reuse) / "node_modules" / ".bin" / "linkinator").exists():
        return Path(reuse)
    if shutil.which("npm") is None:
        print("npm not found: npm peers skipped")
        return Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="veerkracht-bench-peers-"))
    folder = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="veerkracht-bench-peers-"))
    print(f"installing linkinator and markdown-link-check into {folder} ...", flush=True)
    proc = subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(folder),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "linkinator",
            "markdown-link-check",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print("npm install failed; npm peers skipped:\n" + proc.stderr[-2000:])
    return folder


def readable_by_all(root: Path) -> None:
    """LinkChecker run as root drops to user `nobody`, who must be able to read the content."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("mixed", "timeouts", "all"), default="all")
    corpus = parser.parse_args().corpus
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # lines as they come
    peers = install_peers()
    if corpus in ("timeouts", "all"):
        timeouts_corpus(peers)
    if corpus in ("mixed", "all"):
        mixed_corpus(peers)
    if not os.environ.get("BENCH_PEERS_DIR"):
        shutil.rmtree(peers, ignore_errors=True)  # installed for this run only
    return 0


def mixed_corpus(peers: Path) -> None:
    """The first corpus: 1,000 URLs of every behaviour, against every peer."""
    work = Path(tempfile.mkdtemp(prefix="veerkracht-bench-links-"))
    content = work / "content"
    work.chmod(0o755)
    outcomes: list[Outcome] = []
    with ServerThread(HOSTS, LATENCY) as st:
        urls = make_urls([s.port for s in st.servers])
        write_content(content, urls)
        print(
            f"workload: {FILES} files, {len(urls)} unique URLs on {HOSTS} hosts, "
            f"{LATENCY * 1000:.0f} ms per request; {sum(u.requests for u in urls)} requests "
            "needed at minimum (hops and retries included)",
            flush=True,
        )
        env = {**os.environ, "VEERKRACHT_NET_ALLOW": '["127.0.0.1"]', "NO_COLOR": "1"}
        tools: list[tuple[str, list[str], Path, object, bool]] = [
            (
                "veerkracht links",
                [
                    str(REPO / ".venv" / "bin" / "veerkracht"),
                    "links",
                    str(content),
                    "--format",
                    "json",
                    "--no-cache",
                    "--out",
                    str(work / "out"),
                ],
                work,
                veerkracht_verdicts,
                True,
            ),
        ]
        bin_dir = peers / "node_modules" / ".bin"
        if (bin_dir / "linkinator").exists():
            md_glob = "messages/slapen/*.md"
            linkinator = [
                str(bin_dir / "linkinator"),
                md_glob,
                "--markdown",
                "--format",
                "json",
                "--retry",
            ]
            tools += [
                (
                    "linkinator (defaults, --concurrency 100)",
                    linkinator,
                    content,
                    linkinator_verdicts,
                    False,
                ),
                (
                    "linkinator (--concurrency 32)",
                    [*linkinator, "--concurrency", "32"],
                    content,
                    linkinator_verdicts,
                    False,
                ),
                (
                    "linkinator (--concurrency 4)",
                    [*linkinator, "--concurrency", "4"],
                    content,
                    linkinator_verdicts,
                    False,
                ),
                (
                    "markdown-link-check",
                    [str(bin_dir / "markdown-link-check"), "-r", "messages"],
                    content,
                    mlc_verdicts,
                    False,
                ),
            ]
        linkchecker = install_linkchecker(peers)
        if linkchecker is not None:
            config = work / "linkcheckerrc"
            config.write_text(LINKCHECKER_CONFIG)
            readable_by_all(work)
            tools.append(
                (
                    "LinkChecker (defaults, Markdown plugin)",
                    [
                        str(linkchecker),
                        "-f",
                        str(config),
                        "--no-status",
                        "--verbose",
                        "-o",
                        "csv",
                        "messages/slapen/",
                    ],
                    content,
                    linkchecker_verdicts,
                    False,
                )
            )
        for name, cmd, cwd, parse, exact in tools:
            st.reset()
            wall, out, err = run_tool(name, cmd, cwd, env)
            try:
                verdicts = parse(out)  # type: ignore[operator]
                note = ""
            except (ValueError, KeyError) as exc:
                verdicts, note = {}, f"output not readable ({exc}); {err[-300:]}"
            total, extra, max_host = count_requests(st, urls)
            outcomes.append(
                Outcome(
                    name,
                    wall,
                    total,
                    score(verdicts, urls, exact),
                    max_host,
                    extra,
                    note or (err if "timed out" in err else ""),
                )
            )
            print(f"  ran {name}: {wall:.1f} s", flush=True)
    report(outcomes, len(urls), sum(u.requests for u in urls))
    shutil.rmtree(work, ignore_errors=True)


T_URLS = 500
T_HANGING = 5
T_TIMEOUT = 5.0


def timeouts_urls(ports: list[int]) -> list[Url]:
    """500 unique URLs over the hosts, 5 of which never answer, in a fixed shuffled order."""
    urls = []
    hanging = {7 + 101 * k for k in range(T_HANGING)}  # on 5 different hosts
    for i in range(T_URLS):
        port = ports[i % len(ports)]
        kind = "hang" if i in hanging else "ok"
        path = f"/{kind}/t{i}"
        verdict = "unverified" if kind == "hang" else "ok"
        urls.append(Url(f"http://127.0.0.1:{port}{path}", port, path, kind, verdict, 1))
    random.Random(11).shuffle(urls)
    return urls


def timeouts_floor(urls: list[Url]) -> float:
    """One timeout plus the polite work: the busiest host's answered requests over its slots."""
    per_port: dict[int, int] = {}
    for u in urls:
        if u.kind != "hang":
            per_port[u.port] = per_port.get(u.port, 0) + 1
    rounds = max(-(-n // PER_HOST_LIMIT) for n in per_port.values())
    return T_TIMEOUT + rounds * LATENCY


def in_process_run(content: Path, state: Path, env: dict[str, str]) -> float:
    """The link check's own elapsed time (collect, check, store), as the command runs it."""
    from flows.core.settings import load_settings
    from flows.library.loader import load_library
    from flows.linkcheck.run import run_link_check

    settings = load_settings(
        net_allow=["127.0.0.1"],
        link_timeout=float(env["VEERKRACHT_LINK_TIMEOUT"]),
        link_connect_timeout=float(env["VEERKRACHT_LINK_CONNECT_TIMEOUT"]),
        state_dir=state,
    )
    return run_link_check(load_library(content), settings, use_cache=False).elapsed


def timeouts_corpus(peers: Path) -> None:
    """veerkracht against its floor and linkinator (retries on) when URLs hang."""
    work = Path(tempfile.mkdtemp(prefix="veerkracht-bench-timeouts-"))
    content = work / "content"
    with ServerThread(HOSTS, LATENCY) as st:
        urls = timeouts_urls([s.port for s in st.servers])
        write_content(content, urls)
        floor = timeouts_floor(urls)
        print(
            f"\ncorpus 'timeouts': {len(urls)} unique URLs on {HOSTS} hosts, "
            f"{LATENCY * 1000:.0f} ms per answer, {T_HANGING} never answer, "
            f"timeout {T_TIMEOUT:.0f} s",
            flush=True,
        )
        env = {
            **os.environ,
            "VEERKRACHT_NET_ALLOW": '["127.0.0.1"]',
            "VEERKRACHT_LINK_TIMEOUT": str(T_TIMEOUT),
            "VEERKRACHT_LINK_CONNECT_TIMEOUT": str(T_TIMEOUT),
            "NO_COLOR": "1",
        }
        veerkracht = [
            str(REPO / ".venv" / "bin" / "veerkracht"),
            "links",
            str(content),
            "--format",
            "json",
            "--no-cache",
            "--out",
            str(work / "out"),
        ]
        st.reset()
        wall, out, err = run_tool("veerkracht links", veerkracht, work, env)
        try:
            correct = score(veerkracht_verdicts(out), urls, True)
        except (ValueError, KeyError):
            correct = 0
            print(f"  veerkracht output not readable: {err[-300:]}")
        total, _, max_host = count_requests(st, urls)
        hang_requests = sum(
            s.stats.requests[u.path] for u in urls if u.kind == "hang" for s in st.servers
        )
        print(
            f"  veerkracht links (the command): {wall:.2f} s, {total} requests "
            f"({hang_requests} to the {T_HANGING} hanging URLs), {correct}/{len(urls)} "
            f"verdicts right, max {max_host} per host (a hanging request the client gave up "
            "on still counts as in flight at the server)"
        )
        st.reset()
        run = in_process_run(content, work / "state-in-process", env)
        ratio = run / floor
        print(
            f"  floor: one timeout {T_TIMEOUT:.0f} s + polite work "
            f"{floor - T_TIMEOUT:.2f} s = {floor:.2f} s; the run itself (in process, "
            f"without Python's start-up): {run:.2f} s = {ratio:.2f}x the floor "
            f"(target <= 1.5x): {'MET' if ratio <= 1.5 else 'NOT MET'}; the command "
            f"{wall / floor:.2f}x"
        )
        tool = peers / "node_modules" / ".bin" / "linkinator"
        if not tool.exists():
            print("  linkinator not installed: comparison skipped")
        else:
            linkinator = [
                str(tool),
                "messages/slapen/*.md",
                "--markdown",
                "--format",
                "json",
                "--retry",
                "--retry-errors",
                "--timeout",
                str(int(T_TIMEOUT * 1000)),
            ]
            st.reset()
            peer_wall, peer_out, peer_err = run_tool("linkinator", linkinator, content, env)
            try:
                peer_correct = score(linkinator_verdicts(peer_out), urls, False)
                note = ""
            except (ValueError, KeyError) as exc:
                peer_correct, note = 0, f" (output not readable: {exc}; {peer_err[-300:]})"
            peer_total, _, peer_host = count_requests(st, urls)
            speedup = peer_wall / wall
            print(
                f"  linkinator --retry --retry-errors --timeout {int(T_TIMEOUT * 1000)}: "
                f"{peer_wall:.2f} s, {peer_total} requests, {peer_correct}/{len(urls)} "
                f"alive/dead right, max {peer_host} per host{note}"
            )
            print(
                f"  speed-up vs linkinator: {speedup:.2f}x (target >= 3x): "
                f"{'MET' if speedup >= 3 else 'NOT MET'}"
            )
    shutil.rmtree(work, ignore_errors=True)


def report(outcomes: list[Outcome], n: int, needed: int) -> None:
    ours = outcomes[0]
    print()
    print(
        f"{'tool':40} {'wall s':>7} {'requests':>9} {'extra':>6} {'correct':>9} "
        f"{'max/host':>9} {'vs ours':>8}"
    )
    for o in outcomes:
        ratio = o.wall / ours.wall if ours.wall else 0.0
        print(
            f"{o.tool:40} {o.wall:7.2f} {o.requests:9d} {o.extra:6d} {o.correct:5d}/{n} "
            f"{o.max_per_host:9d} {ratio:7.2f}x"
        )
        if o.note:
            print(f"    note: {o.note}")
    # A checker that sends GET alone needs no HEAD for the pages that refuse it.
    needed -= MIX["nohead"][0]
    floor = needed / (HOSTS * PER_HOST_LIMIT) * LATENCY
    print(
        f"\nfloor for any checker holding {PER_HOST_LIMIT} per host: {needed} requests / "
        f"({HOSTS} hosts x {PER_HOST_LIMIT}) x {LATENCY * 1000:.0f} ms = {floor:.2f} s "
        f"(veerkracht: {ours.wall:.2f} s, {ours.wall / floor:.2f}x the floor)"
    )
    peers = [o for o in outcomes[1:] if o.correct]
    if peers:
        fastest = min(peers, key=lambda o: o.wall)
        speedup = fastest.wall / ours.wall
        print(
            f"speed-up vs fastest peer ({fastest.tool}): {speedup:.2f}x (target >= 3x): "
            f"{'MET' if speedup >= 3 else 'NOT MET'}; holding the limit, at most "
            f"{fastest.wall / floor:.2f}x is possible against it"
        )
        polite = [o for o in peers if o.max_per_host <= PER_HOST_LIMIT]
        if polite:
            best = min(polite, key=lambda o: o.wall)
            ratio = best.wall / ours.wall
            print(
                f"speed-up vs fastest peer that also held {PER_HOST_LIMIT} per host "
                f"({best.tool}): {ratio:.2f}x (target >= 3x): "
                f"{'MET' if ratio >= 3 else 'NOT MET'}"
            )
    print(f"every verdict right: {'MET' if ours.correct == n else 'NOT MET'} ({ours.correct}/{n})")
    print(
        f"each URL once plus needed retries: {'MET' if ours.extra == 0 else 'NOT MET'} "
        f"({ours.extra} extra)"
    )
    print(
        f"per-host limit {PER_HOST_LIMIT} held: "
        f"{'MET' if ours.max_per_host <= PER_HOST_LIMIT else 'NOT MET'} "
        f"(max {ours.max_per_host})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
