"""The `ingest-feeds` Prefect flow under the real (session-wide) Prefect test harness."""

from __future__ import annotations

from collections.abc import Coroutine
from pathlib import Path

import pytest

from tests.ingest_server import feed_server
from tests.test_ingest_feeds import write_sources


@pytest.mark.usefixtures("prefect_harness")
def test_ingest_flow_writes_drafts_report_and_artifact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.artifacts import Artifact

    from flows.ingest_flow import ingest_feeds

    monkeypatch.setenv("VEERKRACHT_NET_ALLOW", '["127.0.0.1"]')
    content, out = tmp_path / "content", tmp_path / "out"
    with feed_server() as (base, served):
        write_sources(content, {"atom": f"{base}/feeds/atom.xml", "weg": f"{base}/gone"})
        summary = ingest_feeds(content_dir=str(content), out_dir=str(out))
        report = (out / "reports" / "ingest.md").read_text("utf-8")
        again = ingest_feeds(content_dir=str(content), out_dir=str(out))
    assert summary["new_drafts"] == 2
    assert summary["failing"] == ["weg"] and summary["needs_attention"] == ["weg"]
    assert "## Needs attention" in report and "Praten over spanning thuis" in report
    assert again["new_drafts"] == 0  # the second run got a 304 and wrote nothing
    conditional = [r for r in served.requests if r[0] == "/feeds/atom.xml" and r[1]]
    assert len(conditional) == 1
    assert len(list((content / "inbox" / "atom").glob("*.nl.md"))) == 2
    artifact = Artifact.get("feed-ingest")
    assert artifact is not None and not isinstance(artifact, Coroutine)
    assert isinstance(artifact.data, str)
    assert "weg" in artifact.data and "0 new drafts" in artifact.data
