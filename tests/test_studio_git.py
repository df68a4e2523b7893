"""Studio saves as git commits (VEERKRACHT_STUDIO_GIT_COMMIT): the saved file alone, in the
adviser's name, with a real git repository; a failing commit keeps the save and says so."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from flows.studio.git_commit import commit_saved, work_tree


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "team"
    (root / "content" / "messages" / "slapen").mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "user.name", "Beheer")
    git(root, "config", "user.email", "beheer@example.org")
    (root / "content" / "messages" / "slapen" / "a.nl.md").write_text("eerst\n", encoding="utf-8")
    (root / "README").write_text("team\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "begin")
    return root


def test_a_save_is_committed_alone_in_the_advisers_name(repo: Path) -> None:
    content = repo / "content"
    saved = content / "messages" / "slapen" / "a.nl.md"
    saved.write_text("daarna\n", encoding="utf-8")
    (repo / "README").write_text("half af\n", encoding="utf-8")
    git(repo, "add", "README")  # someone else's staged work: must stay staged, not committed
    new = content / "messages" / "slapen" / "b.nl.md"
    new.write_text("nieuw\n", encoding="utf-8")

    assert commit_saved(content, saved, "Fatima <de> Vries", "opgeslagen") is None
    assert commit_saved(content, new, "Fatima de Vries", "nieuw") is None

    log = git(repo, "log", "--format=%an <%ae>|%cn|%s", "-3").splitlines()
    assert log[0].startswith("Fatima de Vries <studio@veerkracht.invalid>|Beheer|Studio: ")
    assert "content/messages/slapen/b.nl.md" in log[0] and "Fatima de Vries" in log[0]
    assert "content/messages/slapen/a.nl.md" in log[1]
    assert git(repo, "show", "--name-only", "--format=", "HEAD~1") == (
        "content/messages/slapen/a.nl.md"
    )
    assert git(repo, "diff", "--cached", "--name-only") == "README"  # still staged
    assert git(repo, "status", "--porcelain", "--", "content") == ""


def test_an_unchanged_save_and_a_folder_outside_git_commit_nothing(
    repo: Path, tmp_path: Path
) -> None:
    content = repo / "content"
    before = git(repo, "rev-parse", "HEAD")
    assert (
        commit_saved(content, content / "messages" / "slapen" / "a.nl.md", "X", "opgeslagen")
        is None
    )
    assert git(repo, "rev-parse", "HEAD") == before
    loose = tmp_path / "los"
    loose.mkdir()
    (loose / "c.nl.md").write_text("x\n", encoding="utf-8")
    assert work_tree(loose) is None
    assert commit_saved(loose, loose / "c.nl.md", "X", "opgeslagen") is None


def test_a_refused_commit_keeps_the_file_and_says_why(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'geweigerd door de teamregel' >&2\nexit 1\n")
    hook.chmod(0o755)
    saved = repo / "content" / "messages" / "slapen" / "a.nl.md"
    saved.write_text("nog eens\n", encoding="utf-8")
    problem = commit_saved(repo / "content", saved, "Els", "opgeslagen")
    assert problem is not None and "geweigerd door de teamregel" in problem
    assert saved.read_text(encoding="utf-8") == "nog eens\n"  # the save itself stands
    assert git(repo, "log", "--format=%s", "-1") == "begin"


def test_the_studio_commits_each_save_when_the_setting_is_on(tmp_path: Path) -> None:
    """Through the studio itself: a save becomes a commit by the adviser; with a hook that
    refuses, the save stays on disk, the page says why and the audit line notes it."""
    from tests.studio_server import client, csrf_of, hash_of, running, studio_settings
    from tests.test_studio import REL, form_for

    s = studio_settings(tmp_path, studio_git_commit=True)
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "add", "content")
    git(tmp_path, "-c", "user.name=Beheer", "-c", "user.email=b@example.org", "commit", "-qm", "0")
    path = s.content_dir / REL
    with running(s) as base, client(base) as c:
        page = c.get(f"/bericht/{REL}")
        form = form_for(path, s.content_dir, title="Een vaste avond helpt je kind")
        form |= {"csrf": csrf_of(page.text), "hash": hash_of(page.text)}
        assert c.post(f"/bericht/{REL}", data=form).status_code == 303
        author, subject = git(tmp_path, "log", "-1", "--format=%an|%s").split("|")
        assert author == "Sanne" and subject == f"Studio: content/{REL} opgeslagen door Sanne"
        assert git(tmp_path, "status", "--porcelain", "--", "content") == ""

        hook = tmp_path / ".git" / "hooks" / "pre-commit"
        hook.write_text("#!/bin/sh\necho 'eerst de teamcontrole' >&2\nexit 1\n")
        hook.chmod(0o755)
        page = c.get(f"/bericht/{REL}")
        form = form_for(path, s.content_dir, title="Elke avond hetzelfde helpt")
        form |= {"csrf": csrf_of(page.text), "hash": hash_of(page.text)}
        saved = c.post(f"/bericht/{REL}", data=form, follow_redirects=True)
    assert "title: Elke avond hetzelfde helpt\n" in path.read_text("utf-8")  # nothing lost
    assert "git weigerde het vast te leggen" in saved.text and "teamcontrole" in saved.text
    audit = (s.out_dir / "reports" / "studio-audit.log").read_text("utf-8").splitlines()
    assert [json.loads(line).get("git") for line in audit[-2:]] == [
        "vastgelegd",
        "eerst de teamcontrole",
    ]
