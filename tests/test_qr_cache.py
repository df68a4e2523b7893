"""The QR codes' cache folder: a code read back from it is the code made afresh, a damaged or
unwritable cache only means making the code again, and a screen's publish fills it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from channels.shared import qr

DAY = date(2027, 1, 12)
URL = "https://veerkracht.example.org/r/k3x9q?s=a7fq"


@pytest.fixture
def fresh() -> Iterator[None]:
    qr.qr_svg.cache_clear()
    yield
    qr.use_cache(None)
    qr.qr_svg.cache_clear()


def _made_afresh(url: str) -> str:
    qr.use_cache(None)
    qr.qr_svg.cache_clear()
    return qr.qr_svg(url)


def test_a_kept_code_is_read_back_instead_of_made(fresh: None, tmp_path: Path) -> None:
    folder = tmp_path / "qr"
    qr.use_cache(folder)
    first = qr.qr_svg(URL)
    [kept] = list(folder.iterdir())
    assert kept.read_text(encoding="utf-8") == first
    # Another process on another day: nothing in memory, the file is read (a marker proves it).
    qr.qr_svg.cache_clear()
    kept.write_text(first.replace("<path", '<path data-gelezen="ja"', 1), encoding="utf-8")
    assert 'data-gelezen="ja"' in qr.qr_svg(URL)
    assert _made_afresh(URL) == first
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_a_damaged_or_unwritable_cache_makes_the_code_again(fresh: None, tmp_path: Path) -> None:
    expected = _made_afresh(URL)
    folder = tmp_path / "qr"
    qr.use_cache(folder)
    qr.qr_svg.cache_clear()
    qr.qr_svg(URL)
    [kept] = list(folder.iterdir())
    kept.write_text(expected[:100], encoding="utf-8")  # half a file
    qr.qr_svg.cache_clear()
    assert qr.qr_svg(URL) == expected
    assert kept.read_text(encoding="utf-8") == expected  # and the file is whole again
    blocked = tmp_path / "een-bestand"
    blocked.write_text("geen map", encoding="utf-8")
    qr.use_cache(blocked / "qr")  # a folder that cannot be made
    qr.qr_svg.cache_clear()
    assert qr.qr_svg(URL) == expected


def test_other_colours_or_urls_never_share_a_file(fresh: None, tmp_path: Path) -> None:
    qr.use_cache(tmp_path / "qr")
    codes = {qr.qr_svg(f"https://veerkracht.example.org/r/k3x9q?s=a{n:03d}") for n in range(5)}
    assert len(codes) == 5 and len(list((tmp_path / "qr").iterdir())) == 5


def test_rendering_a_screen_keeps_its_codes_in_the_state_folder(
    fresh: None, tmp_path: Path
) -> None:
    from channels.base import Context
    from channels.screens import CHANNEL
    from flows.core.settings import load_settings
    from flows.library.loader import load_library
    from tests.conftest import FIXTURES
    from tests.screen_editions import wachtkamer_edition

    library = load_library(FIXTURES / "screens" / "content")
    edition = wachtkamer_edition(library, ["slaap-ritueel", "samen-eten"], day=DAY)
    settings = load_settings(out_dir=tmp_path / "out", state_dir=tmp_path / "state")
    rendered = CHANNEL.render(edition, Context(settings, settings.out_dir))
    kept = {p.read_text(encoding="utf-8") for p in (tmp_path / "state" / "qr").iterdir()}
    assert kept and all(
        svg in rendered.files["playlist.json"].decode()
        for svg in (k.replace('"', '\\"') for k in kept)
    )
