"""Waiting-room screens: a self-contained rotating page, its playlist and an RSS feed per screen."""

from __future__ import annotations

from channels.screens.channel import CHANNEL, ScreensChannel

__all__ = ["CHANNEL", "ScreensChannel"]
