"""`veerkracht reach`: counts per message, channel and place; small counts never shown exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from channels.shared import reach
from channels.shared.shortlinks import short_code
from flows.cli import main
from flows.core.settings import load_settings
from flows.infra.state import open_state
from flows.library.loader import load_library
from tests.conftest import CONTENT


def test_reach_report_counts_per_message_and_hides_small_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = load_library(CONTENT)
    message = next(m for m in library.messages if m.resources and m.lang == "nl")
    url = message.resources[0].url
    engine = open_state(load_settings().resolved_state_url())
    assert (
        reach.register(engine, [url, "https://example.org/<b>"], "screens", ["wachtkamer-a"]) == []
    )
    code = short_code(url)
    for _ in range(7):
        reach.count(engine, code, "screens", "wachtkamer-a", date(2027, 1, 5))
    for _ in range(2):
        reach.count(engine, code, "posters", "2027-w01", date(2027, 1, 6))
    reach.count(engine, short_code("https://example.org/<b>"), "overig", "", date(2027, 1, 6))

    code_out = main(["reach", "--content", str(CONTENT), "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert code_out == 0
    assert f"     9  {message.title}" in printed  # 7 scans on a screen + 2 on a poster
    page = (tmp_path / "reports" / "reach.html").read_text(encoding="utf-8")
    assert "schermen wachtkamer-a: 7" in page
    assert "posters 2027-w01: &lt; 5" in page  # 2 is shown as "< 5"
    assert "https://example.org/&lt;b&gt;" in page and "<b>" not in page  # escaped
    assert "(geen bericht meer)" in page
    md = (tmp_path / "reports" / "reach.md").read_text(encoding="utf-8")
    assert "| 9 |" in md and "\\< 5" in md

    only_6th = main(
        ["reach", "--from", "2027-01-06", "--content", str(CONTENT), "--out", str(tmp_path)]
    )
    assert only_6th == 0 and f"   < 5  {message.title}" in capsys.readouterr().out


def test_reach_flow_publishes_the_artifact(prefect_harness: None, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.reach_flow import reach_report

    library = load_library(CONTENT)
    url = next(r.url for m in library.messages for r in m.resources)
    engine = open_state(load_settings().resolved_state_url())
    reach.register(engine, [url], "screens", ["hal"])
    for _ in range(6):
        reach.count(engine, short_code(url), "screens", "hal", date(2027, 1, 5))
    assert reach_report(content_dir=str(CONTENT), out_dir=str(tmp_path)) == 1
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["reach"]))
        )
    assert any("schermen hal: 6" in str(a.data) for a in artifacts)
    assert (tmp_path / "reports" / "reach.html").is_file()
