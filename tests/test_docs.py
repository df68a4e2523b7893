"""Documentation stays true: every setting is documented, README opens with the two commands."""

from __future__ import annotations

import re

from flows.core.settings import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_readme() -> None:
    documented = set(re.findall(r"`(VEERKRACHT_[A-Z0-9_]+)`", README))
    expected = {f"VEERKRACHT_{name.upper()}" for name in Settings.model_fields}
    assert sorted(expected - documented) == []
    assert sorted(documented - expected) == []


def test_readme_opens_with_demo_and_test() -> None:
    first_block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line]
    assert commands == ["make demo", "make test"]


def test_every_command_is_in_the_readme_table() -> None:
    from flows.cli.app import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"`veerkracht {name}" in README, f"command {name} missing from README"
