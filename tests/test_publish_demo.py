"""`veerkracht demo` (what `make demo` runs): offline, outputs listed, environment restored.

Runs on the small feeds fixture library to stay fast; the bundled content is published end to
end by tests/test_deploy_prefect.py (through a real server and worker).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.cli import main

CONTENT = Path(__file__).parent / "fixtures" / "feeds" / "content"


def test_demo_publishes_the_first_day_offline(
    prefect_harness: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {k: os.environ.get(k) for k in ("VEERKRACHT_DELIVERY", "VEERKRACHT_PARTNERS_CSV")}
    assert main(["demo", "--content", str(CONTENT), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2027-01-04: ")
    assert "Links: not verified (offline)" in out
    assert (tmp_path / "reports" / "plan.html").is_file()
    for folder in ("feeds", "reports"):
        assert f"{tmp_path / folder}/" in out
        assert any((tmp_path / folder).iterdir())
    assert (tmp_path / "reports" / "publish-2027-01-04.md").is_file()
    # It ends with how to preview one message, naming a file that exists.
    example = out.split("veerkracht preview ", 1)[1].split("`", 1)[0]
    assert (CONTENT.parent / example).is_file() and example.endswith(".md")
    # The demo's settings do not leak into whatever runs next in this process.
    assert {k: os.environ.get(k) for k in before} == before
