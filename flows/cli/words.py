"""The command line's language: chosen from the arguments before they are parsed, and
argparse's own words ("usage:", "options:", "error:", "invalid choice") in it.

Why a pre-scan: the parser's help texts are translated when the parser is built, and --date's
advice (`iso_date`) while the arguments are read; both happen before argparse has read --lang.
So `asked_language` looks for `--lang nl|en` (or `--lang=en`) in the raw arguments first, and
the parser is built and run in that language (else VEERKRACHT_LANG, else Dutch). A --lang with
an unknown value is left to argparse, which then refuses it in the setting's language. An
abbreviated option (`--lan en`, which argparse accepts) is not seen by the pre-scan: the
parsing then speaks the setting's language, the command itself the one asked for.

argparse translates its words with the module-level functions `argparse._` and
`argparse.ngettext` (gettext's global domain, which has no Dutch catalog), looked up each time
it needs a word. `argparse_speaks()` points them at our catalog for the duration of building
and parsing, and puts the originals back afterwards, so no other user of argparse in the
process is affected. The msgids below are argparse's own (Python 3.11), listed here so the
catalog keeps them (`python -m flows.core.i18n` extracts them from this file).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Final

from flows.core.i18n import LANGUAGES, N_, _, ngettext

# argparse's words a person can meet (developer-only errors, like conflicting options, are left
# out: they never reach a comms adviser). Each keeps argparse's %-placeholders.
ARGPARSE_WORDS: Final = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("subcommands"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)


def asked_language(argv: Sequence[str]) -> str | None:
    """The language a `--lang` in `argv` asks for (the last one wins, as in argparse), or None
    when there is none or its value is not a language we speak."""
    found: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--":  # what follows is not an option
            break
        if arg == "--lang" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    return found if found in LANGUAGES else None


def _argparse_gettext(message: str) -> str:
    # argparse also passes a subparsers group's own title and description (None when unset).
    return _(message) if message else message


@contextmanager
def argparse_speaks() -> Iterator[None]:
    """Inside the block argparse's own words are in the current language (flows.core.i18n)."""
    words = vars(argparse)
    before = words["_"], words["ngettext"]
    words["_"], words["ngettext"] = _argparse_gettext, ngettext
    try:
        yield
    finally:
        words["_"], words["ngettext"] = before
