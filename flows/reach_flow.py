"""Prefect flow `reach-report`: how often short links were followed, as the Markdown artifact
`reach` and out/reports/reach.html (the same report as `veerkracht reach`)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from channels.shared.reach import counts
from flows.core.i18n import _, ngettext
from flows.core.settings import load_settings, run_folders
from flows.infra.outputs import write_report
from flows.infra.state import open_state
from flows.library.loader import load_library
from flows.publishing.reach_report import summarise, to_html, to_markdown


@flow(name="reach-report")
def reach_report(content_dir: str | None = None, out_dir: str | None = None) -> int:
    """Write the reach report and its artifact; returns the number of links followed.

    Folders left empty come from the settings (see `run_folders`).
    """
    content_dir, out_dir = run_folders(content_dir, out_dir)
    settings = load_settings(content_dir=Path(content_dir), out_dir=Path(out_dir))
    rows = counts(open_state(settings.resolved_state_url()))
    items = summarise(rows, load_library(settings.content_dir))
    markdown = to_markdown(items, None, None)
    path = write_report(settings.out_dir, "reach.html", to_html(items, None, None))
    write_report(settings.out_dir, "reach.md", markdown)
    line = ngettext("{n} link followed", "{n} links followed", len(items)).format(n=len(items))
    create_markdown_artifact(key="reach", markdown=markdown, description=line)
    get_run_logger().info("%s", _("{summary}; report in {path}").format(summary=line, path=path))
    return len(items)
