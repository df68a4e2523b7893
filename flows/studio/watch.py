"""Whether anything under the content folder may have changed, without a stat of every file.

The editor checks the typed text against the library as it is on disk, so before each check the
studio must know whether a file changed. A stat of every file was 15-25 ms of each keystroke's
check with 2,000 messages. Linux's inotify tells the same for free: the kernel queues an event
for a folder as a write, rename, create or delete in it returns, so a read of the queue after
that sees it. When inotify cannot be trusted (not Linux, no watches left, a network or FUSE
file system where other machines' writes give no events, a symlinked file whose target lives
elsewhere) `Watch.quiet()` is always False and the caller scans every time, as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import sys
from pathlib import Path

_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = 0o2000000
_MASK = (
    0x00000002  # IN_MODIFY
    | 0x00000004  # IN_ATTRIB
    | 0x00000008  # IN_CLOSE_WRITE
    | 0x00000040  # IN_MOVED_FROM
    | 0x00000080  # IN_MOVED_TO
    | 0x00000100  # IN_CREATE
    | 0x00000200  # IN_DELETE
    | 0x00000400  # IN_DELETE_SELF
    | 0x00000800  # IN_MOVE_SELF
    | 0x01000000  # IN_ONLYDIR
    | 0x02000000  # IN_DONT_FOLLOW
)
_OCTAL = re.compile(r"\\([0-7]{3})")  # mountinfo writes a space in a path as \040
# File systems whose changes all pass through this machine's kernel (so inotify sees them).
LOCAL_FILE_SYSTEMS = frozenset(
    {"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "f2fs", "jfs", "ramfs"}
)


def file_system(path: Path) -> str:
    """The type of the file system `path` is on ('' when unknown), from /proc/self/mountinfo."""
    best, kind = "", ""
    target = str(path)
    try:
        lines = Path("/proc/self/mountinfo").read_text("utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        fields = line.split(" ")
        try:
            point = _OCTAL.sub(lambda m: chr(int(m[1], 8)), fields[4])
            fstype = fields[fields.index("-") + 1]
        except (IndexError, ValueError):
            continue
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fstype
    return kind


class Watch:
    """An inotify instance over folders; `quiet()` is True when no event came since the last
    call (and the watcher is trusted), False when something may have changed."""

    def __init__(self, root: Path) -> None:
        self._fd = -1
        self._libc: ctypes.CDLL | None = None
        self.trusted = False  # set by the caller after each complete scan
        if not sys.platform.startswith("linux") or file_system(root) not in LOCAL_FILE_SYSTEMS:
            return
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        except (OSError, AttributeError):
            return
        if fd < 0:
            return
        self._libc, self._fd = libc, fd

    @property
    def usable(self) -> bool:
        return self._fd >= 0

    def add(self, folder: str) -> bool:
        """Watch `folder` (before it is listed, so a change after the listing gives an event);
        False when it cannot be watched."""
        if self._libc is None:
            return False
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), _MASK)
        return bool(wd >= 0)

    def quiet(self) -> bool:
        """True when nothing happened under the watched folders since the last call. Reads
        (and so forgets) the events queued so far."""
        if self._fd < 0:
            return False
        happened = False
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            except OSError:
                self.close()
                return False
            if not chunk:
                break
            happened = True
        return self.trusted and not happened

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd, self._libc, self.trusted = -1, None, False

    def __del__(self) -> None:
        self.close()
