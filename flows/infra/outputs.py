"""Writing outputs so that no reader ever sees a half-written file or folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

PUBLIC = 0o644  # outputs are served: the web server may run as another user
PRIVATE = 0o600  # a recipient's message, or anything else for this machine's user only


def write_atomic(
    path: Path, data: bytes | str, *, durable: bool = True, mode: int = PUBLIC
) -> bool:
    """Write via a temporary file and rename; returns False when the content was already there.

    `durable=False` skips the fsync (readers still never see half a file); a caller writing
    many files then makes them durable at once with `os.sync()` before it records them.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == payload:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
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


def replace_dir_atomic(target: Path, files: Mapping[str, bytes | str]) -> bool:
    """Write a whole folder beside `target`, then swap it in with renames.

    Returns False when every file already had this content (nothing new). A reader sees the old
    folder or the new one, never a mix.
    """
    payloads = {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in files.items()}
    if target.is_dir() and _same(target, payloads):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new."))
    for rel, payload in payloads.items():
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(payload)
    staging.chmod(0o755)
    old = target.parent / f".{target.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    return True


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
