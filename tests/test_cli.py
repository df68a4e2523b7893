"""The command line shell: usage errors, unexpected failures and --debug."""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import Any

import pytest

from flows.cli import common as cli
from flows.cli import main as run_cli
from tests.conftest import REPO


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli([]) == cli.EXIT_USAGE
    assert "COMMAND" in capsys.readouterr().out


def test_unknown_option_is_a_usage_error() -> None:
    assert run_cli(["check", "--format", "xml"]) == cli.EXIT_USAGE


def test_missing_content_folder_is_a_usage_error(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["check", str(tmp_path / "nope")]) == cli.EXIT_USAGE
    assert "content folder not found" in capsys.readouterr().err


def test_tool_failure_exits_3_without_traceback_unless_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_args: argparse.Namespace) -> int:
        raise RuntimeError("disk on fire")

    from flows.cli.commands import check

    monkeypatch.setattr(check, "run", broken)
    assert run_cli(["check"]) == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert "disk on fire" in err and "Traceback" not in err
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_cli(["--debug", "check"])


@pytest.mark.parametrize("command", [["preview", "vast-ritme"], ["newsletter", "preview"]])
def test_a_dutch_date_order_gets_advice(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli([*command, "--date", "04-01-2027"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "'04-01-2027' is not a date; write it as YYYY-MM-DD, for example 2027-01-04" in err
    assert "fromisoformat" not in err


def test_a_reader_that_stops_early_is_not_a_tool_failure() -> None:
    # `veerkracht plan ... | head`: 600 KB of JSON, of which the reader takes a few bytes.
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows",
            "plan",
            "--from",
            "2027-01-04",
            "--weeks",
            "12",
            "--format",
            "json",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(10).startswith(b"[")
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(60) == cli.EXIT_OK, err
    assert "failed" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        (
            "VEERKRACHT_DELIVERY",
            "smpt",
            "VEERKRACHT_DELIVERY='smpt': must be one of: outbox, smtp",
        ),
        ("VEERKRACHT_LINK_PER_HOST", "veel", "VEERKRACHT_LINK_PER_HOST='veel'"),
        ("VEERKRACHT_NET_ALLOW", "intranet", "write lists as JSON"),
    ],
)
def test_a_bad_setting_names_the_variable_and_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    says: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert run_cli(["check"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert says in err and "the tool itself failed" not in err


def test_an_output_folder_that_cannot_be_written_names_the_path(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("not a folder")
    out = blocker / "out"  # a folder inside a file cannot be made
    assert (
        run_cli(
            ["preview", "vast-slaapritueel", "--content", str(REPO / "content"), "--out", str(out)]
        )
        == cli.EXIT_USAGE
    )
    err = capsys.readouterr().err
    assert f"cannot use {out}" in err and "that you may write there" in err
    assert "the tool itself failed" not in err
