"""Read `content/sources.yaml`: the feeds to ingest, each a `flows.core.models.Source`."""

from __future__ import annotations

from pathlib import Path

from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import _
from flows.core.models import Source
from flows.core.urls import url_problem
from flows.library.loader import LoadLog, load_yaml_models

SOURCES_FILE = "sources.yaml"


def load_sources(content_dir: Path) -> tuple[list[Source], str, list[Finding]]:
    """(sources, the file's path for findings, problems); a missing file means no sources."""
    library = LoadLog(content_dir)
    path = content_dir / SOURCES_FILE
    rel = library.rel(path)
    if not path.exists():
        return (
            [],
            rel,
            [
                finding(
                    rel,
                    0,
                    "I500",
                    Severity.INFO,
                    _("there is no sources.yaml, so there is nothing to ingest"),
                )
            ],
        )
    sources = load_yaml_models(path, Source, library, "sources")
    problems = list(library.findings)
    unique: list[Source] = []
    names: set[str] = set()
    for source in sources:
        if source.name in names:
            problems.append(
                _skipped(
                    rel,
                    source,
                    _("source name '{name}' is used twice; give each source its own name").format(
                        name=source.name
                    ),
                )
            )
            continue
        names.add(source.name)
        problem = url_problem(source.url.strip())
        if problem:
            problems.append(
                _skipped(
                    rel,
                    source,
                    _(
                        "source '{name}': url '{url}' {problem}; "
                        "write the feed's full https:// address"
                    ).format(name=source.name, url=source.url, problem=problem),
                )
            )
            continue
        unique.append(source)
    return unique, rel, problems


def _skipped(rel: str, source: Source, why: str) -> Finding:
    """The I500 error for a source that is not ingested because of `why`."""
    text = _("{why} (this one is skipped)").format(why=why)
    return finding(rel, source.line, "I500", Severity.ERROR, text)
