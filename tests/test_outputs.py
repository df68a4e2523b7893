"""Atomic writes and safe Markdown: no half-written files, no raw HTML from content."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from flows.infra.markdown import to_html
from flows.infra.outputs import (
    GRACE_SECONDS,
    STALE_SECONDS,
    VERSIONS,
    prune,
    replace_dir_atomic,
    temporaries,
    write_atomic,
)


def test_write_atomic_reports_nothing_new(tmp_path: Path) -> None:
    target = tmp_path / "a" / "feed.xml"
    assert write_atomic(target, "one") is True
    assert write_atomic(target, "one") is False
    assert write_atomic(target, b"two") is True
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["feed.xml"]


def test_replace_dir_atomic_swaps_whole_folder(tmp_path: Path) -> None:
    target = tmp_path / "screens" / "cb"
    assert replace_dir_atomic(target, {"index.html": "<p>1</p>", "qr/a.svg": "<svg/>"})
    assert not replace_dir_atomic(target, {"index.html": "<p>1</p>", "qr/a.svg": "<svg/>"})
    first = os.readlink(target)
    assert replace_dir_atomic(target, {"index.html": "<p>2</p>"})
    assert sorted(p.name for p in target.rglob("*")) == ["index.html"]
    assert (target / "index.html").read_text() == "<p>2</p>"
    assert sorted(p.name for p in target.parent.iterdir()) == [VERSIONS, "cb"]
    assert temporaries(tmp_path) == []
    # The link is relative and stays inside the folder it is in (a web server follows it).
    link = os.readlink(target)
    assert not os.path.isabs(link) and link.startswith(f"{VERSIONS}/cb/")
    assert target.resolve().is_relative_to(target.parent.resolve())
    # The superseded version stays for readers still in it, until the grace is over.
    versions = target.parent / VERSIONS / "cb"
    assert sorted(p.name for p in versions.iterdir()) == sorted([Path(first).name, Path(link).name])
    prune(target, now=time.time() + GRACE_SECONDS - 5)
    assert (tmp_path / "screens" / first).is_dir()
    prune(target, now=time.time() + GRACE_SECONDS + 5)
    assert [p.name for p in versions.iterdir()] == [Path(link).name]
    assert (target / "index.html").read_text() == "<p>2</p>"


def test_folders_and_files_are_public_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "out" / "screens" / "cb"
    old = os.umask(0o077)
    try:
        replace_dir_atomic(target, {"index.html": "<p>1</p>", "qr/a.svg": "<svg/>"})
    finally:
        os.umask(old)
    modes = {
        p.relative_to(tmp_path / "out").as_posix(): p.stat().st_mode & 0o777
        for p in (tmp_path / "out").rglob("*")
    }
    assert {m for rel, m in modes.items() if (tmp_path / "out" / rel).is_file()} == {0o644}
    assert {m for rel, m in modes.items() if (tmp_path / "out" / rel).is_dir()} == {0o755}


def test_a_real_folder_from_before_versions_becomes_a_link(tmp_path: Path) -> None:
    target = tmp_path / "screens" / "cb"
    target.mkdir(parents=True)
    (target / "index.html").write_text("<p>old</p>")
    assert replace_dir_atomic(target, {"index.html": "<p>new</p>"})
    assert target.is_symlink() and (target / "index.html").read_text() == "<p>new</p>"
    versions = sorted(p.name for p in (target.parent / VERSIONS / "cb").iterdir())
    assert len(versions) == 2 and versions[1].startswith("legacy.")  # kept for the grace
    prune(target, now=time.time() + GRACE_SECONDS + 5)
    assert [p.name for p in (target.parent / VERSIONS / "cb").iterdir()] == [versions[0]]
    assert temporaries(tmp_path) == []


def test_a_version_name_already_linked_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "screens" / "cb"
    assert replace_dir_atomic(target, {"index.html": "<p>1 at 06:00</p>"}, version="v1")
    assert not replace_dir_atomic(target, {"index.html": "<p>1 at 07:00</p>"}, version="v1")
    assert (target / "index.html").read_text() == "<p>1 at 06:00</p>"
    assert replace_dir_atomic(target, {"index.html": "<p>2</p>"}, version="v2")
    # Back to v1 at once: its folder was superseded just now, so it is linked again.
    assert replace_dir_atomic(target, {"index.html": "<p>1 at 08:00</p>"}, version="v1")
    assert os.readlink(target) == f"{VERSIONS}/cb/v1"
    assert (target / "index.html").read_text() == "<p>1 at 06:00</p>"
    # Back to v2, superseded a while ago and soon pruned (by this or another writer): the new
    # folder gets a name of its own, so a prune never takes the live folder away.
    assert replace_dir_atomic(target, {"index.html": "<p>2 again</p>"}, version="v3")
    a_while_ago = time.time() - GRACE_SECONDS * 0.75
    os.utime(target.parent / VERSIONS / "cb" / "v2", (a_while_ago, a_while_ago))
    assert replace_dir_atomic(target, {"index.html": "<p>2 at 09:00</p>"}, version="v2")
    assert Path(os.readlink(target)).name.startswith("v2.")
    prune(target, now=time.time() + GRACE_SECONDS + 5)
    assert (target / "index.html").read_text() == "<p>2 at 09:00</p>"
    assert len(list((target.parent / VERSIONS / "cb").iterdir())) == 1
    with pytest.raises(ValueError, match="folder version"):
        replace_dir_atomic(target, {"index.html": "x"}, version="../escape")
    with pytest.raises(ValueError, match="stay inside"):
        replace_dir_atomic(target, {"../escape.html": "x"})
    assert not (tmp_path / "screens" / "escape.html").exists()


def test_leftovers_of_a_killed_writer_go_at_the_next_write(tmp_path: Path) -> None:
    """A SIGKILL leaves staging folders, links and temporary files; the next write removes
    those older than STALE_SECONDS and leaves a live writer's (young) ones alone."""
    screens = tmp_path / "screens"
    versions = screens / VERSIONS / "cb"
    old = time.time() - STALE_SECONDS - 60
    stale = [versions / ".dead.tmp", screens / ".cb.new.x1y2", screens / ".cb.old"]
    for folder in stale:
        (folder / "qr").mkdir(parents=True)
        (folder / "qr" / "a.svg").write_text("<svg/>")
    (versions / ".dead.link").symlink_to("nowhere")
    young = versions / ".live.tmp"
    young.mkdir()
    for path in [*stale, versions / ".dead.link"]:
        os.utime(path, (old, old), follow_symlinks=False)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / ".feed.xml.abc.tmp").write_text("half")
    os.utime(feeds / ".feed.xml.abc.tmp", (old, old))
    (feeds / ".feed.xml.def.tmp").write_text("being written")
    (feeds / ".htaccess").write_text("not ours")
    os.utime(feeds / ".htaccess", (old, old))

    assert replace_dir_atomic(screens / "cb", {"index.html": "<p>1</p>"})
    assert write_atomic(feeds / "feed.xml", "<rss/>")
    assert temporaries(tmp_path) == sorted(
        [young, feeds / ".feed.xml.def.tmp", feeds / ".htaccess"]
    )


def test_markdown_never_passes_raw_html_or_unsafe_links() -> None:
    html = to_html(
        "Hoi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        "[klik](javascript:alert(1)) [ok](https://www.ncj.nl/) **vet**"
    )
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in html.replace("[klik](javascript:alert(1))", "")
    assert '<a href="https://www.ncj.nl/"' in html
    assert "<strong>vet</strong>" in html
