"""Feed ingest benchmark: 50 sources of 200 entries each from local servers with 100 ms latency.

Prints the time of a first run (everything new) and of a second run (every feed answers 304;
target: under a tenth of the first), and the entries per second of the whole ingest against
feedparser parsing the same bytes alone (target: within 1.5x).

Each source is served from its own loopback address (127.0.0.2, 127.0.0.3, ...), as sources
are on different hosts in real life, so the default per-host limit applies as it would there.
Run: .venv/bin/python bench/ingest.py
"""

from __future__ import annotations

import hashlib
import io
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import feedparser
import yaml

from flows.core.settings import load_settings
from flows.ingest.run import run_ingest

SOURCES = 50
ENTRIES = 200
LATENCY = 0.100


def feed(source: int) -> bytes:
    """An RSS 2.0 feed of ENTRIES entries with a little HTML in each description."""
    items = "".join(
        f"<item><title>Bericht {i} van bron {source} over slapen en rust</title>"
        f"<link>https://example.org/{source}/{i}</link><guid>src{source}-{i}</guid>"
        f"<pubDate>Mon, 02 Nov 2026 10:{i % 60:02d}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Een &lt;b&gt;korte&lt;/b&gt; tekst over rust en ritme, "
        f'met een &lt;a href="https://example.org/{source}/{i}"&gt;link&lt;/a&gt;.&lt;/p&gt;'
        f"</description></item>"
        for i in range(ENTRIES)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bron {source}'
        f"</title><link>https://example.org/</link><description>d</description>{items}"
        "</channel></rss>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        time.sleep(LATENCY)
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


def main() -> None:
    """Run the benchmark and print figures against the targets."""
    bodies = [feed(i) for i in range(SOURCES)]
    servers = []
    for i, body in enumerate(bodies):
        handler = type(f"H{i}", (Handler,), {"body": body})
        server = ThreadingHTTPServer((f"127.0.0.{i + 2}", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
    try:
        with tempfile.TemporaryDirectory(prefix="veerkracht-bench-ingest-") as tmp:
            root = Path(tmp)
            sources = [
                {
                    "name": f"bron-{i}",
                    "url": f"http://127.0.0.{i + 2}:{s.server_address[1]}/feed",
                    "theme": "slapen",
                    "audiences": ["ouders-jonge-kinderen"],
                    "attribution": "Bench",
                    "licence": "CC BY 4.0",
                }
                for i, s in enumerate(servers)
            ]
            (root / "content").mkdir()
            (root / "content" / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}))
            settings = load_settings(
                content_dir=root / "content", out_dir=root / "out", net_allow=["127.0.0.0/8"]
            )
            started = time.perf_counter()
            first = run_ingest(settings)
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            second = run_ingest(settings)
            second_s = time.perf_counter() - started
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

    started = time.perf_counter()
    parsed = sum(len(feedparser.parse(io.BytesIO(b)).entries) for b in bodies)
    parse_s = time.perf_counter() - started

    entries = sum(r.entries for r in first.sources)
    statuses = {r.status for r in second.sources}
    assert entries == parsed == SOURCES * ENTRIES, (entries, parsed)
    assert statuses == {"not-modified"}, statuses
    ingest_eps, parse_eps = entries / first_s, parsed / parse_s
    print(f"sources: {SOURCES} x {ENTRIES} entries, {LATENCY * 1000:.0f} ms latency each")
    print(f"first run:  {first_s:6.2f} s  ({first.new_drafts} drafts written)")
    print(
        f"second run: {second_s:6.2f} s  (all 304)  ratio {second_s / first_s:.3f} "
        f"(target < 0.1: {'ok' if second_s < first_s / 10 else 'MISSED'})"
    )
    print(f"ingest:     {ingest_eps:8.0f} entries/s (fetch, parse, dedupe, drafts, state)")
    print(f"feedparser: {parse_eps:8.0f} entries/s (parsing the same bytes alone)")
    ratio = parse_eps / ingest_eps
    print(
        f"feedparser is {ratio:.2f}x faster (target <= 1.5: {'ok' if ratio <= 1.5 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
