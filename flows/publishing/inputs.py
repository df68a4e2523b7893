"""Each channel's own inputs, loaded once per run and handed to it explicitly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.base import Loaded
from flows.core.findings import Finding
from flows.core.settings import Settings
from flows.library.loader import Library
from flows.publishing.registry import channels

Inputs = Mapping[str, Loaded[Any]]


def load_inputs(settings: Settings, library: Library) -> Inputs:
    """Every channel's inputs by channel name (screens.yaml, the partner list, ...)."""
    return {name: ch.load_inputs(settings, library) for name, ch in channels().items()}


def input_findings(inputs: Inputs) -> list[Finding]:
    """What went wrong while the channels loaded their inputs."""
    return sorted({f for loaded in inputs.values() for f in loaded.findings})


def input_files(inputs: Inputs) -> int:
    """How many files the channels read."""
    return sum(loaded.files for loaded in inputs.values())
