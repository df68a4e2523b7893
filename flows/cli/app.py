"""The `veerkracht` command: a thin shell over plain functions.

Exit codes: 0 all well, 1 the content or a delivery has errors, 2 usage error (bad arguments,
missing folder or setting), 3 an unexpected failure of the tool itself.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from flows.cli.commands import COMMAND_MODULES
from flows.cli.common import EXIT_ERRORS, EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from flows.cli.words import argparse_speaks, asked_language
from flows.core.errors import ContentError, SettingsError, VeerkrachtError
from flows.core.i18n import _, language


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand, or with just `only`.

    Loading one command's module is enough to run it, and skips the imports of the others
    (a quicker answer for `veerkracht check` and friends); help and mistakes need them all.
    """
    parser = argparse.ArgumentParser(
        prog="veerkracht",
        description=_("Check, plan and publish the campaign's messages."),
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help=_("show the full traceback when the tool itself fails"),
    )
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    modules = COMMAND_MODULES
    if only is not None and f"flows.cli.commands.{only}" in modules:
        # One of ours: the channels (and their imports) are not needed to run it.
        importlib.import_module(f"flows.cli.commands.{only}").register(sub)
        return parser
    for name in modules:
        importlib.import_module(name).register(sub)
    # Then each channel's own commands, with the kit that lends them what they need.
    from flows.cli.kit import KIT
    from flows.publishing.registry import channels

    for channel in channels().values():
        channel.register_cli(sub, KIT)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The subcommand in `argv` (after global options), if there is one."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    The language is known before the parser is built (`flows.cli.words.asked_language`): its
    help texts, argparse's own words and --date's advice are in the language asked for.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    with language(asked_language(argv)), argparse_speaks():  # else VEERKRACHT_LANG
        parser = build_parser(only=_command_named(argv))
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
            return int(exc.code or 0)
        if getattr(args, "run", None) is None:
            parser.print_help()
            return EXIT_USAGE
    with language(getattr(args, "lang", None)):  # --lang for this call, else VEERKRACHT_LANG
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run the subcommand; what goes wrong becomes a message and its exit code."""
    try:
        return int(args.run(args))
    except (ContentError, SettingsError) as exc:
        print(f"veerkracht: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except VeerkrachtError as exc:
        print(f"veerkracht: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`veerkracht plan | head`): not a failure of the tool. Point
        # stdout at nothing, so the interpreter's final flush does not fail as well.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            raise
        if isinstance(exc, OSError) and exc.filename is not None:
            # A folder that does not exist or is not writable, or a full disk: the operator
            # can fix that, so name the path instead of reporting a failure of the tool.
            text = _(
                "cannot use {path} ({reason}); check the folders given with --content and "
                "--out (or VEERKRACHT_CONTENT_DIR and VEERKRACHT_OUT_DIR), that they exist and "
                "that you may write there"
            ).format(path=exc.filename, reason=exc.strerror)
            print(f"veerkracht: {text}", file=sys.stderr)
            return EXIT_USAGE
        text = _(
            "the tool itself failed ({error}). This is not a problem in your content; run "
            "again with `veerkracht --debug ...` and send the output to the operators."
        ).format(error=f"{type(exc).__name__}: {exc}")
        print(f"veerkracht: {text}", file=sys.stderr)
        return EXIT_FAILURE
