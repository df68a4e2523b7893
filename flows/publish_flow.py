"""Prefect flow `publish-due`: publish what is due on a day for one region.

Thin wiring over `flows.publishing.publish`: a task to load, check and plan, then one task per
newsletter edition (render + deliver: the side effect and the retry point) and one task per
files-only channel for all its editions, then a markdown artifact and the report file. Never a
task per message, screen or recipient.
Editions run one after the other, because the state database (SQLite by default) prefers one
writer at a time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from typing import Any, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import FlowRun, State
from prefect.concurrency.sync import concurrency
from prefect.deployments import run_deployment
from pydantic import SecretStr

from channels.base import Edition
from flows.core.clock import today
from flows.core.errors import DeliveryError, SettingsError, is_transient
from flows.core.i18n import _, ngettext
from flows.core.settings import Settings, load_settings
from flows.infra.retries import retry_when
from flows.publishing import regions, registry
from flows.publishing.leases import Lease, heartbeat
from flows.publishing.publish import (
    AlreadyInProgress,
    UnknownOutcome,
    check_day,
    day_lease,
    failed_outcome,
    finish,
    prepare,
    publish_edition,
    summary_line,
)
from flows.publishing.regions import find_region, load_regions
from flows.publishing.results import Outcome, Prepared, PublishResult

RETRY_DELAYS: list[float] = [
    10,
    60,
    300,
]  # seconds: an SMTP server that said 4xx usually recovers soon


def _variable(name: str) -> object:
    from prefect.variables import Variable

    return Variable.get(name, default=None)


def run_settings(
    content_dir: str | None = None, out_dir: str | None = None, region: str | None = None
) -> Settings:
    """The run's settings (see `flows.publishing.regions.run_settings`), with the region's
    Prefect Variable read here: only entrypoints talk to Prefect."""
    return regions.run_settings(content_dir, out_dir, region, read_variable=_variable)


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
def load_check_plan(settings: Settings, day: date) -> Prepared:
    """Load the content and partners, check, decide what is held, and plan the day."""
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
def deliver_edition(edition: Edition[Any], settings: Settings) -> Outcome:
    """Render and deliver one edition (clients are built inside the channel, never passed in)."""
    return publish_edition(edition, with_secrets(settings))


@flow(name="publish-due")
def publish_due(
    day: str | None = None,
    content_dir: str | None = None,
    out_dir: str | None = None,
    any_day: bool = False,
    region: str | None = None,
) -> dict[str, Any]:
    """Publish everything due on `day` (default: today in Europe/Amsterdam) for one region.

    `any_day` skips the catch-up window check (for the demo and tests). Empty parameters mean
    "take the setting" (see `run_settings`). A day that another live run is publishing ends this
    run COMPLETED with "already in progress". The run FAILS when an edition could not be
    delivered or a message has an unknown outcome (after the report is written), so the state
    in the UI and the exit code tell the truth.
    """
    logger = get_run_logger()
    settings = run_settings(content_dir, out_dir, region)
    when = date.fromisoformat(day) if day else today()
    check_day(when, settings, any_day=any_day)
    try:
        lease = day_lease(settings, when)
    except AlreadyInProgress as exc:
        logger.info("%s", exc)
        return {
            "day": when.isoformat(),
            "region": settings.region,
            "in_progress": True,
            "editions": 0,
            "nothing_new": True,
            "held": 0,
            "unknown": 0,
            "summary": str(exc),
            "report": "",
        }
    with region_guard(settings.region), heartbeat(lease):
        result = _publish(settings, when, lease)
    line = summary_line(result)
    create_markdown_artifact(key="publish-report", markdown=result.report_text, description=line)
    logger.info(
        "%s", _("{summary}; report in {path}").format(summary=line, path=result.report_path)
    )
    if result.failed:
        failed = len(result.failed)
        raise DeliveryError(
            ngettext(
                "{n} edition not delivered; see {path}",
                "{n} editions not delivered; see {path}",
                failed,
            ).format(n=failed, path=result.report_path)
        )
    if result.unknown:
        raise UnknownOutcome(
            ngettext(
                "{n} message has an unknown outcome (sent, never confirmed); it is not sent "
                "again until a person decides: see {path}",
                "{n} messages have an unknown outcome (sent, never confirmed); they are not sent "
                "again until a person decides: see {path}",
                result.unknown,
            ).format(n=result.unknown, path=result.report_path)
        )
    return {
        "day": when.isoformat(),
        "region": settings.region,
        "in_progress": False,
        "editions": len(result.outcomes),
        "nothing_new": result.nothing_new,
        "held": len(result.prepared.held),
        "unknown": 0,
        "summary": line,
        "report": str(result.report_path),
    }


@task(
    name="deliver-files",
    task_run_name="deliver-{channel}-files",
    cache_policy=NO_CACHE,
    persist_result=False,
)
def deliver_files(channel: str, editions: list[Edition[Any]], settings: Settings) -> list[Outcome]:
    """Render and write every edition of a files-only channel (screens, feeds, posters): one
    task for all of them; one edition that fails never stops the others."""
    outcomes: list[Outcome] = []
    for edition in editions:
        try:
            outcomes.append(publish_edition(edition, settings))
        except DeliveryError as exc:
            outcomes.append(failed_outcome(edition, exc))
    return outcomes


def _publish(settings: Settings, when: date, lease: Lease) -> PublishResult:
    prepared = load_check_plan(settings, when)
    result = PublishResult(prepared, took_over=lease.took_over)
    batched: dict[str, list[Edition[Any]]] = {}
    for edition in prepared.editions:
        if registry.channel(edition.channel).files_only:
            batched.setdefault(edition.channel, []).append(edition)
            continue
        state = deliver_edition(edition, settings, return_state=True)
        if state.is_completed():
            result.outcomes.append(state.result())
        else:
            result.outcomes.append(failed_outcome(edition, _failure(state)))
    for channel, editions in batched.items():
        files = deliver_files(channel, editions, settings, return_state=True)
        if files.is_completed():
            result.outcomes.extend(files.result())
        else:
            result.outcomes.extend(failed_outcome(e, _failure(files)) for e in editions)
    order = {id(e): i for i, e in enumerate(prepared.editions)}
    result.outcomes.sort(key=lambda o: order.get(id(o.edition), 0))  # the planner's order
    finish(result, settings)
    return result


def _failure(state: State[Any]) -> BaseException:
    """The exception a task run that did not complete ended with (or one naming its state)."""
    error = state.result(raise_on_failure=False)
    return error if isinstance(error, BaseException) else DeliveryError(str(state.message))


def _completed_or_raise(states: dict[str, str]) -> dict[str, str]:
    """Log each run's final state; raise naming those that did not end Completed."""
    logger = get_run_logger()
    for rid, name in states.items():
        logger.info("%s", _("region {region}: {state}").format(region=rid, state=name))
    bad = {rid: name for rid, name in states.items() if name != "Completed"}
    if bad:
        raise DeliveryError(
            ngettext(
                "region not completed: {regions}", "regions not completed: {regions}", len(bad)
            ).format(regions=", ".join(f"{k} ({v})" for k, v in sorted(bad.items())))
        )
    return states


@contextmanager
def region_guard(region: str) -> Iterator[None]:
    """Prefect's own guard beside the lease: one run per region at a time on the server.

    A global concurrency limit `veerkracht-publish-<region>` (limit 1, created on first use); a
    second run for the region waits for the first (like the deployment's ENQUEUE), then finds
    "nothing new". The one-region deployment uses the deployment's concurrency_limit instead.
    """
    if not region:
        yield
        return
    name = f"veerkracht-publish-{region}"
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client, suppress(ObjectAlreadyExists):
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
    with concurrency(name, occupy=1):
        yield


def _wait_for_all(runs: dict[str, FlowRun], poll: float = 2.0) -> dict[str, str]:
    """Each run's final state name, once every run has finished (at most six hours)."""
    from prefect.client.orchestration import get_client

    pending = dict(runs)
    states: dict[str, str] = {}
    deadline = time.monotonic() + 6 * 3600
    with get_client(sync_client=True) as client:
        while pending and time.monotonic() < deadline:
            for rid, run in list(pending.items()):
                state = client.read_flow_run(run.id).state
                if state is not None and state.is_final():
                    states[rid] = state.name or state.type.value
                    del pending[rid]
            if pending:
                time.sleep(poll)
    states.update(dict.fromkeys(pending, _("still running after 6 hours")))
    return states


def planned_runs(
    region_ids: list[str],
    day: str,
    any_day: bool,
    batches: int,
    deployment: str,
    batch_deployment: str,
) -> list[tuple[str, str, dict[str, Any], str]]:
    """(label, deployment, parameters, run name) of each run publish-regions starts: one per
    region, or with `batches` > 0 at most that many batches sharing the regions round-robin
    (every region in exactly one batch)."""
    if batches <= 0:
        return [
            (
                rid,
                deployment,
                {"day": day, "region": rid, "any_day": any_day},
                f"publish-{rid}-{day}",
            )
            for rid in region_ids
        ]
    count = min(batches, len(region_ids))
    planned = []
    for i in range(count):
        ids = region_ids[i::count]
        parameters = {"day": day, "regions": ids, "any_day": any_day}
        label = _("batch {n} ({regions})").format(n=i + 1, regions=", ".join(ids))
        planned.append((label, batch_deployment, parameters, f"publish-batch-{i + 1}-{day}"))
    return planned


@flow(name="publish-regions")
def publish_regions(
    day: str | None = None,
    deployment: str = "publish-due/publish-region",
    regions: list[str] | None = None,
    any_day: bool = False,
    batches: int = 0,
    batch_deployment: str = "publish-batch/publish-region-batch",
) -> dict[str, str]:
    """Fan the day out over the regions in regions.yaml: one `publish-due` run per region on the
    work pool (so N workers publish N regions at once); fails when a run did not end COMPLETED,
    naming it.

    `batches` > 0 starts that many `publish-batch` runs instead, each publishing its share of the
    regions one after the other in its own process: a flow-run process costs seconds to start
    (Python, Prefect, our code), which with many small regions on few cores is most of the day.
    """
    base = load_settings()
    known = load_regions(base.regions_file)
    if not known:
        raise SettingsError(
            _(
                "{path} does not exist: publish-regions needs the regions file (or use the "
                "publish-daily deployment for one region)"
            ).format(path=base.regions_file)
        )
    chosen = [find_region(known, r, base.regions_file) for r in regions] if regions else known
    when = day or today().isoformat()
    planned = planned_runs(
        [r.id for r in chosen], when, any_day, batches, deployment, batch_deployment
    )
    runs: dict[str, FlowRun] = {}
    for label, target, parameters, name in planned:
        # timeout=0: start every run now, then wait for all of them together.
        started = run_deployment(target, parameters=parameters, timeout=0, flow_run_name=name)
        runs[label] = cast(FlowRun, started)
    return _completed_or_raise(_wait_for_all(runs))


@flow(name="publish-batch")
def publish_batch(day: str, regions: list[str], any_day: bool = False) -> dict[str, str]:
    """Publish several regions' day one after the other in this process, each as its own
    `publish-due` subflow run (its own lease, guard, report and state); fails naming the regions
    whose run did not complete, after every region had its go."""
    states: dict[str, str] = {}
    for rid in regions:
        state = publish_due(day=day, region=rid, any_day=any_day, return_state=True)
        states[rid] = state.name or state.type.value
    return _completed_or_raise(states)
