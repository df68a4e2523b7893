"""Veerkracht Studio (issue 16) under a real uvicorn: overview, saving, conflicts, review,
inbox, live checks, CSRF, paths outside the content folder and the login rules."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.core.errors import SettingsError
from flows.core.settings import Settings
from flows.library.loader import LoadLog, load_message
from flows.studio.security import Access
from tests.studio_server import client, csrf_of, hash_of, running, studio_settings

REL = "messages/slapen/vast-slaapritueel.nl.md"
BLAME = "Het is jouw schuld als je kind slecht slaapt."


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    s = studio_settings(tmp_path)
    with running(s) as base:
        yield base, s


def form_for(path: Path, content: Path, **changes: str) -> dict[str, Any]:
    """The edit form as the page fills it for the message in `path`."""
    m = load_message(path, LoadLog(content))
    assert m is not None, f"{path} does not load"
    body = path.read_text("utf-8").split("\n---\n", 1)[1]
    form: dict[str, Any] = {
        "rel": str(path.relative_to(content)),
        "title": m.title,
        "theme": m.theme,
        "audiences": list(m.audiences),
        "screen_headline": m.screen.headline,
        "screen_text": m.screen.text,
        "resource_title": [r.title for r in m.resources],
        "resource_url": [r.url for r in m.resources],
        "valid_from": m.valid_from.isoformat(),
        "valid_until": m.valid_until.isoformat() if m.valid_until else "",
        "review_by": m.review_by.isoformat() if m.review_by else "",
        "status": m.status,
        "body": body,
        "door": "Sanne",
    }
    form.update(changes)
    return form


def test_the_overview_lists_the_bundled_messages(studio: tuple[str, Settings]) -> None:
    base, _ = studio
    with client(base) as c:
        page = c.get("/")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "Overzicht" in page.text and "Slapen" in page.text
    assert f'href="/bericht/{REL}"' in page.text
    assert page.text.count('href="/bericht/messages/') >= 70  # 79 bundled messages


def test_saving_a_changed_title_keeps_the_other_fields_and_comments(
    studio: tuple[str, Settings],
) -> None:
    base, s = studio
    path = s.content_dir / REL
    before = path.read_text("utf-8")
    commented = before.replace("\ntheme:", "\n# gecontroleerd door de jeugdarts\ntheme:", 1)
    path.write_text(commented, "utf-8")
    with client(base) as c:
        page = c.get(f"/bericht/{REL}")
        form = form_for(path, s.content_dir, title="Een vaste avond helpt je kind")
        form |= {"csrf": csrf_of(page.text), "hash": hash_of(page.text)}
        saved = c.post(f"/bericht/{REL}", data=form)
    assert saved.status_code == 303, saved.text
    after = path.read_text("utf-8")
    assert "title: Een vaste avond helpt je kind\n" in after
    assert "# gecontroleerd door de jeugdarts\n" in after
    old_lines = [line for line in commented.splitlines() if not line.startswith("title:")]
    assert [line for line in after.splitlines() if not line.startswith("title:")] == old_lines
    audit = (s.out_dir / "reports" / "studio-audit.log").read_text("utf-8").splitlines()
    entry = json.loads(audit[-1])
    assert (entry["wie"], entry["bestand"], entry["wat"]) == ("Sanne", REL, "opgeslagen")
    assert main(["check", str(path), "--content", str(s.content_dir)]) == 0


def test_a_change_on_disk_meanwhile_is_never_overwritten(studio: tuple[str, Settings]) -> None:
    base, s = studio
    path = s.content_dir / REL
    with client(base) as c:
        page = c.get(f"/bericht/{REL}")
        form = form_for(path, s.content_dir, title="Mijn nieuwe titel")
        form |= {"csrf": csrf_of(page.text), "hash": hash_of(page.text)}
        theirs = path.read_text("utf-8").replace("Veel ouders", "Heel veel ouders", 1)
        assert theirs != path.read_text("utf-8")
        path.write_text(theirs, "utf-8")
        answer = c.post(f"/bericht/{REL}", data=form)
        assert answer.status_code == 409
        assert path.read_text("utf-8") == theirs  # nothing lost
        assert "Het bestand is intussen veranderd" in answer.text
        assert "Mijn nieuwe titel" in answer.text and "Heel veel ouders" in answer.text
        # The adviser chooses their own version: it is written over the newest one.
        form |= {"csrf": csrf_of(answer.text), "hash": hash_of(answer.text)}
        again = c.post(f"/bericht/{REL}", data=form)
    assert again.status_code == 303
    assert "title: Mijn nieuwe titel\n" in path.read_text("utf-8")


def test_the_check_endpoint_runs_the_real_checks_on_unsaved_text(
    studio: tuple[str, Settings],
) -> None:
    base, s = studio
    path = s.content_dir / REL
    with client(base) as c:
        page = c.get(f"/bericht/{REL}")
        form = form_for(path, s.content_dir)
        form["body"] += f"\n{BLAME}\n"
        answer = c.post("/controleer", data=form, headers={"X-CSRF-Token": csrf_of(page.text)})
    assert answer.status_code == 200
    found = answer.json()["findings"]
    blame = [f for f in found if f["code"] == "T203"]
    assert blame and blame[0]["severity"] == "error"
    assert blame[0]["where"].startswith("tekst, regel ")
    assert form["body"].splitlines()[blame[0]["body_line"] - 1] == BLAME
    assert "scherm/index.html" in answer.json()["previews"]
    assert BLAME not in path.read_text("utf-8")  # checking never saves


def test_review_is_refused_with_errors_and_accepted_without(studio: tuple[str, Settings]) -> None:
    base, s = studio
    path = s.content_dir / REL
    clean = path.read_text("utf-8").replace("status: gepubliceerd", "status: concept", 1)
    path.write_text(clean.rstrip("\n") + f"\n\n{BLAME}\n", "utf-8")
    with client(base) as c:
        token = csrf_of(c.get(f"/bericht/{REL}").text)
        refused = c.post(f"/nakijken/{REL}", data={"csrf": token, "reviewer": "Ali Bakker"})
        assert refused.status_code == 409
        assert "T203" in refused.text
        assert "status: concept" in path.read_text("utf-8")
        path.write_text(clean, "utf-8")
        accepted = c.post(f"/nakijken/{REL}", data={"csrf": token, "reviewer": "Ali Bakker"})
    assert accepted.status_code == 303
    text = path.read_text("utf-8")
    assert "status: gepubliceerd\n" in text and "reviewed_by: Ali Bakker\n" in text


def test_an_inbox_draft_opens_in_the_editor_and_is_accepted_as_concept(
    studio: tuple[str, Settings],
) -> None:
    base, s = studio
    draft = s.content_dir / "inbox" / "ncj" / "slaap-tips.nl.md"
    draft.parent.mkdir(parents=True)
    source = (s.content_dir / REL).read_text("utf-8")
    draft.write_text(
        source.replace("id: vast-slaapritueel", "id: slaap-tips", 1).replace(
            "status: gepubliceerd", "status: klaar-voor-review", 1
        ),
        "utf-8",
    )
    with client(base) as c:
        overview = c.get("/")
        assert "inbox/ncj/slaap-tips.nl.md" in overview.text
        page = c.get("/bericht/inbox/ncj/slaap-tips.nl.md")
        assert page.status_code == 200 and "Overnemen als concept" in page.text
        moved = c.post("/overnemen/inbox/ncj/slaap-tips.nl.md", data={"csrf": csrf_of(page.text)})
    assert moved.status_code == 303
    target = s.content_dir / "messages" / "slapen" / "slaap-tips.nl.md"
    assert not draft.exists()
    assert "status: concept\n" in target.read_text("utf-8")


def test_a_form_without_its_csrf_token_is_refused(studio: tuple[str, Settings]) -> None:
    base, s = studio
    path = s.content_dir / REL
    before = path.read_bytes()
    with client(base) as c:
        page = c.get(f"/bericht/{REL}")
        form = form_for(path, s.content_dir, title="Zonder token") | {"hash": hash_of(page.text)}
        missing = c.post(f"/bericht/{REL}", data=form)
        wrong = c.post(f"/bericht/{REL}", data=form | {"csrf": "0" * 64})
        review = c.post(f"/nakijken/{REL}", data={"reviewer": "Ali"})
    assert (missing.status_code, wrong.status_code, review.status_code) == (403, 403, 403)
    assert path.read_bytes() == before


def _raw_get(base: str, target: str) -> int:
    """The status of a GET sent byte for byte (httpx would normalise the dots away)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        head = sock.recv(4096).decode("latin-1")
    return int(head.split(" ", 2)[1])


def test_no_path_outside_the_content_folder_is_read_or_written(
    studio: tuple[str, Settings], tmp_path: Path
) -> None:
    base, s = studio
    secret = tmp_path / "geheim.md"
    secret.write_text("---\nid: geheim\n---\ngeheim\n", "utf-8")
    (s.content_dir / "messages" / "slapen" / "link.nl.md").symlink_to(secret)
    for target in (
        "/bericht/messages/../../geheim.md",
        "/bericht/messages/%2e%2e/%2e%2e/geheim.md",
        "/bericht/messages%2F..%2F..%2Fgeheim.md",
        "/bericht/messages/slapen/link.nl.md",
        "/bericht/style.yaml",
        "/bericht//etc/passwd",
        "/voorbeeld/..%2F..%2Fcontent/style.yaml",
    ):
        assert _raw_get(base, target) in (400, 404), target
    with client(base) as c:
        token = csrf_of(c.get(f"/bericht/{REL}").text)
        for rel in ("messages/../../geheim.md", "inbox/../../geheim.md"):
            answer = c.post(f"/bericht/{rel.replace('..', '%2e%2e')}", data={"csrf": token})
            assert answer.status_code in (400, 404), rel
        bad = c.post("/controleer", data={"csrf": token, "rel": "../geheim.md", "title": "x"})
        assert bad.status_code == 404
        new = c.post("/nieuw", data={"csrf": token, "id": "../../x", "lang": "nl", "theme": "eten"})
        assert new.status_code == 400
    assert secret.read_text("utf-8") == "---\nid: geheim\n---\ngeheim\n"
    assert not (tmp_path / "x.nl.md").exists()


def test_a_host_other_than_loopback_needs_a_login(tmp_path: Path) -> None:
    s = studio_settings(tmp_path)
    with pytest.raises(SettingsError, match="VEERKRACHT_STUDIO_PASSWORD"):
        Access.for_host(s, "0.0.0.0")
    code = main(["studio", "--host", "0.0.0.0", "--port", "0", "--content", str(s.content_dir)])
    assert code == 2
    assert Access.for_host(s, "127.0.0.1").login == "none"
    assert Access.for_host(s, "::1").login == "none"


def test_the_team_password_logs_in(tmp_path: Path) -> None:
    s = studio_settings(tmp_path, studio_password="lang-en-geheim")
    with running(s, host="0.0.0.0") as base, client(base) as c:
        first = c.get("/")
        assert first.status_code == 303 and first.headers["location"] == "/inloggen"
        token = csrf_of(c.get("/inloggen").text)
        wrong = c.post("/inloggen", data={"csrf": token, "naam": "Ali", "wachtwoord": "nee"})
        assert wrong.status_code == 401
        assert c.get("/").status_code == 303
        right = c.post(
            "/inloggen", data={"csrf": token, "naam": "Ali", "wachtwoord": "lang-en-geheim"}
        )
        assert right.status_code == 303
        page = c.get("/")
        assert page.status_code == 200 and "Ingelogd als Ali" in page.text


def test_the_proxy_header_names_the_user_in_the_audit_log(tmp_path: Path) -> None:
    s = studio_settings(tmp_path, studio_user_header="X-Remote-User")
    path = s.content_dir / REL
    with running(s, host="0.0.0.0") as base, client(base) as c:
        assert c.get("/").status_code == 401
        who = {"X-Remote-User": "Fatima el Idrissi"}
        page = c.get(f"/bericht/{REL}", headers=who)
        assert page.status_code == 200
        form = form_for(path, s.content_dir, title="Rust in de avond")
        form |= {"csrf": csrf_of(page.text), "hash": hash_of(page.text), "door": "iemand anders"}
        assert c.post(f"/bericht/{REL}", data=form, headers=who).status_code == 303
    entry = json.loads((s.out_dir / "reports" / "studio-audit.log").read_text("utf-8"))
    assert entry["wie"] == "Fatima el Idrissi"
