"""The `check-links` Prefect flow end to end: table artifact and HTML report."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.fixtures.links.httpserver import serving
from tests.test_links_run import make_content


def test_check_links_flow(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client

    from flows.links_flow import check_links

    monkeypatch.setenv("VEERKRACHT_NET_ALLOW", '["127.0.0.1"]')
    monkeypatch.setenv("VEERKRACHT_LINK_TIMEOUT", "2")
    with serving(count=2) as st:
        content = make_content(tmp_path / "content", st.servers[0].base, st.servers[1].base)
        out = tmp_path / "out"
        counts = check_links(content_dir=str(content), out_dir=str(out))
    assert counts == {"ok": 1, "broken": 2, "redirected": 1}
    html = (out / "reports" / "links.html").read_text()
    assert "/notfound/weg" in html and "broken" in html

    async def artifact_rows() -> str:
        async with get_client() as client:
            artifact = await client.read_latest_artifacts()
            found = [a for a in artifact if a.key == "link-check"]
            assert found, [a.key for a in artifact]
            return str(found[0].data)

    data = asyncio.run(artifact_rows())
    assert "/gone/ochtend" in data and "broken" in data
