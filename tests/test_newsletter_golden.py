"""Golden files: the rendered HTML and plain text of one small edition, byte for byte.

A change in layout or wording shows up here as a diff to review. Regenerate on purpose only:
`VEERKRACHT_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/test_newsletter_golden.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from channels.newsletter.render import render_edition
from tests.conftest import FIXTURES
from tests.test_newsletter_support import edition, message, settings_for

GOLDEN = FIXTURES / "newsletter" / "golden"
REGENERATE = os.environ.get("VEERKRACHT_REGENERATE_GOLDEN") == "1"


def _cases() -> dict[str, object]:
    staff = message("voor-het-team", audiences=("kinderopvang-team",), lang="en")
    dutch = message("alleen-nl")
    return {
        "kinderopvang-nl": edition(),
        "school-en-fallback": edition(
            lang="en",
            messages=[message("in-english", lang="en"), dutch, staff],
            fallback=[dutch.key],
            target="school.en",
        ),
    }


@pytest.mark.parametrize("name", sorted(_cases()))
@pytest.mark.parametrize("part", ["html", "text"])
def test_rendering_matches_the_golden_file(tmp_path: Path, name: str, part: str) -> None:
    rendered = render_edition(_cases()[name], settings_for(tmp_path))  # type: ignore[arg-type]
    produced = rendered.meta.html if part == "html" else rendered.meta.text
    golden = GOLDEN / f"{name}.{'html' if part == 'html' else 'txt'}"
    if REGENERATE:
        golden.write_text(produced, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; regenerate on purpose (see module docstring)"
    assert produced == golden.read_text(encoding="utf-8")
