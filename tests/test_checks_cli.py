"""`veerkracht check`: compiler-style output, JSON, exit codes, and no Prefect import."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "fixtures" / "checks"
LINE = re.compile(r"^\S+:\d+:\d+: [SLTDINP]\d{3} \S")


def test_text_output_lists_every_file_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(CASES / "schema-ids-files-folders" / "content")])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    findings, closing = out[:-1], out[-1]
    assert len(findings) == 4 and all(LINE.match(line) for line in findings)
    assert {Path(line.split(":")[0]).name for line in findings} == {
        "vast-ritme.nl.md",
        "avondritme.nl.md",
        "ochtend.en.md",
    }
    assert closing == "6 files checked: 4 errors, 0 warnings"  # 5 messages + style


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(CASES / "raw-html" / "content"), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(d["line"], d["column"], d["code"], d["severity"]) for d in data] == [
        (20, 1, "S121", "error"),
        (22, 8, "S121", "error"),
        (23, 1, "S121", "error"),
    ]
    assert all(set(d) == {"path", "line", "column", "code", "severity", "message"} for d in data)
    assert data[0]["path"].endswith("messages/slapen/html.nl.md")


def test_warnings_only_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(CASES / "strength" / "content")])
    out = capsys.readouterr().out
    assert code == 0
    assert " T204 no strength named" in out
    assert out.endswith(": 0 errors, 1 warning\n")


def test_clean_library_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(CASES / "good" / "content")]) == 0
    assert capsys.readouterr().out.endswith(": 0 errors, 0 warnings\n")


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "xml"]) == 2
    assert main(["check", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "content folder not found" in err and "Traceback" not in err


def test_cli_loads_only_the_command_it_runs_and_never_prefect() -> None:
    script = (
        "import sys\n"
        "from flows.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(' '.join(sorted(m for m in sys.modules\n"
        "      if m.split('.')[0] == 'prefect' or m.startswith('flows.cli.commands.'))))\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "check", str(CASES / "good" / "content")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 errors" in proc.stdout  # the check really ran
    assert proc.stdout.splitlines()[-1].split() == ["flows.cli.commands.check"]


def test_check_one_file_or_folder_inside_the_content(capsys: pytest.CaptureFixture[str]) -> None:
    content = CASES / "schema-ids-files-folders" / "content"
    assert main(["check", str(content)]) == 1
    everything = capsys.readouterr().out.splitlines()[:-1]
    one = next(line.split(":")[0] for line in everything if "avondritme.nl.md" in line)
    # One file: the whole folder is loaded (duplicates need the others), only its lines shown.
    assert main(["check", str(content.parent / one)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:-1] == [line for line in everything if line.startswith(one + ":")]
    assert out[-1].startswith("1 file checked: ")
    # A folder inside the content: the findings of the files below it.
    folder = str(Path(one).parent)
    assert main(["check", str(content.parent / folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    shown = [line for line in everything if line.startswith(folder + "/")]
    assert out[:-1] == shown and len(shown) < len(everything)


def test_check_outside_any_content_folder_says_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notities.md").write_text("geen bericht")
    assert main(["check", str(tmp_path)]) == 2
    assert "is not a content folder or a folder in one" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "notities.md")]) == 2
    assert "give the folder that holds messages/" in capsys.readouterr().err
