"""The language Veerkracht speaks to people: Dutch, or English with `--lang en` or
`VEERKRACHT_LANG=en`.

Source strings (msgids) are English and written once, in the code: `_("... {name} ...")` then
`.format(name=...)`, `ngettext(singular, plural, n)` for counts, and `N_("...")` to mark a string
that is translated later (the code catalogue's descriptions). The Dutch catalog is
`flows/locale/nl/LC_MESSAGES/veerkracht.po`, read with Babel at the first translation of a
process; English needs no catalog. `tests/test_i18n.py` fails when a msgid in the code has no
Dutch translation or a translation's `{placeholders}` differ from its msgid's.

The language is chosen once per process: the command line sets it (`set_language`), else the
setting VEERKRACHT_LANG is read at the first translation. `language(lang)` sets it for a block
(a test, one CLI call) and restores it after.

    python -m flows.core.i18n    # add new msgids to the Dutch catalog, drop removed ones
"""

from __future__ import annotations

import gettext
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Final

LANGUAGES: Final = ("nl", "en")
DEFAULT: Final = "nl"
DOMAIN: Final = "veerkracht"
SETTING: Final = "VEERKRACHT_LANG"
LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "locale"
SOURCE_DIRS: Final = ("flows", "channels")  # where msgids are extracted from

_current: str | None = None


def catalog_path(lang: str) -> Path:
    """The .po file of a language (English, the source language, has none)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def set_language(lang: str | None) -> None:
    """Speak `lang` from now on (None: the setting, read again at the next translation)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    global _current
    _current = lang


def current_language() -> str:
    """The language of this process: as set, else VEERKRACHT_LANG, else Dutch."""
    global _current
    if _current is None:
        _current = _from_setting()
    return _current


def _from_setting() -> str:
    # The variable of the setting `lang` (flows.core.settings), read on its own: the language is
    # needed to say that another setting is bad, and a bad value is reported by the settings.
    wanted = os.environ.get(SETTING, "").strip().lower()
    return wanted if wanted in LANGUAGES else DEFAULT


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Speak `lang` inside the block (None: keep the current one), then what was spoken before."""
    global _current
    before = _current
    if lang is not None:
        set_language(lang)
    try:
        yield current_language()
    finally:
        _current = before


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of a language, from its .po file (read once per process)."""
    if lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy and empty translations fall back to the English msgid
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _(message: str) -> str:
    """`message` (an English msgid) in the current language."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural msgid for `n`, in the current language."""
    return translations(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # the gettext name for "translate later"
    """Mark `message` for the catalog without translating it now."""
    return message


def update_catalog(lang: str = "nl", root: Path | None = None) -> tuple[int, int]:
    """Extract every msgid from the source and merge it into `lang`'s .po file: new msgids get
    an empty translation, removed ones dropped. Returns (msgids,
    untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po, write_po

    root = root or LOCALE_DIR.parent.parent
    template = Catalog(domain=DOMAIN)
    for folder in SOURCE_DIRS:
        for name, line, msgid, comments, _context in extract_from_dir(
            root / folder, method_map=[("**.py", "python")]
        ):
            template.add(msgid, None, [(f"{folder}/{name}", line)], auto_comments=comments)
    path = catalog_path(lang)
    if path.exists():
        with path.open("rb") as po:
            catalog = read_po(po, locale=lang, domain=DOMAIN)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=lang, domain=DOMAIN)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.project, catalog.version, catalog.fuzzy = "Veerkracht", "", False
    catalog.header_comment = (
        "# The Dutch texts of Veerkracht, for its comms team (msgids: the English source).\n"
        "# Update with: python -m flows.core.i18n"
    )
    with path.open("wb") as po:
        write_po(po, catalog, width=100, no_location=True)
    missing = sum(1 for m in catalog if m.id and not _translated(m.string))
    return len([m for m in catalog if m.id]), missing


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


if __name__ == "__main__":
    total, untranslated = update_catalog()
    print(f"{catalog_path('nl')}: {total} msgids, {untranslated} without a translation")
    sys.exit(1 if untranslated else 0)
