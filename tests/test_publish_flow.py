"""The publish-due flow under a real Prefect engine: a task per edition, retries only transient
errors, the publish-report artifact, and a failing edition that does not stop the others."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from channels.base import Channel, Context, DeliveryReport, Edition, Labels, Loaded, Rendered
from flows.core.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from flows.core.models import Campaign, Strict
from flows.publishing import registry

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT = FIXTURES / "feeds" / "content"


class FlakySettings(Strict):
    """No settings."""


class FlakyChannel(Channel[FlakySettings, None, None, None]):
    """A test channel: one edition a day; delivery fails as told by `FAILURES`."""

    name = "flaky"
    label = Labels("Wisselvallig", "Flaky")
    settings_model = FlakySettings

    def load_inputs(self, settings: Any, library: Any) -> Loaded[None]:
        return Loaded(None)

    def plan(
        self,
        library: Any,
        inputs: None,
        campaigns: Sequence[Campaign],
        day: date,
        held: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[Edition[None]]:
        audiences = ("ouders-jonge-kinderen",)
        return [Edition("flaky", "only", day, "test-feeds", "Test", "nl", audiences, (), None)]

    def render(self, edition: Edition[None], ctx: Context) -> Rendered[None, None]:
        return Rendered(edition, {"flaky.txt": b"x"}, None)

    def deliver(self, rendered: Rendered[None, None], ctx: Context) -> DeliveryReport:
        ATTEMPTS.append(rendered.edition.key)
        if FAILURES:
            raise FAILURES.pop(0)
        return DeliveryReport(rendered.edition.key, "flaky", "only", delivered=1)


CHANNEL = FlakyChannel()
ATTEMPTS: list[str] = []
FAILURES: list[Exception] = []


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import flows.publish_flow as module

    # The registry's own dict, so every module that asks it sees the test channel too.
    monkeypatch.setitem(registry.channels(), "flaky", CHANNEL)
    # No waiting between retries in tests.
    monkeypatch.setattr(
        module, "deliver_edition", module.deliver_edition.with_options(retry_delay_seconds=0)
    )
    ATTEMPTS.clear()
    FAILURES.clear()
    yield
    FAILURES.clear()


def _task_runs(flow_run_id: Any) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        return client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )


def test_flow_publishes_with_a_task_per_edition_and_an_artifact(
    prefect_harness: None, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.publish_flow import publish_due

    state = publish_due(
        day="2027-01-04",
        content_dir=str(CONTENT),
        out_dir=str(tmp_path),
        any_day=True,
        return_state=True,
    )
    assert state.is_completed()
    summary = state.result()
    assert summary["editions"] >= 2 and not summary["nothing_new"]
    runs = _task_runs(state.state_details.flow_run_id)
    # One task to load/check/plan, one per newsletter edition (the retry point of a side
    # effect), and one per files-only channel for all its editions (feeds, posters here).
    names = sorted(r.name for r in runs)
    files = [n for n in names if n.endswith("-files")]
    assert "deliver-feeds-files" in files and len(files) == len(set(files))
    assert sum(1 for n in names if n.startswith("load-check-plan")) == 1
    letters = sum(1 for n in names if n.startswith("deliver-newsletter-"))
    assert len(runs) == 1 + len(files) + letters < summary["editions"] + 1
    assert (tmp_path / "reports" / "publish-2027-01-04.md").is_file()
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["publish-report"]))
        )
    assert any("# Publish report 2027-01-04" in str(a.data) for a in artifacts)

    again = publish_due(
        day="2027-01-04", content_dir=str(CONTENT), out_dir=str(tmp_path), any_day=True
    )
    assert again["nothing_new"] is True


def test_transient_failure_is_retried(prefect_harness: None, flaky: None, tmp_path: Path) -> None:
    from flows.publish_flow import publish_due

    FAILURES.append(TransientDeliveryError("421 try again later"))
    summary = publish_due(
        day="2027-01-05", content_dir=str(CONTENT), out_dir=str(tmp_path), any_day=True
    )
    assert ATTEMPTS == ["2027-01-05-flaky-only"] * 2
    assert summary["editions"] == 1


def test_permanent_failure_is_not_retried_and_reported(
    prefect_harness: None, flaky: None, tmp_path: Path
) -> None:
    from flows.publish_flow import publish_due

    FAILURES.append(PermanentDeliveryError("550 no such user"))
    with pytest.raises(DeliveryError, match="1 edition"):
        publish_due(day="2027-01-04", content_dir=str(CONTENT), out_dir=str(tmp_path), any_day=True)
    assert ATTEMPTS == ["2027-01-04-flaky-only"]  # no retry
    report = (tmp_path / "reports" / "publish-2027-01-04.md").read_text(encoding="utf-8")
    assert "## Not delivered" in report and "550 no such user" in report
    assert "| feeds | ouders-jonge-kinderen.nl |" in report  # the others still went out
    assert (tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss").is_file()


def test_a_run_without_folders_takes_them_from_the_settings(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deployments name no folders: VEERKRACHT_CONTENT_DIR and VEERKRACHT_OUT_DIR decide (the
    first version passed out_dir: out from prefect.yaml, which overrode the environment)."""
    import yaml

    from flows.publish_flow import publish_due

    deployments = yaml.safe_load((CONTENT.parents[3] / "prefect.yaml").read_text())["deployments"]
    for deployment in deployments:
        params = deployment.get("parameters") or {}
        assert "content_dir" not in params and "out_dir" not in params, deployment["name"]
    out = tmp_path / "elsewhere"
    monkeypatch.setenv("VEERKRACHT_CONTENT_DIR", str(CONTENT))
    monkeypatch.setenv("VEERKRACHT_OUT_DIR", str(out))
    summary = publish_due(day="2027-01-04", any_day=True)
    assert summary["editions"] >= 2
    assert (out / "reports" / "publish-2027-01-04.md").is_file()
    assert summary["report"] == str(out / "reports" / "publish-2027-01-04.md")


def test_an_unknown_outcome_fails_the_run_and_another_live_run_means_in_progress(
    prefect_harness: None, flaky: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run state tells the truth: a message with an unknown outcome is not COMPLETED; a
    day another live run holds is COMPLETED with "already in progress" and does nothing."""
    from flows.core.settings import load_settings
    from flows.infra.state import open_state
    from flows.publish_flow import publish_due
    from flows.publishing import leases

    def unsure(rendered: Rendered[None, None], ctx: Context) -> DeliveryReport:
        return DeliveryReport(rendered.edition.key, "flaky", "only", delivered=3, unknown=1)

    monkeypatch.setattr(CHANNEL, "deliver", unsure)
    state = publish_due(
        day="2027-01-05",
        content_dir=str(CONTENT),
        out_dir=str(tmp_path),
        any_day=True,
        return_state=True,
    )
    assert state.is_failed()
    assert "1 message has an unknown outcome" in str(state.message)
    report = (tmp_path / "reports" / "publish-2027-01-05.md").read_text(encoding="utf-8")
    assert "## Unknown outcome" in report

    engine = open_state(load_settings().resolved_state_url())
    other = leases.acquire(engine, leases.scope_for("", "2027-01-06"), 60, owner="w2.example:7:x")
    state = publish_due(
        day="2027-01-06",
        content_dir=str(CONTENT),
        out_dir=str(tmp_path),
        any_day=True,
        return_state=True,
    )
    assert state.is_completed()
    summary = state.result()
    assert summary["in_progress"] is True and "w2.example pid 7" in summary["summary"]
    assert not (tmp_path / "reports" / "publish-2027-01-06.md").exists()  # did nothing
    other.release()


def test_a_region_takes_its_settings_from_its_prefect_variable(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.variables import Variable

    from flows.publish_flow import run_settings

    regions = tmp_path / "regions.yaml"
    regions.write_text(
        "regions:\n  - id: oost\n"
        f"    content_dir: {CONTENT}\n    out_dir: {tmp_path / 'oost'}\n"
        "    settings:\n      organisation: JGZ Oost (file)\n    variable: veerkracht-oost\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VEERKRACHT_REGIONS_FILE", str(regions))
    assert run_settings(region="oost").organisation == "JGZ Oost (file)"  # no variable yet
    Variable.set("veerkracht-oost", {"organisation": "JGZ Oost (variable)"}, overwrite=True)
    settings = run_settings(region="oost")
    assert settings.organisation == "JGZ Oost (variable)" and settings.region == "oost"
    assert settings.out_dir == tmp_path / "oost"


@pytest.mark.parametrize(("regions", "batches"), [(7, 3), (2, 4), (5, 1), (4, 0)])
def test_publish_regions_shares_the_regions_over_its_batches(regions: int, batches: int) -> None:
    from flows.publish_flow import planned_runs

    ids = [f"r{i}" for i in range(regions)]
    planned = planned_runs(ids, "2027-01-04", False, batches, "one/region", "one/batch")
    if batches == 0:
        assert [p[2]["region"] for p in planned] == ids
        assert {p[1] for p in planned} == {"one/region"}
        return
    assert len(planned) == min(batches, regions)
    shared = [rid for p in planned for rid in p[2]["regions"]]
    assert sorted(shared) == sorted(ids)  # every region in exactly one batch
    sizes = [len(p[2]["regions"]) for p in planned]
    assert max(sizes) - min(sizes) <= 1  # as even as the count allows
    assert {p[1] for p in planned} == {"one/batch"} and len({p[3] for p in planned}) == len(planned)


def test_a_batch_publishes_each_region_and_names_the_one_that_failed(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """publish-batch runs each region as its own publish-due subflow: a region whose content
    cannot be read fails the batch by name, after the other region has published."""
    from flows.publish_flow import publish_batch

    regions = tmp_path / "regions.yaml"
    regions.write_text(
        "regions:\n"
        f"  - id: oost\n    content_dir: {tmp_path / 'missing'}\n    out_dir: {tmp_path / 'oost'}\n"
        f"  - id: west\n    content_dir: {CONTENT}\n    out_dir: {tmp_path / 'west'}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VEERKRACHT_REGIONS_FILE", str(regions))
    with pytest.raises(DeliveryError) as failed:
        publish_batch(day="2027-01-04", regions=["oost", "west"], any_day=True)
    assert "oost" in str(failed.value) and "west" not in str(failed.value)
    published = {p.parts[0] for p in _files(tmp_path / "west")}
    assert {"feeds", "reports"} <= published  # west published all the same
    assert "feeds" not in {p.parts[0] for p in _files(tmp_path / "oost")}


def _files(folder: Path) -> list[Path]:
    return [p.relative_to(folder) for p in folder.rglob("*") if p.is_file()]
