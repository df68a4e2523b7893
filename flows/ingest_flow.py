"""Prefect flow `ingest-feeds`: new feed entries become drafts in content/inbox/, hourly.

One task does all fetching (the side effect): sources are fetched concurrently inside it, so
task runs do not grow with the number of sources. A failing feed is a result in the report, not
a task failure; the next hourly run is its retry. The task is retried only when the state
database itself fails for a moment ("database is locked").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.core.i18n import _
from flows.core.settings import load_settings, run_folders
from flows.infra.retries import retry_when
from flows.ingest.report import render_report, summary_line, write_ingest_report
from flows.ingest.run import IngestResult, is_transient_state_error, run_ingest

# Retry only a transient state-database error; everything else waits for the next run.
retry_state_errors = retry_when(is_transient_state_error)


@task(
    name="fetch-all-feeds",
    retries=2,
    retry_delay_seconds=[20, 120],
    retry_condition_fn=retry_state_errors,
    cache_policy=NO_CACHE,
    persist_result=False,
)
def fetch_all_feeds(content_dir: str, out_dir: str) -> IngestResult:
    """Fetch every enabled source and write drafts for new entries (clients built inside)."""
    settings = load_settings(content_dir=Path(content_dir), out_dir=Path(out_dir))
    return run_ingest(settings)


@flow(name="ingest-feeds")
def ingest_feeds(content_dir: str | None = None, out_dir: str | None = None) -> dict[str, Any]:
    """Ingest all feeds; leaves the `feed-ingest` artifact and out/reports/ingest.md.

    Folders left empty come from the settings (see `run_folders`).
    """
    content_dir, out_dir = run_folders(content_dir, out_dir)
    logger = get_run_logger()
    result = fetch_all_feeds(content_dir, out_dir)
    path, _text = write_ingest_report(result, Path(out_dir))
    line = summary_line(result)
    # In the Prefect UI a relative link goes nowhere: the artifact shows draft paths as text.
    create_markdown_artifact(key="feed-ingest", markdown=render_report(result), description=line)
    attention = [r.source.name for r in result.sources if r.needs_attention]
    if attention:
        logger.warning(
            "%s", _("sources needing attention: {names}").format(names=", ".join(attention))
        )
    logger.info("%s", _("{summary}; report in {path}").format(summary=line, path=path))
    return {
        "sources": len(result.sources),
        "new_drafts": result.new_drafts,
        "failing": [r.source.name for r in result.failing],
        "needs_attention": attention,
        "report": str(path),
    }
