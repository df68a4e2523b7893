"""Documentation stays true: every setting is documented, README opens with the two commands."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

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


# --- the Dutch section works as written -------------------------------------------------------

_DUTCH = README.split("## Voor het communicatieteam", 1)[1].split("\n## ", 1)[0]
_COMMAND = re.compile(r"`(\./veerkracht [^`]+)`")


def dutch_commands() -> list[list[str]]:
    """Every `./veerkracht ...` the Dutch section tells an adviser to type, in order."""
    return [shlex.split(" ".join(m[1].split()))[1:] for m in _COMMAND.finditer(_DUTCH)]


def test_the_dutch_section_names_the_commands_an_adviser_types() -> None:
    names = [args[0] for args in dutch_commands()]
    assert names == ["check", "check", "preview", "preview", "review", "plan"]
    assert "`veerkracht " not in _DUTCH  # without ./ the shell answers "command not found"
    assert "`make demo`" in _DUTCH


def test_every_command_of_the_dutch_section_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Follow the section literally: write its example message, then type each command."""
    from flows.cli import main
    from flows.cli.common import EXIT_ERRORS, EXIT_OK

    shutil.copytree(REPO / "content", tmp_path / "content")
    example = _DUTCH.split("```markdown\n", 1)[1].split("```", 1)[0]
    target = tmp_path / "content" / "messages" / "slapen" / "vast-ritme.nl.md"
    target.write_text(example, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VEERKRACHT_CONTENT_DIR", raising=False)
    for args in dutch_commands():
        assert main(args) in (EXIT_OK, EXIT_ERRORS), args
    # The example is a clean message: the check passes and the review marks it published.
    assert main(["check", str(target.relative_to(tmp_path))]) == EXIT_OK
    assert "status: gepubliceerd\nreviewed_by: Sanne de Vries\n" in target.read_text("utf-8")
    # ... and the adviser finds it in the calendar, in a week of its theme (Slapen).
    plan = (tmp_path / "out" / "reports" / "plan.html").read_text("utf-8")
    rows = plan.split('<th scope="row" class="week">')[1:]
    assert any("Slapen" in row and "Een vast ritme helpt bij het slapen" in row for row in rows)


def test_the_wrapper_runs_the_installed_tool_or_says_what_to_do(tmp_path: Path) -> None:
    wrapper = REPO / "veerkracht"
    assert os.access(wrapper, os.X_OK)
    if (REPO / ".venv" / "bin" / "veerkracht").exists():
        done = subprocess.run([str(wrapper), "--help"], check=False, capture_output=True, text=True)
        assert done.returncode == 0 and "check" in done.stdout
    alone = tmp_path / "veerkracht"
    shutil.copy(wrapper, alone)
    done = subprocess.run([str(alone), "check"], check=False, capture_output=True, text=True)
    assert done.returncode == 2
    assert "Typ eerst: make demo" in done.stderr and done.stdout == ""


def test_make_demo_ends_with_the_line_to_type() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert demo.rstrip().splitlines()[-1].strip().endswith('./veerkracht check"')
