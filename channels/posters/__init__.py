"""The posters channel: printable A4 and A3 posters per campaign week and audience."""

from __future__ import annotations

from channels.posters.channel import CHANNEL, PostersChannel

__all__ = ["CHANNEL", "PostersChannel"]
