"""Prefect flow `check-links`: check every web link, publish a table artifact and an HTML report."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.core.i18n import _
from flows.core.settings import load_settings, run_folders
from flows.library.loader import load_library
from flows.linkcheck.report import table, write_html
from flows.linkcheck.run import LinkReport, run_link_check


@task(name="check-all-links", retries=1, retry_delay_seconds=60)
def check_all_links(content_dir: str, out_dir: str, use_cache: bool = True) -> LinkReport:
    """The one side effect of this flow: every request goes out from here (and the cache write).

    A retry re-runs the whole check; fresh cached verdicts make the second attempt cheap.
    """
    settings = load_settings(content_dir=Path(content_dir), out_dir=Path(out_dir))
    library = load_library(settings.content_dir)
    return run_link_check(library, settings, use_cache=use_cache)


@flow(name="check-links", log_prints=False)
def check_links(
    content_dir: str | None = None, out_dir: str | None = None, use_cache: bool = True
) -> dict[str, int]:
    """Check the links of the library; returns the number of URLs per verdict.

    Folders left empty come from the settings (see `run_folders`).
    """
    content_dir, out_dir = run_folders(content_dir, out_dir)
    logger = get_run_logger()
    report = check_all_links(content_dir, out_dir, use_cache)
    path = write_html(report, Path(out_dir))
    create_table_artifact(key="link-check", table=table(report), description=report.summary())
    findings = "\n".join(f"- `{f.format()}`" for f in sorted(report.findings)[:200])
    create_markdown_artifact(
        key="link-check-summary",
        markdown="\n\n".join(
            (
                "# " + _("Link check"),
                report.summary(),
                _("Report: {path}").format(path=f"`{path}`"),
                findings + "\n",
            )
        ),
        description=_("Links that need attention"),
    )
    logger.info("%s", _("{summary}; report in {path}").format(summary=report.summary(), path=path))
    counts = {r.verdict.value: 0 for r in report.results}
    for r in report.results:
        counts[r.verdict.value] += 1
    return counts
