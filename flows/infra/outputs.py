"""Writing outputs so that no reader ever sees a half-written file or folder.

Several processes may write the same outputs at once (two workers on one shared out folder, a
retry racing the original run). Every write here is safe for that: the last complete version
wins, a reader sees one whole version, neither writer fails, and nothing temporary stays.

- A file (`write_atomic`) is written to a temporary name beside it and renamed over it.
- A folder (`replace_dir_atomic`) is written as a new version under `_versions/<name>/` beside
  it; `<name>` itself is a relative symbolic link to the current version, replaced in one
  rename (a link renamed over a link is atomic). Swapping real folders instead takes two
  renames: between them the folder is missing, and a second writer's rename fails with
  "Directory not empty". The URL stays `<name>/...`: static web servers follow the link, which
  never leaves the out folder. `_versions` has no leading dot: `veerkracht serve` refuses any
  path whose real path has a dot part (temporary names all start with one).

A superseded version is kept for `GRACE_SECONDS`, so a reader that is still reading it (a web
server sending a file, a copy to a CDN) finishes; the next write of that folder removes it.
Temporary names left by a killed writer are removed by the next write once they are older than
`STALE_SECONDS` (a live writer's are younger by far).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

PUBLIC = 0o644  # outputs are served: the web server may run as another user
PRIVATE = 0o600  # a recipient's message, or anything else for this machine's user only
FOLDER = 0o755
VERSIONS = "_versions"  # beside a folder of replace_dir_atomic; never a screen id, no dot
GRACE_SECONDS = 120.0  # a superseded folder version stays this long for readers still in it
STALE_SECONDS = 600.0  # a temporary name this old was left by a writer that was killed
_VERSION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_swept: dict[Path, float] = {}  # folder -> when this process last removed stale temporaries


def write_atomic(
    path: Path, data: bytes | str, *, durable: bool = True, mode: int = PUBLIC
) -> bool:
    """Write via a temporary file and rename; returns False when the content was already there.

    `durable=False` skips the fsync (readers still never see half a file); a caller writing
    many files then makes them durable at once with `os.sync()` before it records them.
    Concurrent writers of one path each rename a whole file: the last one wins.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == payload:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)  # mkstemp makes 0600; outputs are public unless asked otherwise
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def replace_dir_atomic(
    target: Path, files: Mapping[str, bytes | str], *, version: str | None = None
) -> bool:
    """Publish a whole folder at `target` at once; False when it already had this content.

    The files go into a new folder `_versions/<target name>/<version>` beside `target`, then
    the link `target` is pointed at it. `version` names the content (default: a digest of the
    files); when the current version already has that name, nothing is written, so a caller
    may pass a version that leaves out a timestamp. A reader that resolves `target` once sees
    one complete version; `target` is never missing once it was written.
    """
    payloads = {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in files.items()}
    name = version or _digest(payloads)
    if not _VERSION_NAME.fullmatch(name):
        raise ValueError(f"a folder version must be letters, digits, - or _: {name!r}")
    versions = target.parent / VERSIONS / target.name
    if _current(target) == name or (target.is_dir() and _same(target, payloads)):
        return False
    _make_folders(versions)
    prune(target)
    staging = Path(tempfile.mkdtemp(dir=versions, prefix=".", suffix=".tmp"))
    try:
        _fill(staging, payloads)
        final = _settle(staging, versions, name, target)
        if final is None:  # another writer put the same version in place meanwhile
            return False
        _point(target, versions, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # already renamed unless something failed
    if not target.is_dir():
        # Only when this writer stalled longer than the grace before linking, and another
        # one pruned the version meanwhile: write it again.
        return replace_dir_atomic(target, payloads, version=version)
    return True


def prune(target: Path, *, now: float | None = None) -> None:
    """Remove superseded versions of `target` older than the grace, and stale temporaries."""
    versions = target.parent / VERSIONS / target.name
    sweep_stale(target.parent)
    if not versions.is_dir():
        return
    moment = time.time() if now is None else now
    current = _current(target)
    for entry in os.scandir(versions):
        if entry.name.startswith("."):
            limit = STALE_SECONDS  # a writer's staging folder or link; killed if this old
        elif entry.name == current:
            continue
        else:
            limit = GRACE_SECONDS
        try:
            age = moment - entry.stat(follow_symlinks=False).st_mtime
        except FileNotFoundError:
            continue  # another writer removed or renamed it just now
        if age > limit and entry.name != _current(target):
            _remove(Path(entry.path))


def sweep_stale(folder: Path) -> None:
    """Remove temporary names in `folder` older than `STALE_SECONDS` (a killed writer's).

    Runs at most every few minutes per folder in one process: a folder of thousands of files
    is not listed again for each file written into it.
    """
    now = time.time()
    key = folder.resolve()
    if now - _swept.get(key, 0.0) < STALE_SECONDS / 4:
        return
    _swept[key] = now
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if not _is_temporary(entry.name):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                _remove(Path(entry.path))
        except FileNotFoundError:
            continue


def temporaries(folder: Path) -> list[Path]:
    """Every `.` name under `folder`: what writers, or killed writers, left as temporary. Empty
    once writers have finished (superseded versions are not temporary)."""
    found: list[Path] = []
    for parent, dirs, names in os.walk(folder):
        found += [Path(parent, n) for n in [*dirs, *names] if n.startswith(".")]
        dirs[:] = [d for d in dirs if not d.startswith(".")]
    return sorted(found)


def _is_temporary(name: str) -> bool:
    """A temporary name of write_atomic (`.<name>.<random>.tmp`), or one of the folder swap
    before versions (`.<name>.new.<random>`, `.<name>.old`)."""
    if not name.startswith("."):
        return False
    return name.endswith((".tmp", ".old")) or ".new." in name


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _digest(payloads: Mapping[str, bytes]) -> str:
    h = hashlib.sha256()
    for rel in sorted(payloads):
        h.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(payloads[rel]).digest())
    return h.hexdigest()[:16]


def _current(target: Path) -> str | None:
    """The name of the version `target` links to (None: no link)."""
    try:
        return Path(os.readlink(target)).name
    except OSError:  # nothing there, or a real folder (EINVAL)
        return None


def _make_folders(folder: Path) -> None:
    for parent in reversed([folder, *folder.parents]):
        if not parent.is_dir():
            parent.mkdir(exist_ok=True)
            parent.chmod(FOLDER)  # whatever the umask: the web server reads them


def _fill(staging: Path, payloads: Mapping[str, bytes]) -> None:
    for rel, payload in payloads.items():
        dest = staging / rel
        if not dest.resolve().is_relative_to(staging.resolve()) or dest == staging:
            raise ValueError(f"a file of a folder must stay inside it: {rel!r}")
        _make_folders(dest.parent)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PUBLIC)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), PUBLIC)
            handle.write(payload)
    staging.chmod(FOLDER)


def _settle(staging: Path, versions: Path, name: str, target: Path) -> str | None:
    """Rename the filled staging folder to its version name; the name to link, or None when
    `target` already links to a folder of that version (written by another writer)."""
    try:
        os.rename(staging, versions / name)
        os.utime(versions / name)  # its age counts from now, for prune
        return name
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
    if _current(target) == name:
        return None
    try:
        age = time.time() - (versions / name).stat().st_mtime
    except FileNotFoundError:
        age = GRACE_SECONDS  # pruned just now: write ours under a name of its own
    if age < GRACE_SECONDS / 2:
        return name  # another writer's, just made and not linked yet: the same content, link it
    # An older superseded folder of this version, which prune may be removing right now: ours
    # gets a name of its own rather than linking that one.
    unique = f"{name}.{secrets.token_hex(4)}"
    os.rename(staging, versions / unique)
    os.utime(versions / unique)
    return unique


def _point(target: Path, versions: Path, name: str) -> None:
    """Point the link `target` at `versions/name` in one rename."""
    previous = _current(target)
    if previous is not None:
        # Superseded from now on: prune keeps it for readers still in it (by its mtime).
        with contextlib.suppress(FileNotFoundError):
            os.utime(versions / previous)
    link = versions / f".{secrets.token_hex(8)}.link"
    os.symlink(f"{VERSIONS}/{target.name}/{name}", link)  # relative to target's folder
    try:
        os.replace(link, target)
    except IsADirectoryError:
        _replace_real_folder(link, target, versions)
    finally:
        link.unlink(missing_ok=True)


def _replace_real_folder(link: Path, target: Path, versions: Path) -> None:
    """`target` is a real folder (written before versions existed): swap the link in."""
    legacy = versions / f"legacy.{secrets.token_hex(4)}"
    if _exchange(link, target):
        # `link` now names what `target` was: the old folder, or (when another writer swapped
        # first) that writer's link. Ours is in place either way.
        if link.is_dir() and not link.is_symlink():
            os.rename(link, legacy)
            os.utime(legacy)  # superseded now: kept for the grace, then pruned
        return
    # No renameat2 here: two renames, with a moment without the folder, once per folder.
    try:
        os.rename(target, legacy)
        os.utime(legacy)
    except FileNotFoundError:
        pass  # another writer moved it first
    os.replace(link, target)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one step (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _same(target: Path, payloads: Mapping[str, bytes]) -> bool:
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    if present != set(payloads):
        return False
    return all((target / rel).read_bytes() == data for rel, data in payloads.items())


def write_report(out_dir: Path, name: str, text: str | bytes) -> Path:
    """Write a report under `out/reports/` and return its path."""
    path = out_dir / "reports" / name
    write_atomic(path, text)
    return path
