"""The channels, found through the `veerkracht.channels` entry points (see channels/base.py).

A channel is a package that exports `CHANNEL` and one line in pyproject.toml's entry-point
table; nothing here names one. Installing the project (`pip install -e .`, which `make` does)
registers the entry points.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

from channels.base import Channel
from flows.core.errors import SettingsError

GROUP = "veerkracht.channels"
AnyChannel = Channel[Any, Any, Any, Any]


@cache
def channels() -> dict[str, AnyChannel]:
    """Every channel by name, in a stable (alphabetical) order."""
    found: dict[str, AnyChannel] = {}
    for point in entry_points(group=GROUP):
        channel = point.load()
        if not isinstance(channel, Channel) or channel.name != point.name:
            raise SettingsError(
                f"entry point {point.name} = {point.value} in group {GROUP} is not a channel "
                f"named {point.name!r}; it must point at a channels.base.Channel instance"
            )
        found[point.name] = channel
    if not found:
        raise SettingsError(
            f"no channels found (entry-point group {GROUP}); install the project with "
            "`pip install -e .` (make does this)"
        )
    return dict(sorted(found.items()))


def channel(name: str) -> AnyChannel:
    """One channel by name."""
    return channels()[name]


def label(name: str, lang: str = "nl") -> str:
    """A channel's name as people read it (the name itself for an unknown channel)."""
    found = channels().get(name)
    if found is None:
        return name
    return found.label.en if lang == "en" else found.label.nl
