"""Shared test fixtures. The Prefect test harness starts once per session, never per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Keep Prefect's home (database, result storage) out of ~/.prefect so runs never leak between
# sessions; set before anything imports prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="veerkracht-prefect-home-")
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME)
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_API_ENABLE_HTTP2", "false")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real Prefect engine with a temporary database, shared by every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
