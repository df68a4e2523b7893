"""Publishing channels: one package per channel, each exporting `CHANNEL` (see channels/base.py).

Channels are found through the `veerkracht.channels` entry points (flows.publishing.registry);
nothing lists them by hand. `channels/shared/` holds what several channels use.
"""
