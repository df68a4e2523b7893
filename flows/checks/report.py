"""The check report for people: a Markdown summary and table (Prefect artifact and file)."""

from __future__ import annotations

from collections.abc import Sequence

from flows.core.findings import Finding, Severity, count, summary
from flows.infra.markdown_table import cell

MAX_ROWS = 500  # a longer table helps nobody; the CLI prints everything


def render_report(findings: Sequence[Finding], files: int) -> str:
    """A Markdown report: the summary line, then one table row per finding, errors first."""
    lines = ["# Content check", "", summary(findings, files), ""]
    if not findings:
        lines.append("No problems found.")
        return "\n".join(lines) + "\n"
    ordered = sorted(findings, key=lambda f: (f.severity is not Severity.ERROR, f))
    lines += ["| file | line | code | severity | what to change |", "|---|---|---|---|---|"]
    for f in ordered[:MAX_ROWS]:
        lines.append(
            f"| {cell(f.path)} | {f.line} | {f.code} | {f.severity.value} | {cell(f.message)} |"
        )
    if len(ordered) > MAX_ROWS:
        lines += ["", f"... and {len(ordered) - MAX_ROWS} more; run `veerkracht check` to see all."]
    errors = count(findings, Severity.ERROR)
    if errors:
        lines += ["", "Messages with an error are held back from publishing until it is fixed."]
    return "\n".join(lines) + "\n"
