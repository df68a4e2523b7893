"""Golden output of the screens channel for the fixture library on 12 January 2027.

`tests/fixtures/screens/golden/<screen>/` holds the expected `playlist.json` (pretty-printed,
without `version`, which also covers the page code) and `slides.rss`. After an intended change,
regenerate on purpose with `VEERKRACHT_REGENERATE_GOLDEN=1 pytest tests/test_screens_golden.py`
and review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import pytest

from channels.base import Context
from channels.screens import CHANNEL
from flows.core.clock import TIMEZONE
from flows.core.settings import load_settings
from flows.library.loader import load_library
from tests.channel_inputs import screens_of
from tests.conftest import FIXTURES

CONTENT = FIXTURES / "screens" / "content"
GOLDEN = FIXTURES / "screens" / "golden"
DAY = date(2027, 1, 12)
REGENERATE = os.environ.get("VEERKRACHT_REGENERATE_GOLDEN") == "1"


def rendered() -> dict[str, Mapping[str, bytes]]:
    library = load_library(CONTENT)
    ctx = Context(load_settings(public_base_url="https://veerkracht.example.org"), Path("."))
    out = {}
    stamp = datetime(2027, 1, 12, 6, 0, tzinfo=TIMEZONE)
    for edition in CHANNEL.plan(library, screens_of(library), library.campaigns, DAY):
        payload = dataclasses.replace(edition.payload, generated_at=stamp)
        fixed = dataclasses.replace(edition, payload=payload)
        out[edition.target] = CHANNEL.render(fixed, ctx).files
    return out


def comparable(playlist_json: bytes) -> str:
    data = json.loads(playlist_json)
    data.pop("version")
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("screen", ["wachtkamer-test", "verloskunde-test", "alleen-tweede"])
def test_screen_output_matches_golden(screen: str) -> None:
    files = rendered()[screen]
    actual = {
        "playlist.json": comparable(files["playlist.json"]),
        "slides.rss": files["slides.rss"].decode("utf-8"),
    }
    folder = GOLDEN / screen
    if REGENERATE:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in actual.items():
            (folder / name).write_text(text, encoding="utf-8")
    for name, text in actual.items():
        assert text == (folder / name).read_text(encoding="utf-8"), f"{screen}/{name} changed"
