"""prefect.yaml for real: a Prefect server on 127.0.0.1, `deploy --all`, a run, a worker.

Starts `prefect server start` with a temporary PREFECT_HOME (its own SQLite database), creates
the `veerkracht` process work pool, deploys every deployment in prefect.yaml, triggers
`publish-due/publish-daily` for the campaign's first day into a temporary folder, runs a worker
until that run is done, and checks the run COMPLETED and wrote its outputs. Every process it
starts is stopped at the end.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Prefect server on a free loopback port; yields the environment to talk to it."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "VEERKRACHT_"))}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_ENABLED": "false",
            "PREFECT_API_ENABLE_HTTP2": "false",
            "PREFECT_LOGGING_TO_API_ENABLED": "false",
            "VEERKRACHT_HOME": str(REPO),
        }
    )
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 150
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "Prefect server did not start:\n"
                    + (home / "server.log").read_text(errors="replace")[-3000:]
                )
            time.sleep(0.5)
        yield env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def prefect(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run the prefect CLI in the project folder; fail the test with its output on error."""
    done = subprocess.run(
        [PREFECT, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{output[-4000:]}"
    return output


def test_prefect_yaml_has_the_required_shape() -> None:
    config = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    names = {d["name"]: d for d in config["deployments"]}
    assert {"publish-daily", "check-content"} <= set(names)
    assert names["publish-daily"]["schedules"][0]["cron"] == "0 6 * * *"
    for deployment in config["deployments"]:
        assert deployment["work_pool"]["name"] == "veerkracht"
        for schedule in deployment.get("schedules", []):
            assert schedule["timezone"] == "Europe/Amsterdam" and schedule["slug"]
    assert config["pull"][0]["prefect.deployments.steps.set_working_directory"]
    for name in ("publish-daily", "publish-all-regions"):  # argued in prefect.yaml and README
        assert names[name]["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}
    assert names["publish-all-regions"]["schedules"][0]["active"] is False  # opt in
    assert "schedules" not in names["publish-region"]  # started by the parent only


@pytest.mark.timeout(300)
def test_deploy_run_and_worker(server: dict[str, str], tmp_path: Path) -> None:
    env = server
    prefect(env, "work-pool", "create", "veerkracht", "--type", "process")
    output = prefect(env, "--no-prompt", "deploy", "--all", timeout=180)
    assert "publish-due/publish-daily" in output
    out = tmp_path / "out"
    output = prefect(
        env,
        "deployment",
        "run",
        "publish-due/publish-daily",
        "--param",
        "day=2027-01-04",
        "--param",
        f"out_dir={out}",
        "--param",
        f"content_dir={REPO / 'content'}",
        "--param",
        "any_day=true",
    )
    match = re.search(r"UUID:\s*([0-9a-f-]{36})", output)
    assert match, output
    run_id = match.group(1)
    api = env["PREFECT_API_URL"]
    state = ""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        prefect(env, "worker", "start", "--pool", "veerkracht", "--run-once", timeout=180)
        run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()
        state = run["state"]["type"]
        if state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            break
        time.sleep(1)
    assert state == "COMPLETED", json.dumps(run, indent=1)[-3000:]
    assert (out / "reports" / "publish-2027-01-04.md").is_file()
    assert sorted((out / "feeds").glob("*.rss")), "no feeds were written"
    schedules = httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()
    by_name = {d["name"]: d for d in schedules}
    daily = by_name["publish-daily"]["schedules"][0]["schedule"]
    assert (daily["cron"], daily["timezone"]) == ("0 6 * * *", "Europe/Amsterdam")
    assert "check-content" in by_name


REGIONS = """\
regions:
  - id: noord
    content_dir: {content}
    out_dir: {out}/noord
  - id: zuid
    content_dir: {content}
    out_dir: {out}/zuid
    settings:
      organisation: JGZ Zuid
"""


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "veerkracht"],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.timeout(420)
def test_two_workers_publish_two_regions(server: dict[str, str], tmp_path: Path) -> None:
    from channels.newsletter import ledger
    from flows.infra.state import open_state

    out = tmp_path / "out"
    regions = tmp_path / "regions.yaml"
    regions.write_text(REGIONS.format(content=REPO / "content", out=out), encoding="utf-8")
    state = f"sqlite:///{tmp_path / 'state' / 'state.db'}"
    env = {
        **server,
        "VEERKRACHT_REGIONS_FILE": str(regions),
        "VEERKRACHT_STATE_URL": state,
    }
    pools = httpx.post(f"{env['PREFECT_API_URL']}/work_pools/filter", json={}, timeout=10).json()
    if "veerkracht" not in {p["name"] for p in pools}:
        prefect(env, "work-pool", "create", "veerkracht", "--type", "process")
    prefect(env, "--no-prompt", "deploy", "--all", timeout=180)
    workers = [_worker(env, tmp_path / f"worker-{i}.log") for i in (1, 2)]
    try:
        output = prefect(
            env,
            "deployment",
            "run",
            "publish-regions/publish-all-regions",
            "--param",
            "day=2027-01-05",
            "--param",
            "any_day=true",
        )
        match = re.search(r"UUID:\s*([0-9a-f-]{36})", output)
        assert match, output
        api = env["PREFECT_API_URL"]
        deadline = time.monotonic() + 300
        run: dict[str, object] = {}
        while time.monotonic() < deadline:
            run = httpx.get(f"{api}/flow_runs/{match.group(1)}", timeout=10).json()
            if run["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:  # type: ignore[index]
                break
            time.sleep(1)
        logs = "".join(p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("worker-*.log"))
        assert run["state"]["type"] == "COMPLETED", json.dumps(run)[-1500:] + logs  # type: ignore[index]
        children = httpx.post(
            f"{api}/flow_runs/filter",
            json={"flow_runs": {"parent_flow_run_id": {"any_": [match.group(1)]}}},
            timeout=10,
        ).json()
        names = sorted(c["name"] for c in children)
        assert names == ["publish-noord-2027-01-05", "publish-zuid-2027-01-05"], names
        assert all(c["state"]["type"] == "COMPLETED" for c in children)
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
                w.wait()
    engine = open_state(state)
    for rid in ("noord", "zuid"):
        assert (out / rid / "reports" / "publish-2027-01-05.md").is_file()
        letters = sorted((out / rid / "outbox").iterdir())
        assert letters and all(d.name.startswith(f"{rid}-2027-01-05-newsletter-") for d in letters)
        for folder in letters:
            rows = ledger.states(engine, folder.name)
            assert len(rows) == len(list(folder.glob("*.eml"))) > 0
            assert set(rows.values()) == {ledger.SENT}
    limits = httpx.post(f"{api}/v2/concurrency_limits/filter", json={}, timeout=10).json()
    assert {"veerkracht-publish-noord", "veerkracht-publish-zuid"} <= {x["name"] for x in limits}
