"""Veerkracht Studio (issue 16) under a real uvicorn: overview, saving, conflicts, review,
inbox, live checks, CSRF, paths outside the content folder and the login rules."""

from __future__ import annotations

import html
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.core.clock import today
from flows.core.errors import SettingsError
from flows.core.i18n import language
from flows.core.settings import Settings
from flows.library.loader import LoadLog, load_library, load_message
from flows.publishing.checking import check_folder
from flows.studio.security import Access, hash_password
from flows.studio.state import ContentState
from tests.conftest import REPO
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
    assert list((s.out_dir / "preview").rglob("index.html"))
    assert not list((s.out_dir / "preview").rglob("*.pdf"))  # no poster PDF while typing
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
    s = studio_settings(tmp_path, studio_password=hash_password("lang-en-geheim"))
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


def test_the_hash_command_makes_a_hash_the_studio_accepts(tmp_path: Path) -> None:
    made = subprocess.run(
        [sys.executable, "-m", "flows.studio.password"],
        input="lang-en-geheim\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    hashed = made.stdout.strip()
    assert hashed.startswith("$argon2id$") and "lang-en-geheim" not in hashed
    access = Access.for_host(studio_settings(tmp_path, studio_password=hashed), "0.0.0.0")
    assert access.login == "password"
    assert access.password_ok("lang-en-geheim")
    assert not access.password_ok("lang-en-geheim ")
    assert not access.password_ok("")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("lang-en-geheim", "staat daar het wachtwoord zelf?"),
        ("$scrypt$ln=14,r=8,p=1$c2FsdA$aGFzaA", "een oude scrypt-hash"),
        ("$argon2id$v=19$m=65536,t=3,p=4$afgebroken", "een argon2-hash die niet klopt"),
    ],
)
def test_a_team_password_that_is_no_argon2_hash_is_refused_in_dutch(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    says: str,
) -> None:
    s = studio_settings(tmp_path, studio_password=value)
    with pytest.raises(SettingsError) as refused:
        Access.for_host(s, "0.0.0.0")
    text = str(refused.value)
    assert says in text and "Maak een nieuwe hash" in text
    assert "python -m flows.studio.password" in text
    capsys.readouterr()
    monkeypatch.setenv("VEERKRACHT_STUDIO_PASSWORD", value)  # as IT sets it
    code = main(["studio", "--host", "0.0.0.0", "--port", "0", "--content", str(s.content_dir)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("veerkracht: VEERKRACHT_STUDIO_PASSWORD is ") and says in err


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


CAMPAIGN = "sterk-begin-2027.yaml"


def campaign_form(page: str, **changes: str) -> dict[str, str]:
    """The campaign form as a browser sends it from `page`, with `changes` (name to value); no
    box ticked unless `changes` ticks it."""
    form = page.split('<form method="post"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input [^>]*name="([^"]+)" value="([^"]*)"', form))
    selects = re.findall(r'<select id="[^"]*" name="([^"]+)">(.*?)</select>', form, re.DOTALL)
    for name, options in selects:
        fields[name] = re.findall(r'<option value="([^"]*)" selected', options)[0]
    return {k: html.unescape(v) for k, v in fields.items()} | changes | {"door": "Sanne"}


def test_a_campaign_form_changes_only_the_changed_values_in_place(
    studio: tuple[str, Settings],
) -> None:
    base, s = studio
    path = s.content_dir / "campaigns" / CAMPAIGN
    before = path.read_text("utf-8")
    with client(base) as c:
        listed = c.get("/campagnes")
        assert f'href="/campagne/{CAMPAIGN}"' in listed.text
        page = c.get(f"/campagne/{CAMPAIGN}")
        assert page.status_code == 200
        form = campaign_form(page.text)
        assert form["weeks.2.theme"] == "steun" and form["channels.screens.slides"] == "12"
        form |= {
            "weeks.2.theme": "eten",
            "channels.newsletter.cadence": "weekly on friday",
            "channels.screens.slides": "10",
        }
        saved = c.post(f"/campagne/{CAMPAIGN}", data=form)
        assert saved.status_code == 303, saved.text
        shown = c.get(saved.headers["location"])
    assert "Opgeslagen" in shown.text
    after = path.read_text("utf-8")
    expected = (
        before.replace(
            "  - theme: steun            # 18 jan", "  - theme: eten            # 18 jan"
        )
        .replace('cadence: "every 2 weeks on tuesday"', 'cadence: "weekly on friday"')
        .replace("    slides: 12\n", "    slides: 10\n")
    )
    assert after == expected  # comments, order and quoting of everything else as written
    entry = json.loads((s.out_dir / "reports" / "studio-audit.log").read_text("utf-8"))
    assert (entry["wie"], entry["bestand"]) == ("Sanne", f"campaigns/{CAMPAIGN}")
    assert main(["check", "--content", str(s.content_dir)]) == 0


FEEDS = '  feeds:\n    cadence: "weekly on monday"\n    items: 20\n'
LAST_WEEK = "  - theme: veerkracht       # 22 mrt: looking back on what helped\n"


def test_a_campaign_form_adds_a_week_and_a_channel(studio: tuple[str, Settings]) -> None:
    base, s = studio
    path = s.content_dir / "campaigns" / CAMPAIGN
    without = path.read_text("utf-8").replace(FEEDS, "")
    assert FEEDS not in without and without.endswith("slides: 12\n")
    path.write_text(without, "utf-8")
    with client(base) as c:
        page = c.get(f"/campagne/{CAMPAIGN}")
        assert "Week erbij (week 13, vanaf 2027-03-29)" in page.text
        assert '<option value="feeds">Feeds</option>' in page.text
        form = campaign_form(
            page.text,
            **{
                "period.end": "2027-04-04",  # twelve weeks fill the period: make room
                "nieuw.week": "eten",
                "nieuw.kanaal": "feeds",
                "nieuw.ritme": "weekly on friday",
            },
        )
        saved = c.post(f"/campagne/{CAMPAIGN}", data=form)
        assert saved.status_code == 303, saved.text
        assert saved.headers["location"] == f"/campagne/{CAMPAIGN}?opgeslagen=1&vanaf=2027-03-29"
        shown = c.get(saved.headers["location"])
        plan = c.get(f"/campagne/{CAMPAIGN}/plan?vanaf=2027-03-29")
    assert "Week 13 (vanaf 2027-03-29)" in shown.text
    assert f'src="/campagne/{CAMPAIGN}/plan?vanaf=2027-03-29"' in shown.text
    assert 'id="v-channels.feeds.cadence" name="channels.feeds.cadence"' in shown.text
    expected = (
        without.replace(LAST_WEEK, LAST_WEEK + "  - theme: eten\n").replace(
            "end: 2027-03-28", "end: 2027-04-04"
        )
        + '  feeds:\n    cadence: "weekly on friday"\n'
    )
    assert path.read_text("utf-8") == expected  # new lines only; every other line as written
    campaign = next(c for c in load_library(s.content_dir).campaigns if c.id == "sterk-begin-2027")
    assert len(campaign.weeks) == 13 and campaign.weeks[12].theme == "eten"
    assert campaign.channels["feeds"] == {"cadence": "weekly on friday"}
    words = _words(plan.text)
    # The new week in the plan, with the new channel's first edition on its Friday.
    assert (
        "29 mrt – 4 apr 2027 Eten Sterk begin – samen sterk in 2027 "
        "Feeds aanstaande ouders vr 2 apr" in words
    )
    entry = json.loads((s.out_dir / "reports" / "studio-audit.log").read_text("utf-8"))
    assert entry["wat"] == (
        "campagne opgeslagen; week 13 erbij (Eten); kanaal Feeds erbij met ritme weekly on friday"
    )
    assert main(["check", "--content", str(s.content_dir)]) == 0


def test_a_campaign_form_removes_a_week(studio: tuple[str, Settings]) -> None:
    base, s = studio
    path = s.content_dir / "campaigns" / CAMPAIGN
    before = path.read_text("utf-8")
    with client(base) as c:
        page = c.get(f"/campagne/{CAMPAIGN}")
        everything = {f"weg.weeks.{i}": "ja" for i in range(12)}
        refused = c.post(f"/campagne/{CAMPAIGN}", data=campaign_form(page.text, **everything))
        assert refused.status_code == 400
        assert "Er moet minstens één week blijven" in html.unescape(refused.text)
        assert path.read_text("utf-8") == before
        saved = c.post(
            f"/campagne/{CAMPAIGN}", data=campaign_form(page.text, **{"weg.weeks.2": "ja"})
        )
        assert saved.status_code == 303, saved.text
        shown = c.get(saved.headers["location"])
    assert path.read_text("utf-8") == before.replace("  - theme: steun            # 18 jan\n", "")
    weeks = next(c for c in load_library(s.content_dir).campaigns if c.id == "sterk-begin-2027")
    assert [w.theme for w in weeks.weeks][1:4] == ["slapen", "eten", "ouder-kind"]
    assert "Week 12 weghalen" not in shown.text and "Week 11 weghalen" in shown.text
    entry = json.loads((s.out_dir / "reports" / "studio-audit.log").read_text("utf-8"))
    assert entry["wat"] == "campagne opgeslagen; week 3 weg"


def _words(page: str) -> str:
    """The text of a page without its tags, one space between words."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


def test_the_plan_preview_follows_the_saved_campaign(studio: tuple[str, Settings]) -> None:
    base, _ = studio
    with client(base) as c:
        page = c.get(f"/campagne/{CAMPAIGN}")
        assert f'src="/campagne/{CAMPAIGN}/plan"' in page.text
        plan = c.get(f"/campagne/{CAMPAIGN}/plan")
        assert plan.status_code == 200
        assert "frame-ancestors 'self'" in plan.headers["Content-Security-Policy"]
        # The preview starts in the campaign's first week (4 January 2027): gezonde stress.
        assert "4 januari 2027" in plan.text
        assert "4 jan – 10 jan 2027 Gezonde stress Sterk begin" in _words(plan.text)
        form = campaign_form(page.text, **{"weeks.0.theme": "slapen"})
        assert c.post(f"/campagne/{CAMPAIGN}", data=form).status_code == 303
        again = c.get(f"/campagne/{CAMPAIGN}/plan")
    assert again.status_code == 200
    assert "4 jan – 10 jan 2027 Slapen Sterk begin" in _words(again.text)


def test_a_campaign_save_with_errors_is_refused_with_the_findings(
    studio: tuple[str, Settings],
) -> None:
    base, s = studio
    path = s.content_dir / "campaigns" / CAMPAIGN
    before = path.read_bytes()
    with language("nl"), client(base) as c:
        page = c.get(f"/campagne/{CAMPAIGN}")
        short = c.post(
            f"/campagne/{CAMPAIGN}", data=campaign_form(page.text, **{"period.end": "2027-01-20"})
        )
        cadence = c.post(
            f"/campagne/{CAMPAIGN}",
            data=campaign_form(page.text, **{"channels.newsletter.cadence": "elke blauwe maan"}),
        )
        week = c.post(
            f"/campagne/{CAMPAIGN}", data=campaign_form(page.text, **{"nieuw.week": "eten"})
        )
        no_cadence = c.post(
            f"/campagne/{CAMPAIGN}",
            data=campaign_form(page.text, **{"nieuw.kanaal": "posters", "nieuw.ritme": "weekly"}),
        )
    assert (short.status_code, cadence.status_code, week.status_code) == (409, 409, 409)
    assert "S132" in week.text and "de campagne heeft 13 weken" in html.unescape(week.text)
    assert '<option value="eten" selected>' in week.text.split('id="nieuw-week"', 1)[1]
    assert no_cadence.status_code == 400
    assert "Kanaal Posters heeft geen ritme" in no_cadence.text
    assert "Niet opgeslagen" in short.text and "S132" in short.text
    assert "de campagne heeft 12 weken" in html.unescape(short.text)
    assert "P701" in cadence.text and "elke blauwe maan" in html.unescape(cadence.text)
    assert 'value="elke blauwe maan"' in cadence.text  # what was typed is not lost
    assert path.read_bytes() == before
    assert not (s.out_dir / "reports" / "studio-audit.log").exists()


def test_a_campaign_changed_on_disk_is_never_overwritten(studio: tuple[str, Settings]) -> None:
    base, s = studio
    path = s.content_dir / "campaigns" / CAMPAIGN
    with client(base) as c:
        page = c.get(f"/campagne/{CAMPAIGN}")
        form = campaign_form(
            page.text,
            **{"channels.feeds.items": "15", "nieuw.kanaal": "posters", "weg.weeks.0": "ja"},
        )
        theirs = path.read_text("utf-8").replace("    items: 3\n", "    items: 4\n", 1)
        path.write_text(theirs, "utf-8")
        conflict = c.post(f"/campagne/{CAMPAIGN}", data=form)
        assert conflict.status_code == 409
        assert "Het bestand is intussen veranderd" in conflict.text
        assert "Kies opnieuw welke weken weg moeten" in conflict.text
        assert "kanaal Posters erbij" in conflict.text
        assert path.read_text("utf-8") == theirs
        missing = c.post(f"/campagne/{CAMPAIGN}", data=form | {"csrf": ""})
        assert missing.status_code == 403
        # Saving again from the conflict page keeps their change and adds mine.
        again = c.post(f"/campagne/{CAMPAIGN}", data=campaign_form(conflict.text))
    assert again.status_code == 303
    text = path.read_text("utf-8")
    assert "    items: 4\n" in text and "    items: 15\n" in text
    assert text.endswith("  posters: {}\n")  # the added channel was kept
    assert "  - theme: gezonde-stress" in text  # the week to remove was not (chosen again)


def test_no_campaign_outside_the_campaigns_folder(
    studio: tuple[str, Settings], tmp_path: Path
) -> None:
    base, s = studio
    secret = tmp_path / "geheim.yaml"
    secret.write_text("title: geheim\n", "utf-8")
    (s.content_dir / "campaigns" / "link.yaml").symlink_to(secret)
    for target in (
        "/campagne/..%2F..%2Fgeheim.yaml",
        "/campagne/%2e%2e%2fstyle.yaml",
        "/campagne/link.yaml",
        "/campagne/link.yaml/plan",
        "/campagne/geen.yaml",
    ):
        assert _raw_get(base, target) in (400, 404), target
    with client(base) as c:
        token = csrf_of(c.get(f"/campagne/{CAMPAIGN}").text)
        answer = c.post("/campagne/link.yaml", data={"csrf": token, "title": "weg"})
    assert answer.status_code == 404
    assert secret.read_text("utf-8") == "title: geheim\n"


def test_the_live_check_finds_what_veerkracht_check_finds_in_every_file(tmp_path: Path) -> None:
    """The editor checks a text with only its own message (and those with its id) beside the
    campaigns: for every bundled message, one with a duplicate id (S116) and one that does not
    load (S119), the findings are those the whole folder's check gives that file."""
    s = studio_settings(tmp_path)
    source = s.content_dir / REL
    twin = s.content_dir / "messages" / "eten" / source.name
    twin.write_text(source.read_text("utf-8"), "utf-8")
    broken = s.content_dir / "messages" / "eten" / "zonder-status.nl.md"
    text = source.read_text("utf-8").replace("id: vast-slaapritueel", "id: zonder-status", 1)
    broken.write_text(text.replace("status: gepubliceerd\n", "", 1), "utf-8")
    state = ContentState(s)
    checked = state.checked()
    day = today()
    whole = check_folder(s.content_dir, s, day).findings
    files = sorted(s.content_dir.glob("messages/*/*.md"))
    assert len(files) >= 80
    for path in files:
        rel = state.rel(path)
        here = checked.library.rel(path)
        expected = sorted(f for f in whole if f.path == here)
        live = state.check_text(rel, path.read_text("utf-8"), day, False)
        assert live.findings == expected, rel
    # The rare findings really were among those compared (not vacuously equal).
    both = [state.check_text(state.rel(p), p.read_text("utf-8"), day, True) for p in (twin, source)]
    assert "S116" in {f.code for result in both for f in result.findings}
    unloaded = state.check_text(state.rel(broken), broken.read_text("utf-8"), day, False)
    assert "S119" in {f.code for f in unloaded.findings}


def test_a_file_changed_on_disk_is_seen_by_the_next_live_check(tmp_path: Path) -> None:
    """The folder is checked again after any change under it (inotify, else a stat of every
    file), and not while nothing changed: a file rewritten in place with the same size, a new
    file with the same id (S116) and a removed one are all seen by the next check."""
    s = studio_settings(tmp_path)
    state = ContentState(s)
    first = state.checked()
    assert state.checked() is first  # nothing changed: the same check
    source = s.content_dir / REL
    text = source.read_text("utf-8")
    with source.open("r+", encoding="utf-8") as f:  # in place: no rename, same size
        f.write(text.replace("title: ", "title:_", 1))
    second = state.checked()
    assert second is not first
    assert state.checked() is second
    twin = s.content_dir / "messages" / "eten" / source.name
    twin.write_text(text, "utf-8")
    found = state.check_text(REL, text, today(), False).findings
    assert "S116" in {f.code for f in found}
    twin.unlink()
    found = state.check_text(REL, text, today(), False).findings
    assert "S116" not in {f.code for f in found}


def test_a_symlinked_file_makes_every_live_check_look_again(tmp_path: Path) -> None:
    """A symlinked file's target may change outside the watched folders: with one in the
    folder, each check takes the signature of every file again (as without inotify)."""
    s = studio_settings(tmp_path)
    outside = tmp_path / "elders.md"
    source = s.content_dir / REL
    outside.write_text(source.read_text("utf-8").replace("vast-slaapritueel", "elders", 1))
    (s.content_dir / "messages" / "slapen" / "elders.nl.md").symlink_to(outside)
    state = ContentState(s)
    first = state.checked()
    assert not state._watch.quiet()
    outside.write_text(outside.read_text("utf-8") + "\nNog een zin.\n", "utf-8")
    assert state.checked() is not first
