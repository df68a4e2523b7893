"""Fixture feeds served over real HTTP on 127.0.0.1, each checked against its own header.

Every file in tests/fixtures/ingest/ says in its header comment what it tests and, in
`expect-*` lines, what must happen: the source's status (`expect-status`), how many drafts
(`expect-drafts`), text that must be in the drafts (`expect-text`) or not (`expect-absent`), text
that must appear nowhere: drafts, report, state database (`expect-nowhere`), and text the report
must contain (`expect-report`). Values are XML-unescaped first.
"""

from __future__ import annotations

import html
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.core.settings import Settings, load_settings
from flows.ingest.report import render_report
from flows.ingest.run import IngestResult, run_ingest
from flows.library.loader import LoadLog, load_message
from tests.ingest_server import FIXTURES, Served, feed_server

TODAY = date(2026, 11, 28)
FEEDS = sorted(p for p in FIXTURES.iterdir() if p.suffix in {".xml", ".rdf", ".html"})
MARKER = "VEERKRACHT-MARKER-7f3a"


def expectations(path: Path) -> dict[str, list[str]]:
    """The `expect-<what>: value` lines of a fixture's header comment, XML-unescaped."""
    head = path.read_bytes().decode("utf-8", errors="replace")
    comment = head[head.index("<!--") : head.index("-->")]
    out: dict[str, list[str]] = {}
    for key, value in re.findall(r"^(expect-[a-z]+):\s?(.*)$", comment, re.MULTILINE):
        out.setdefault(key, []).append(html.unescape(value.rstrip()))
    return out


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    """Test settings: loopback allowed, short timeouts, everything under `tmp`."""
    values: dict[str, Any] = {
        "content_dir": tmp / "content",
        "out_dir": tmp / "out",
        "net_allow": ["127.0.0.1"],
        "link_timeout": 3.0,
        "link_connect_timeout": 2.0,
    }
    values.update(overrides)
    return load_settings(**values)


def write_sources(content: Path, urls: dict[str, str], **extra: Any) -> None:
    """A sources.yaml with one source per (name, url)."""
    content.mkdir(parents=True, exist_ok=True)
    sources = [
        {
            "name": name,
            "url": url,
            "theme": "slapen",
            "audiences": ["ouders-jonge-kinderen"],
            "attribution": "Voorbeeldbron",
            "licence": "CC BY 4.0",
            **extra,
        }
        for name, url in urls.items()
    ]
    (content / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), "utf-8")


def everything_written(settings: Settings, result: IngestResult) -> str:
    """Drafts, the report and every row of the state database, as one text."""
    parts = [
        p.read_text("utf-8")
        for p in sorted((settings.content_dir / "inbox").rglob("*"))
        if p.is_file()
    ]
    parts.append(render_report(result))
    db = Path(settings.resolved_state_url().removeprefix("sqlite:///"))
    if db.exists():
        with sqlite3.connect(db) as conn:
            parts.extend(conn.iterdump())
    return "\n".join(parts)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Served]]:
    """The fixture server; the SYSTEM-entity fixture points at a file holding MARKER."""
    marker = tmp_path_factory.mktemp("marker") / "secret.txt"
    marker.write_text(MARKER + "\n", "utf-8")
    served = Served(substitutions={b"MARKER_FILE_URL": marker.as_uri().encode()})
    served.path_body = str(marker).encode()
    with feed_server(served) as (base, served):
        yield base, served


@pytest.mark.parametrize("fixture", FEEDS, ids=lambda p: p.name)
def test_fixture_feed(fixture: Path, server: tuple[str, Served], tmp_path: Path) -> None:
    base, _served = server
    expect = expectations(fixture)
    assert "expect-status" in expect, f"{fixture.name} has no expect-status line in its header"
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"bron": f"{base}/feeds/{fixture.name}"})

    started = time.perf_counter()
    result = run_ingest(settings, today=TODAY)
    assert time.perf_counter() - started < 5, "a single small feed must not take seconds"

    (source,) = result.sources
    assert source.status == expect["expect-status"][0], source.error
    assert len(source.drafts) == int(expect.get("expect-drafts", ["0"])[0])
    drafts = "\n".join(d.path.read_text("utf-8") for d in source.drafts)
    for text in expect.get("expect-text", []):
        assert text in drafts, f"{text!r} missing from the drafts"
    for text in expect.get("expect-absent", []):
        assert text not in drafts, f"{text!r} must not appear in a draft"
    written = everything_written(settings, result) + drafts
    for text in [*expect.get("expect-nowhere", []), MARKER]:
        assert text not in written, f"{text!r} must not appear in any output"
    report = render_report(result)
    for text in expect.get("expect-report", []):
        assert text in report, f"{text!r} missing from the report"
    library = LoadLog(settings.content_dir)
    for draft in source.drafts:
        message = load_message(draft.path, library)
        assert message is not None, [f.format() for f in library.findings]
        assert message.status == "concept"
        assert message.id == draft.message_id
        assert len(message.screen.headline) <= 60 and len(message.screen.text) <= 180
        assert b"\x00" not in draft.path.read_bytes()
    assert library.findings == []


def test_every_fixture_says_what_it_tests() -> None:
    for fixture in FEEDS:
        head = fixture.read_bytes()[:2000].decode("latin-1")
        assert "Tests:" in head and "Expected:" in head, fixture.name


def test_bundled_sources_yaml_loads_cleanly() -> None:
    from flows.ingest.sources import load_sources
    from tests.conftest import CONTENT

    sources, rel, problems = load_sources(CONTENT)
    assert problems == [] and rel.endswith("content/sources.yaml")
    assert sources and len({s.name for s in sources}) == len(sources)
    assert all(s.url.startswith("https://") for s in sources)


def test_duplicate_and_invalid_sources_are_reported(tmp_path: Path) -> None:
    from flows.ingest.sources import load_sources

    content = tmp_path / "content"
    write_sources(content, {"een": "https://example.org/a", "Fout Naam": "https://example.org/b"})
    text = (content / "sources.yaml").read_text("utf-8")
    (content / "sources.yaml").write_text(text + text.split("sources:\n", 1)[1], "utf-8")
    sources, _rel, problems = load_sources(content)
    assert [s.name for s in sources] == ["een"]
    codes = sorted(f.code for f in problems)
    assert "I500" in codes and any(c.startswith("S1") for c in codes)
