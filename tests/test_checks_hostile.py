"""Hostile input made at test time (too big or binary to commit): a finding, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.cli import main
from flows.library.loader import load_library
from flows.publishing.checking import check_library as run_checks

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
GOOD = (FIXTURES / "good/content/messages/slapen/vast-ritme.nl.md").read_text(encoding="utf-8")


def _library(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    folder = content / "messages" / "slapen"
    folder.mkdir(parents=True)
    (folder / "vast-ritme.nl.md").write_text(GOOD, encoding="utf-8")
    return content


def _codes(content: Path) -> list[tuple[str, int, str]]:
    findings = run_checks(load_library(content))
    return [(Path(f.path).name, f.line, f.code) for f in findings if f.code.startswith("S")]


def test_binary_file(tmp_path: Path) -> None:
    content = _library(tmp_path)
    (content / "messages/slapen/plaatje.nl.md").write_bytes(os.urandom(2048) + b"\x00\x89PNG")
    assert _codes(content) == [("plaatje.nl.md", 0, "S100")]


def test_not_utf8(tmp_path: Path) -> None:
    content = _library(tmp_path)
    latin1 = GOOD.replace("vast-ritme", "cafe").replace("Veel ouders", "Café ouders")
    (content / "messages/slapen/cafe.nl.md").write_bytes(latin1.encode("latin-1"))
    assert _codes(content) == [("cafe.nl.md", 20, "S100")]


def test_ten_megabyte_file(tmp_path: Path) -> None:
    content = _library(tmp_path)
    huge = GOOD.replace("vast-ritme", "groot") + ("Lees samen, want dat helpt. " * 400_000)
    (content / "messages/slapen/groot.nl.md").write_text(huge, encoding="utf-8")
    assert (content / "messages/slapen/groot.nl.md").stat().st_size > 10_000_000
    assert _codes(content) == [("groot.nl.md", 0, "S101")]


def test_symlink_outside(tmp_path: Path) -> None:
    content = _library(tmp_path)
    secret = tmp_path / "elders.md"
    secret.write_text(GOOD.replace("vast-ritme", "elders"), encoding="utf-8")
    (content / "messages/slapen/elders.nl.md").symlink_to(secret)
    assert _codes(content) == [("elders.nl.md", 0, "S102")]


def test_symlink_inside_is_fine(tmp_path: Path) -> None:
    content = _library(tmp_path)
    (content / "messages/eten").mkdir()
    (content / "messages/eten/vast-ritme.nl.md").symlink_to(
        content / "messages/slapen/vast-ritme.nl.md"
    )
    # Allowed, but it is the same message twice, in the wrong folder.
    assert sorted(c for _, _, c in _codes(content)) == ["S116", "S118"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_on_hostile_folder_reports_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    content = _library(tmp_path)
    folder = content / "messages/slapen"
    (folder / "bin.nl.md").write_bytes(b"\x00\x01\x02")
    (folder / "leeg.nl.md").write_text("", encoding="utf-8")
    (folder / "groot.nl.md").write_bytes(b"a" * (10 * 1024 * 1024))
    (folder / "link.nl.md").symlink_to("/etc/passwd")
    (folder / "html.nl.md").write_text(
        GOOD.replace("vast-ritme", "html") + "\n<script>alert(1)</script>\n", encoding="utf-8"
    )
    (folder / "bom.nl.md").write_text("---\na: &a [1,2]\nb: [*a,*a]\n---\n", encoding="utf-8")
    code = main(["check", str(content), "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    for name, finding_code in [
        ("bin", "S100"),
        ("leeg", "S103"),
        ("groot", "S101"),
        ("link", "S102"),
        ("html", "S121"),
        ("bom", "S105"),
    ]:
        assert name in out and finding_code in out


def test_folder_pipe_and_symlink_loop_named_like_messages(tmp_path: Path) -> None:
    content = _library(tmp_path)
    folder = content / "messages/slapen"
    (folder / "map.nl.md").mkdir()
    os.mkfifo(folder / "pijp.nl.md")  # reading it would wait forever
    (folder / "rond.nl.md").symlink_to(folder / "rond.nl.md")
    assert _codes(content) == [
        ("map.nl.md", 0, "S100"),
        ("pijp.nl.md", 0, "S100"),
        ("rond.nl.md", 0, "S100"),
    ]


@pytest.mark.parametrize("depth", [300, 990, 5000])
def test_deeply_nested_yaml(tmp_path: Path, depth: int) -> None:
    content = _library(tmp_path)
    nested = "[" * depth + "]" * depth
    (content / "messages/slapen/diep.nl.md").write_text(
        f"---\nid: diep\nresources: {nested}\n---\n\nTekst.\n", encoding="utf-8"
    )
    block = "".join(" " * i + "a:\n" for i in range(min(depth, 1200)))
    (content / "campaigns").mkdir()
    (content / "campaigns/diep.yaml").write_text(block, encoding="utf-8")
    codes = _codes(content)
    assert {name for name, _, _ in codes} == {"diep.nl.md", "diep.yaml"}
    if depth > 300:
        # The message's other fields are still read: what is missing is reported as well.
        assert {c for _, _, c in codes} == {"S104", "S110", "S119"}
        assert {c for name, _, c in codes if name == "diep.yaml"} == {"S104"}
