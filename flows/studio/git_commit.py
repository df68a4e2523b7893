"""Each studio save as a git commit in the adviser's name, when the team wants that.

Off by default (`VEERKRACHT_STUDIO_GIT_COMMIT`). When on and the content folder is inside a git
work tree, the saved file alone is committed (`git commit --only`, so whatever else someone has
staged or changed stays as it was), with the adviser as author. The file is on disk before git
is asked: a commit that fails never loses a save; the studio then says so in Dutch and the audit
line notes it. Commit messages are Dutch, as everything the studio says.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

STUDIO_EMAIL = "studio@veerkracht.invalid"  # an address that is never delivered to
TIMEOUT = 30  # seconds for one git command (a hook or a slow disk; never forever)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def work_tree(folder: Path) -> Path | None:
    """The top of the git work tree `folder` is in, or None (not a repository, or no git)."""
    try:
        found = _git(folder, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else None


def commit_saved(folder: Path, path: Path, who: str, what: str) -> str | None:
    """Commit `path` (in `folder`'s work tree) with `who` as author; None when it was committed
    or there is no repository, else git's reason (the studio puts it in a Dutch sentence)."""
    top = work_tree(folder)
    if top is None:
        return None
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    author = " ".join(who.replace("<", "").replace(">", "").split()) or "onbekend"
    identity: list[str] = []
    if not _git(top, "config", "user.email").stdout.strip():  # no committer set on this machine
        identity = ["-c", "user.name=Veerkracht Studio", "-c", f"user.email={STUDIO_EMAIL}"]
    message = f"Studio: {rel} {what} door {author}"  # the studio speaks Dutch, so does its log
    try:
        added = _git(top, "add", "--", rel)
        done = (
            added
            if added.returncode
            else _git(
                top,
                *identity,
                "commit",
                "--quiet",
                f"--author={author} <{STUDIO_EMAIL}>",
                "-m",
                message,
                "--only",
                "--",
                rel,
            )
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode == 0:
        return None
    output = (done.stderr or done.stdout).strip()
    if "nothing to commit" in done.stdout + done.stderr or "no changes added" in output:
        return None  # saved unchanged: nothing new for git either
    return output.splitlines()[-1] if output else f"git stopte met code {done.returncode}"
