"""Shared test fixtures. The Prefect test harness starts once per session, never per test."""

from __future__ import annotations

import functools
import inspect
import os
import re
import tempfile
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# A real PostgreSQL for the state tests: pg_cluster, pg_url, state_url (tests/postgres.py).
pytest_plugins = ["tests.postgres"]

# Keep Prefect's home (database, result storage) out of ~/.prefect so runs never leak between
# sessions; set before anything imports prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="veerkracht-prefect-home-")
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME)
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_API_ENABLE_HTTP2", "false")
# The tests were written against the English texts (msgids); the Dutch ones are tested in
# tests/test_i18n.py and by the tests that ask for them (flows.core.i18n.language("nl")).
os.environ.setdefault("VEERKRACHT_LANG", "en")
# The default state folder is ./state; tests never share one with a checkout or another run.
os.environ["VEERKRACHT_STATE_DIR"] = tempfile.mkdtemp(prefix="veerkracht-state-")


@pytest.fixture(autouse=True)
def _own_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own state database, as each has its own out folder."""
    monkeypatch.setenv("VEERKRACHT_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real Prefect engine with a temporary database, shared by every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


# --- Test tiers ------------------------------------------------------------------------------
# Every test gets exactly one tier marker, from what it uses, so no test file has to say it:
#   prefect  the prefect_harness fixture, or a `prefect server start` in its code or fixtures
#   browser  playwright (Debian's /usr/bin/chromium)
#   server   a real SMTP, HTTP or PostgreSQL server on 127.0.0.1 (the helpers below start them)
#   unit     everything else; `make test-fast` runs only these
# "Its code" is the test function, the fixtures it uses and the helpers from tests/ that they
# call, so a new test that uses the same helpers is tiered without anyone marking it. A test that
# carries a tier marker itself keeps it.
TIERS = ("unit", "server", "browser", "prefect")
_PLAYWRIGHT = re.compile(r"playwright")
_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("prefect", re.compile(r'"server",\s*"start"')),
    ("browser", _PLAYWRIGHT),
    (
        "server",
        re.compile(
            r"\b(?:serving|smtp_server|feed_server|silent_server|make_server|Controller"
            r"|ServerThread)\("  # tests/serving.py, tests/ingest_server.py, aiosmtpd, ...
            r'|Popen\(\s*\[[^\]]*"serve"'  # `veerkracht serve` in a child process
            r"|\b(?:initdb|pg_ctl|postgres(?:ql)?://)"  # a PostgreSQL server of the test's own
        ),
    ),
)
_TESTS = Path(__file__).resolve().parent


def _ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@functools.cache
def _own_source(func: Callable[..., object]) -> str:
    """Source of `func` and of the functions from tests/ it calls (and they call), if in tests/."""
    texts: list[str] = []
    seen: set[object] = set()
    todo = [func]
    while todo:
        f = inspect.unwrap(todo.pop())
        if f in seen:
            continue
        seen.add(f)
        try:
            if not Path(inspect.getsourcefile(f) or "").resolve().is_relative_to(_TESTS):
                continue
            texts.append(inspect.getsource(f))
        except (OSError, TypeError):
            continue
        codes = [getattr(f, "__code__", None)]
        scope = getattr(f, "__globals__", {})
        while codes:
            code = codes.pop()
            if code is not None:
                todo.extend(h for n in code.co_names if inspect.isfunction(h := scope.get(n)))
                codes.extend(c for c in code.co_consts if inspect.iscode(c))
    return "\n".join(texts)


def _tier(item: pytest.Item) -> str:
    fixtures = set(getattr(item, "fixturenames", ()))
    if "prefect_harness" in fixtures:
        return "prefect"
    funcs = [getattr(item, "function", None)]
    name2defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    funcs += [d.func for name in sorted(fixtures) for d in name2defs.get(name, ())]
    code = "\n".join(_own_source(f) for f in funcs if f is not None)
    return next((tier for tier, signal in _SIGNALS if signal.search(code)), "unit")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not any(m.name in TIERS for m in item.iter_markers()):
            item.add_marker(_tier(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under CI a browser test may not skip (a missing Chromium would hide a whole tier)."""
    report = yield
    if report.skipped and _ci() and item.get_closest_marker("browser") and not _xfail(report):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"browser test skipped with CI set ({reason}); see .ci/system-packages"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Likewise a browser test module skipped as a whole (playwright missing) under CI."""
    report = yield
    if (
        report.skipped
        and _ci()
        and isinstance(collector, pytest.Module)
        and _PLAYWRIGHT.search(collector.path.read_text(encoding="utf-8"))
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"browser tests skipped with CI set ({reason}); see .ci/system-packages"
    return report


def _xfail(report: pytest.TestReport) -> bool:
    return hasattr(report, "wasxfail")
