"""Publishing channels: one package per channel, found through `registry()`."""

from __future__ import annotations

import importlib

from channels.base import Channel

# A new channel is a new package plus its name here; nothing else changes.
CHANNEL_MODULES: dict[str, str] = {
    "feeds": "channels.feeds",
    "newsletter": "channels.newsletter",
    "screens": "channels.screens",
}


def registry() -> dict[str, Channel]:
    """Every channel by name, in a stable order."""
    return {
        name: importlib.import_module(module).CHANNEL
        for name, module in sorted(CHANNEL_MODULES.items())
    }
