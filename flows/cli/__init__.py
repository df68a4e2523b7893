"""The `veerkracht` command line (a thin shell over plain functions)."""

from __future__ import annotations

from flows.cli.app import main

__all__ = ["main"]
