"""Prefect flow `publish-due`: publish what is due on a day, one task per edition.

Thin wiring over `flows.publishing.publish`: a task to load, check and plan, then one task per
edition (render + deliver: the side effect and the retry point), then a markdown artifact and
the report file. Never a task per message or recipient: task runs grow with editions only.
Editions run one after the other, because the state database (SQLite by default) prefers one
writer at a time.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import SecretStr

from channels.base import Edition
from flows.core.clock import today
from flows.core.errors import DeliveryError, is_transient
from flows.core.settings import Settings, load_settings, run_folders
from flows.infra.retries import retry_when
from flows.publishing.publish import (
    check_day,
    failed_outcome,
    finish,
    prepare,
    publish_edition,
    summary_line,
)
from flows.publishing.results import Outcome, Prepared, PublishResult

RETRY_DELAYS: list[float] = [
    10,
    60,
    300,
]  # seconds: an SMTP server that said 4xx usually recovers soon


def _settings(content_dir: str, out_dir: str) -> Settings:
    return load_settings(content_dir=Path(content_dir), out_dir=Path(out_dir))


def with_secrets(settings: Settings) -> Settings:
    """Settings with the SMTP password read from its Prefect Secret block, when one is named
    and the environment has none; only this entrypoint talks to Prefect about secrets."""
    if settings.smtp_password.get_secret_value() or not settings.smtp_password_block:
        return settings
    if os.environ.get("VEERKRACHT_SMTP_PASSWORD"):
        return settings
    from prefect.blocks.system import Secret

    value = str(Secret.load(settings.smtp_password_block).get())  # type: ignore[union-attr]
    return settings.model_copy(update={"smtp_password": SecretStr(value)})


# Retry only a TransientDeliveryError (4xx, dropped connection); never a permanent one.
retry_transient = retry_when(is_transient)


@task(name="load-check-plan", cache_policy=NO_CACHE, persist_result=False)
def load_check_plan(content_dir: str, out_dir: str, day: date, any_day: bool) -> Prepared:
    """Load the content and partners, check, decide what is held, and plan the day."""
    settings = _settings(content_dir, out_dir)
    check_day(day, settings, any_day=any_day)
    return prepare(settings, day)


@task(
    name="deliver-edition",
    task_run_name="deliver-{edition.channel}-{edition.target}",
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
    cache_policy=NO_CACHE,
    persist_result=False,
)
def deliver_edition(edition: Edition[Any], content_dir: str, out_dir: str) -> Outcome:
    """Render and deliver one edition (clients are built inside the channel, never passed in)."""
    return publish_edition(edition, with_secrets(_settings(content_dir, out_dir)))


@flow(name="publish-due")
def publish_due(
    day: str | None = None,
    content_dir: str | None = None,
    out_dir: str | None = None,
    any_day: bool = False,
) -> dict[str, Any]:
    """Publish everything due on `day` (default: today in Europe/Amsterdam).

    `any_day` skips the catch-up window check (for the demo and tests). Folders left empty come
    from the settings (see `run_folders`). Returns a summary; the run fails when an edition could
    not be delivered (after the report is written).
    """
    content_dir, out_dir = run_folders(content_dir, out_dir)
    logger = get_run_logger()
    when = date.fromisoformat(day) if day else today()
    settings = _settings(content_dir, out_dir)
    prepared = load_check_plan(content_dir, out_dir, when, any_day)
    result = PublishResult(prepared)
    for edition in prepared.editions:
        state = deliver_edition(edition, content_dir, out_dir, return_state=True)
        if state.is_completed():
            result.outcomes.append(state.result())
        else:
            error = state.result(raise_on_failure=False)
            exc = error if isinstance(error, BaseException) else DeliveryError(str(state.message))
            result.outcomes.append(failed_outcome(edition, exc))
    finish(result, settings)
    line = summary_line(result)
    create_markdown_artifact(key="publish-report", markdown=result.report_text, description=line)
    logger.info("%s; report in %s", line, result.report_path)
    if result.failed:
        raise DeliveryError(
            f"{len(result.failed)} edition(s) not delivered; see {result.report_path}"
        )
    return {
        "day": when.isoformat(),
        "editions": len(result.outcomes),
        "nothing_new": result.nothing_new,
        "held": len(prepared.held),
        "summary": line,
        "report": str(result.report_path),
    }
