"""Each channel's inputs for a library in tests, loaded the way publishing loads them."""

from __future__ import annotations

from typing import Any

from channels.base import Loaded
from channels.newsletter import CHANNEL as NEWSLETTER
from channels.newsletter.partners import PartnerList
from channels.screens import CHANNEL as SCREENS
from channels.screens.config import Screen
from flows.core.settings import load_settings
from flows.library.loader import Library
from flows.publishing.inputs import load_inputs


def inputs_of(library: Library, **settings: Any) -> dict[str, Loaded[Any]]:
    """Every channel's inputs, with settings for the library's content folder."""
    return dict(load_inputs(load_settings(content_dir=library.root, **settings), library))


def screens_of(library: Library) -> tuple[Screen, ...]:
    """The screens of `screens.yaml`."""
    return SCREENS.load_inputs(load_settings(content_dir=library.root), library).value


def screens_loaded(library: Library) -> Loaded[tuple[Screen, ...]]:
    """The screens with the findings of loading them."""
    return SCREENS.load_inputs(load_settings(content_dir=library.root), library)


def partners_of(library: Library, **settings: Any) -> PartnerList:
    """The partner list in use (the bundled example unless one is given)."""
    return NEWSLETTER.load_inputs(
        load_settings(content_dir=library.root, **settings), library
    ).value
