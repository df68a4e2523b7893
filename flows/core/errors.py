"""The one error hierarchy of Veerkracht.

    VeerkrachtError
    ├── SettingsError            a setting is missing or wrong (operator fixes it)
    ├── ContentError             content cannot be loaded at all (comms team fixes it)
    ├── LinkError                the link checker itself failed (not: a link is broken)
    ├── RefusedAddress           a URL points at a private/loopback address (flows.infra.netsafety)
    └── DeliveryError            a channel could not deliver
        ├── TransientDeliveryError   try again later (SMTP 4xx, dropped connection, timeout)
        └── PermanentDeliveryError   never retry (SMTP 5xx, refused recipient)

Retries decide on the transient/permanent split (see `is_transient`).
"""

from __future__ import annotations


class VeerkrachtError(Exception):
    """Base of every error this project raises on purpose."""


class SettingsError(VeerkrachtError):
    """A setting is missing or has a wrong value."""


class ContentError(VeerkrachtError):
    """Content cannot be loaded at all (for example the folder does not exist)."""


class LinkError(VeerkrachtError):
    """The link checker could not run."""


class DeliveryError(VeerkrachtError):
    """A channel could not deliver an edition."""


class TransientDeliveryError(DeliveryError):
    """Delivery failed for a reason that may pass: retry later."""


class PermanentDeliveryError(DeliveryError):
    """Delivery failed for good: never retry."""


def is_transient(exc: BaseException) -> bool:
    """True when retrying could help."""
    return isinstance(exc, TransientDeliveryError)
