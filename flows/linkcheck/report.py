"""Link-check reports: JSON rows, the table artifact, and `out/reports/links.html`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from flows.core.i18n import _, current_language
from flows.infra.outputs import write_report
from flows.infra.templates import environment
from flows.linkcheck.check import Verdict
from flows.linkcheck.collect import paths_of
from flows.linkcheck.run import LinkReport

_ORDER = {
    v: i
    for i, v in enumerate(
        (Verdict.BROKEN, Verdict.REFUSED, Verdict.REDIRECTED, Verdict.UNVERIFIED, Verdict.OK)
    )
}


def rows(report: LinkReport) -> list[dict[str, Any]]:
    """One dict per URL: url, verdict, status, final_url, redirects, used_in, detail, checked_at."""
    out = []
    for r in report.results:
        out.append(
            {
                "url": r.url,
                "verdict": str(r.verdict),
                "status": r.status,
                "final_url": r.final_url or r.url,
                "redirects": [{"url": h.url, "status": h.status} for h in r.redirects],
                "used_in": paths_of(report.uses.get(r.url, [])),
                "detail": str(r.detail),
                "checked_at": datetime.fromtimestamp(r.checked_at, UTC).isoformat(
                    timespec="seconds"
                ),
                "from_cache": r.from_cache,
            }
        )
    return out


def to_json(report: LinkReport) -> str:
    """The JSON list printed by `veerkracht links --format json`."""
    return json.dumps(rows(report), ensure_ascii=False, indent=2)


def _rows_worst_first(report: LinkReport) -> list[dict[str, str]]:
    """One row per URL for people, worst first: verdict (the value), label, url, status,
    detail, used_in."""
    ordered = sorted(report.results, key=lambda r: (_ORDER[r.verdict], r.url))
    return [
        {
            "verdict": str(r.verdict),
            "label": r.verdict.label,
            "url": r.url,
            "status": "" if r.status is None else str(r.status),
            "detail": str(r.detail),
            "used_in": ", ".join(
                f"{u['path']}:{u['line']}" for u in paths_of(report.uses.get(r.url, []))
            ),
        }
        for r in ordered
    ]


def table(report: LinkReport) -> list[dict[str, str]]:
    """Rows for the Prefect table artifact, worst first, with column names in the current
    language."""
    columns = {
        "label": _("verdict"),
        "url": _("link"),
        "status": _("status"),
        "detail": _("what to do"),
        "used_in": _("used in"),
    }
    return [{name: row[key] for key, name in columns.items()} for row in _rows_worst_first(report)]


@cache
def _env() -> Environment:
    # Now with StrictUndefined like every environment: each row always has all five keys.
    return environment("flows.linkcheck", trim_blocks=True, lstrip_blocks=True)


def to_html(report: LinkReport) -> str:
    """The HTML report (every value escaped: URLs come from content)."""
    counts = {str(v): report.count(v) for v in Verdict}
    return (
        _env()
        .get_template("links.html.j2")
        .render(
            summary=report.summary(),
            offline=report.offline,
            counts=counts,
            rows=_rows_worst_first(report),
            lang=current_language(),
            words=_words(datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        )
    )


def _words(generated: str) -> dict[str, str]:
    """The fixed texts of links.html in the current language."""
    return {
        "title": _("Link check"),
        "offline": _(
            "Offline: no site could be reached, so no link was verified and no message is held "
            "back."
        ),
        "generated": _(
            "Made {when}. Broken links hold their messages back when the link policy in "
            'style.yaml is "hold".'
        ).format(when=generated),
        "verdict": _("Verdict"),
        "link": _("Link"),
        "status": _("Status"),
        "detail": _("What to do"),
        "used_in": _("Used in"),
    }


def write_html(report: LinkReport, out_dir: Path) -> Path:
    """Write `out/reports/links.html` atomically and return its path."""
    return write_report(out_dir, "links.html", to_html(report))
