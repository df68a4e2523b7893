"""The CommandKit the command line lends channels for their own subcommands."""

from __future__ import annotations

import argparse
from datetime import date

from channels.base import PreparedDay
from flows.checks import held_by_checks
from flows.cli import common
from flows.core.clock import today
from flows.core.settings import Settings
from flows.library.loader import load_library
from flows.publishing.checking import check_all
from flows.publishing.inputs import load_inputs
from flows.publishing.regions import run_settings


class Kit:
    """channels.base.CommandKit over flows.cli.common and flows.publishing."""

    EXIT_OK = common.EXIT_OK
    EXIT_ERRORS = common.EXIT_ERRORS
    EXIT_USAGE = common.EXIT_USAGE

    def add_common(self, parser: argparse.ArgumentParser) -> None:
        """Add --content and --out."""
        common.add_common(parser)

    def iso_date(self, text: str) -> date:
        """An argparse type for --date."""
        return common.iso_date(text)

    def today(self) -> date:
        """Today in Europe/Amsterdam."""
        return today()

    def prepare(self, settings: Settings, day: date) -> PreparedDay:
        """Content, inputs and what the checks hold back, as publishing decides them."""
        library = load_library(settings.content_dir)
        inputs = load_inputs(settings, library)
        held = frozenset(held_by_checks(library, check_all(library, inputs, day)))
        return PreparedDay(library, inputs, held)

    def settings(self, args: argparse.Namespace) -> Settings:
        """Settings for --content, --out and --region (see flows.publishing.regions)."""
        content, out = getattr(args, "content", None), getattr(args, "out", None)
        return run_settings(
            str(content) if content else None,
            str(out) if out else None,
            getattr(args, "region", None),
        )


KIT = Kit()
