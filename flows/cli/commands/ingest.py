"""`veerkracht ingest`: read the feeds in sources.yaml and put new entries in content/inbox/."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flows.cli.common import EXIT_ERRORS, EXIT_OK, add_common
from flows.core.findings import has_errors
from flows.core.i18n import _
from flows.core.settings import load_settings
from flows.ingest.report import summary_line, write_ingest_report
from flows.ingest.run import run_ingest


def register(sub: Any) -> None:
    """Add the `ingest` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "ingest",
        help=_("read the feeds in sources.yaml; new entries become drafts in content/inbox/"),
        description=_(
            "Fetch every enabled feed in content/sources.yaml and write each new entry "
            "as a draft message under content/inbox/<source>/ for review. Exit 1 when a source "
            "needs attention (gone, or failing several runs in a row)."
        ),
    )
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Ingest, print findings and a summary, write out/reports/ingest.md."""
    settings = load_settings(content_dir=args.content, out_dir=args.out)
    result = run_ingest(settings)
    path, _text = write_ingest_report(result, settings.out_dir)
    findings = result.all_findings
    for f in findings:
        print(f.format())
    for source in result.sources:
        for draft in source.drafts:
            print(_("new draft: {path}").format(path=draft.path))
    print(_("{summary}; report: {path}").format(summary=summary_line(result), path=path))
    sys.stdout.flush()
    return EXIT_ERRORS if has_errors(findings) else EXIT_OK
