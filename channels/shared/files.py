"""Writing a rendered edition's files under out/, counted into its delivery report.

Safe when two runs write the same edition at once (two workers on one shared out folder): each
file is renamed into place whole (`write_atomic`), so the last complete one wins, a reader
never sees half a file and neither run fails. Files that must change together as one version
(a screen's page and playlist) belong in one folder written with `replace_dir_atomic` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from channels.base import DeliveryReport
from flows.infra.outputs import write_atomic


def write_changed(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """Write each file atomically under `out_dir`; an unchanged file is left alone.

    Returns the paths (relative to `out_dir`) that were written, in the order of `files`.
    """
    return [rel for rel, data in files.items() if write_atomic(out_dir / rel, data)]


def deliver_files(report: DeliveryReport, out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """`write_changed`, counting each written file as delivered and each unchanged one skipped."""
    written = write_changed(out_dir, files)
    report.delivered += len(written)
    report.skipped += len(files) - len(written)
    return written
