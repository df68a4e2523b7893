"""Veerkracht Studio: the comms team's editorial web app over the same Markdown files.

A Starlette app with Jinja2 templates: an overview, an editor whose findings come from the real
checks while you type, a review step and the inbox. Every file it writes is the same
`messages/<theme>/<id>.<lang>.md` the command line reads, written atomically; each save is one
line in `out/reports/studio-audit.log`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import yaml
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from flows.checks import held_by_checks
from flows.core.clock import today
from flows.core.findings import Finding, Severity
from flows.core.models import AUDIENCES, STATUSES, THEMES
from flows.core.settings import Settings
from flows.infra.outputs import write_atomic
from flows.infra.templates import environment
from flows.library.front_matter import (
    new_message_text,
    set_review_fields,
    update_fields,
)
from flows.library.loader import Library, split_front_matter
from flows.publishing.calendar import input_notes, plan_range, to_html
from flows.publishing.preview import Preview
from flows.publishing.registry import channels as all_channels
from flows.publishing.registry import label
from flows.studio.campaign_yaml import (
    NotWritable,
    add_channel,
    add_week,
    layout,
    remove_weeks,
    scalars,
    set_scalars,
)
from flows.studio.git_commit import commit_saved
from flows.studio.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    FRAME_CSP,
    HEADERS,
    PAGE_CSP,
    SESSION_COOKIE,
    Access,
    new_session,
)
from flows.studio.state import ContentState, NotAllowed, digest, finding_json

MAX_FORM_BYTES = 512 * 1024
_STAMP = re.compile(rb'"generated_at":\s*"[^"]*"')  # in the screen page's playlist data
REVIEW_SOON = timedelta(days=60)
PLAN_WEEKS = 4  # the plan preview of a campaign page
# What the campaign form calls a channel's settings (others are shown by their own name).
SETTING_LABELS = {
    "cadence": "Ritme (bijvoorbeeld: every 2 weeks on tuesday)",
    "items": "Aantal berichten",
    "slides": "Aantal dia's",
    "slide_seconds": "Seconden per dia",
}
SETTLED_BY_REVIEW = frozenset({"S119"})  # as `veerkracht review`: the review settles the status
Handler = Callable[[Request], Awaitable[Response]]


@cache
def _templates() -> Environment:
    env = environment("flows.studio", trim_blocks=True, lstrip_blocks=True)
    env.globals["THEMES"] = THEMES
    env.globals["AUDIENCES"] = AUDIENCES
    env.globals["STATUSES"] = STATUSES
    return env


class Studio:
    """The app's state: settings, content folder, access."""

    def __init__(self, settings: Settings, access: Access) -> None:
        self.settings = settings
        self.access = access
        self.content = ContentState(settings)
        self.audit = settings.out_dir / "reports" / "studio-audit.log"
        # A save git refused (rel -> why), shown once on the file's next page.
        self.git_problems: dict[str, str] = {}

    # --- plumbing ---------------------------------------------------------------------------

    def page(self, request: Request, name: str, status: int = 200, **values: Any) -> Response:
        session = request.state.session
        html = (
            _templates()
            .get_template(name)
            .render(
                csrf=self.access.csrf_token(session),
                user=request.state.user,
                login=self.access.login,
                **values,
            )
        )
        return HTMLResponse(html, status_code=status)

    def guarded(self, handler: Handler, *, open_page: bool = False) -> Handler:
        """`handler` behind the session, the login and (for POST) the CSRF check."""

        async def endpoint(request: Request) -> Response:
            session = request.cookies.get(SESSION_COOKIE, "")
            fresh = not session
            if fresh:
                session = new_session()
            request.state.session = session
            request.state.user = self._user(request, session)
            request.state.form = {}
            if request.method == "POST":
                body = await request.body()
                if len(body) > MAX_FORM_BYTES:
                    return PlainTextResponse("Te groot.", status_code=413)
                request.state.form = _parse_form(body.decode("utf-8", "replace"))
                token = request.headers.get(CSRF_HEADER) or _one(request.state.form, CSRF_FIELD)
                if fresh or not self.access.csrf_ok(session, token):
                    response: Response = PlainTextResponse(
                        "Dit formulier is verlopen of komt niet van de studio (CSRF). "
                        "Laad de pagina opnieuw en probeer het nog eens.",
                        status_code=403,
                    )
                    return self._finish(response, session, fresh)
            if request.state.user is None and not open_page:
                if self.access.login == "header":
                    response = PlainTextResponse(
                        "Log in via het portaal van de organisatie.", status_code=401
                    )
                else:
                    response = RedirectResponse("/inloggen", status_code=303)
                return self._finish(response, session, fresh)
            try:
                response = await handler(request)
            except NotAllowed:
                response = PlainTextResponse("Niet gevonden.", status_code=404)
            return self._finish(response, session, fresh)

        return endpoint

    def _finish(self, response: Response, session: str, fresh: bool) -> Response:
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        if fresh:
            response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict")
        return response

    def _user(self, request: Request, session: str) -> str | None:
        if self.access.login == "none":
            return ""
        if self.access.login == "header":
            name = " ".join(request.headers.get(self.access.user_header, "").split())
            return name or None
        return self.access.users.get(session)

    def who(self, request: Request) -> str:
        """Who saves: the login, else the name typed in the form, else 'onbekend'."""
        user: str = request.state.user or ""
        typed = " ".join(_one(request.state.form, "door").split())
        return user or typed or "onbekend"

    def write(self, path: Path, text: str, who: str, what: str) -> None:
        """Write a content file atomically, commit it when the team wants that (the file is
        saved first: a refused commit loses nothing) and append its audit line."""
        write_atomic(path, text, mode=0o644)
        rel = self.content.rel(path)
        entry: dict[str, str] = {"bestand": rel}
        if self.settings.studio_git_commit:
            problem = commit_saved(self.settings.content_dir, path, who, what)
            entry["git"] = problem or "vastgelegd"
            if problem:
                self.git_problems[rel] = problem
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        line = json.dumps({"wanneer": stamp, "wie": who, "wat": what, **entry}, ensure_ascii=False)
        self.audit.parent.mkdir(parents=True, exist_ok=True)
        with self.audit.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    # --- pages ------------------------------------------------------------------------------

    async def overview(self, request: Request) -> Response:
        checked = await run_in_threadpool(self.content.checked)
        library = checked.library
        day = today()
        held = held_by_checks(library, checked.findings)
        per_file: dict[str, list[Finding]] = {}
        for f in checked.findings:
            per_file.setdefault(f.path, []).append(f)
        rows: dict[str, list[dict[str, Any]]] = {theme: [] for theme in THEMES}
        for m in sorted([*library.messages, *library.unloaded], key=lambda m: (m.id, m.lang)):
            found = per_file.get(library.rel(m.path), [])
            rows.setdefault(m.theme, []).append(
                {
                    "message": m,
                    "rel": self.content.rel(m.path),
                    "errors": sum(1 for f in found if f.severity is Severity.ERROR),
                    "warnings": sum(1 for f in found if f.severity is Severity.WARNING),
                    "held": held.get(m.key, "" if m in library.messages else "kan niet laden"),
                }
            )
        soon = sorted(
            (m.review_by, m)
            for m in library.messages
            if m.review_by is not None and m.review_by <= day + REVIEW_SOON
        )
        inbox_dir = self.content.root / "inbox"
        inbox = (
            sorted(self.content.rel(p) for p in inbox_dir.rglob("*.md"))
            if inbox_dir.is_dir()
            else []
        )
        return self.page(
            request,
            "overview.html.j2",
            rows=rows,
            soon=[(d, m, self.content.rel(m.path)) for d, m in soon],
            inbox=inbox,
            day=day,
            calendar=(self.settings.out_dir / "reports" / "plan.html").is_file(),
        )

    async def edit(self, request: Request) -> Response:
        rel = request.path_params["rel"]
        path = self.content.path(rel)
        if not path.is_file():
            return PlainTextResponse("Niet gevonden.", status_code=404)
        raw = path.read_bytes()
        return self.page(
            request,
            "edit.html.j2",
            **self._form_values(rel, raw.decode("utf-8")),
            hash=digest(raw),
            git_problem=self.git_problems.pop(rel, ""),
        )

    def _form_values(self, rel: str, text: str) -> dict[str, Any]:
        fm = split_front_matter(text)[0]
        try:
            data = yaml.safe_load(fm or "") or {}
        except yaml.YAMLError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        screen = data.get("screen") if isinstance(data.get("screen"), dict) else {}
        resources = [r for r in data.get("resources") or [] if isinstance(r, dict)]
        return {
            "rel": rel,
            "inbox": rel.startswith("inbox/"),
            "data": data,
            "screen": screen,
            "resources": resources + [{}] * max(1, 3 - len(resources)),
            "body": _body_of(text),
            "audiences": list(data.get("audiences") or []),
        }

    async def check(self, request: Request) -> Response:
        """Findings (and previews) of the unsaved text in the form, for the page's script."""
        form = request.state.form
        rel = _one(form, "rel")
        path = self.content.path(rel)
        base = path.read_text(encoding="utf-8") if path.is_file() else ""
        text = compose(base, form)
        result = await run_in_threadpool(self.content.check_text, rel, text, today(), True)
        fields = result.message.field_lines if result.message else {}
        previews = await run_in_threadpool(_previews, result.preview)
        return JSONResponse(
            {
                "findings": [finding_json(f, result.body_line, fields) for f in result.findings],
                "errors": sum(1 for f in result.findings if f.severity is Severity.ERROR),
                "previews": previews,
            }
        )

    async def save(self, request: Request) -> Response:
        form = request.state.form
        rel = request.path_params["rel"]
        path = self.content.path(rel)
        if not path.is_file():
            return PlainTextResponse("Niet gevonden.", status_code=404)
        raw = path.read_bytes()
        disk = raw.decode("utf-8")
        mine = compose(disk, form)
        if digest(raw) != _one(form, "hash"):
            values = self._form_values(rel, mine)
            return self.page(
                request,
                "conflict.html.j2",
                status=409,
                disk=disk,
                mine=mine,
                hash=digest(raw),
                **values,
            )
        self.write(path, mine, self.who(request), "opgeslagen")
        return RedirectResponse(f"/bericht/{quote(rel)}?opgeslagen=1", status_code=303)

    async def new(self, request: Request) -> Response:
        if request.method == "GET":
            return self.page(request, "new.html.j2", problem="")
        form = request.state.form
        message_id, lang, theme = (_one(form, k).strip() for k in ("id", "lang", "theme"))
        if theme not in THEMES or lang not in ("nl", "en"):
            return self.page(request, "new.html.j2", status=400, problem="Kies een thema en taal.")
        rel = f"messages/{theme}/{message_id}.{lang}.md"
        try:
            path = self.content.path(rel)
        except NotAllowed:
            return self.page(
                request,
                "new.html.j2",
                status=400,
                problem="Een id heeft alleen kleine letters, cijfers en streepjes, zoals "
                "vast-ritme.",
            )
        if path.exists():
            return self.page(request, "new.html.j2", status=409, problem=f"{rel} bestaat al.")
        values = {
            "id": message_id,
            "lang": lang,
            "title": _one(form, "title") or message_id,
            "theme": theme,
            "audiences": [],
            "status": "concept",
            "valid_from": today(),
        }
        self.write(path, new_message_text(values, ""), self.who(request), "nieuw")
        return RedirectResponse(f"/bericht/{quote(rel)}", status_code=303)

    async def review(self, request: Request) -> Response:
        rel = request.path_params["rel"]
        path = self.content.path(rel)
        name = " ".join(_one(request.state.form, "reviewer").split())
        if not path.is_file() or not rel.startswith("messages/"):
            return PlainTextResponse("Niet gevonden.", status_code=404)
        text = path.read_text(encoding="utf-8")
        if not name:
            return self.page(
                request, "review.html.j2", status=400, rel=rel, errors=[], problem="Vul je naam in."
            )
        result = await run_in_threadpool(self.content.check_text, rel, text, today(), False)
        errors = [
            f
            for f in result.findings
            if f.severity is Severity.ERROR and f.code not in SETTLED_BY_REVIEW
        ]
        if errors:
            return self.page(
                request,
                "review.html.j2",
                status=409,
                rel=rel,
                errors=errors,
                problem="Nog niet nagekeken: los eerst deze fouten op.",
            )
        new = set_review_fields(text, name, today().isoformat())
        if new is None:
            return self.page(
                request,
                "review.html.j2",
                status=409,
                rel=rel,
                errors=[],
                problem="Dit bestand heeft geen velden tussen --- regels.",
            )
        self.write(
            path, new, self.who(request) if request.state.user else name, f"nagekeken door {name}"
        )
        return RedirectResponse(f"/bericht/{quote(rel)}?nagekeken=1", status_code=303)

    async def accept(self, request: Request) -> Response:
        """An inbox draft into messages/<theme>/ as a concept."""
        rel = request.path_params["rel"]
        path = self.content.path(rel)
        if not rel.startswith("inbox/") or not path.is_file():
            return PlainTextResponse("Niet gevonden.", status_code=404)
        text = path.read_text(encoding="utf-8")
        values = self._form_values(rel, text)["data"]
        theme, mid, lang = values.get("theme"), values.get("id"), values.get("lang", "nl")
        if theme not in THEMES or not isinstance(mid, str):
            return self.page(
                request,
                "review.html.j2",
                status=409,
                rel=rel,
                errors=[],
                problem="Geef het concept eerst een thema en id, en sla het op.",
            )
        target_rel = f"messages/{theme}/{mid}.{lang}.md"
        target = self.content.path(target_rel)
        if target.exists():
            return self.page(
                request,
                "review.html.j2",
                status=409,
                rel=rel,
                errors=[],
                problem=f"{target_rel} bestaat al: kies een andere id.",
            )
        new = update_fields(text, {"status": "concept"}) or text
        self.write(target, new, self.who(request), f"overgenomen uit {rel}")
        path.unlink()
        return RedirectResponse(f"/bericht/{quote(target_rel)}", status_code=303)

    async def preview_file(self, request: Request) -> Response:
        folder = (self.settings.out_dir / "preview").resolve()
        key, name = request.path_params["key"], request.path_params["name"]
        path = (folder / key / name).resolve()
        if not path.is_relative_to(folder / key) or "/" in key or not path.is_file():
            return PlainTextResponse("Niet gevonden.", status_code=404)
        response = FileResponse(path)
        response.headers["Content-Security-Policy"] = FRAME_CSP
        return response

    async def calendar(self, request: Request) -> Response:
        """The campaign calendar as `veerkracht plan` wrote it (out/reports/plan.html)."""
        path = self.settings.out_dir / "reports" / "plan.html"
        if not path.is_file():
            return self.page(request, "calendar.html.j2", status=404)
        response = FileResponse(path)
        response.headers["Content-Security-Policy"] = FRAME_CSP.replace(
            "frame-ancestors 'self'", "frame-ancestors 'none'"
        )
        return response

    # --- campaigns --------------------------------------------------------------------------

    async def campaigns(self, request: Request) -> Response:
        return self.page(request, "campaigns.html.j2", names=self.content.campaign_names())

    def _campaign_page(
        self,
        request: Request,
        name: str,
        text: str,
        raw: bytes,
        *,
        status: int = 200,
        typed: dict[str, str] | None = None,
        problem: str = "",
        errors: list[Finding] | None = None,
        mine: list[str] | None = None,
        pending: Additions | None = None,
    ) -> Response:
        found = scalars(text)
        shape = layout(text)
        shown = {p: (typed or {}).get(p, s.value) for p, s in found.items()}
        first = _first_day(found)
        weeks = []
        for i in range(shape.weeks):
            path = f"weeks.{i}.theme"
            weeks.append(
                {
                    "index": i,
                    "number": i + 1,
                    "monday": first + timedelta(weeks=i) if first else None,
                    "path": path if path in shown else "",
                    "value": shown.get(path, ""),
                }
            )
        channels: dict[str, list[tuple[str, str, str]]] = {}
        for path, value in shown.items():
            if path.startswith("channels."):
                _, channel, key = path.split(".", 2)
                channels.setdefault(channel, []).append((path, SETTING_LABELS.get(key, key), value))
        addable = [
            (c, label(c), "cadence" in ch.settings_model.model_fields)
            for c, ch in all_channels().items()
            if c not in shape.channels
        ]
        try:
            vanaf: date | None = date.fromisoformat(request.query_params.get("vanaf", ""))
        except ValueError:
            vanaf = None
        plan_src = f"/campagne/{quote(name)}/plan" + (f"?vanaf={vanaf}" if vanaf else "")
        return self.page(
            request,
            "campaign.html.j2",
            status=status,
            campaign=name,
            rel=f"campaigns/{name}",
            hash=digest(raw),
            shown=shown,
            original={p: s.value for p, s in found.items()},
            mine=mine or [],
            weeks=weeks,
            next_monday=first + timedelta(weeks=shape.weeks) if first else None,
            channels={label(c): rows for c, rows in channels.items()},
            addable=addable,
            pending=pending or Additions(),
            problem=problem,
            errors=errors or [],
            saved=request.query_params.get("opgeslagen") == "1",
            git_problem=self.git_problems.pop(f"campaigns/{name}", ""),
            readable=bool(found),
            plan_weeks=PLAN_WEEKS,
            plan_src=plan_src,
            vanaf=vanaf,
        )

    async def campaign(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = self.content.campaign_path(name)
        if not path.is_file():
            return PlainTextResponse("Niet gevonden.", status_code=404)
        raw = path.read_bytes()
        return self._campaign_page(request, name, raw.decode("utf-8"), raw)

    async def save_campaign(self, request: Request) -> Response:
        """The changed values of the form written in place, a week or channel added and weeks
        removed, after the real checks of the result; never over a file changed since the form
        was opened."""
        name = request.path_params["name"]
        path = self.content.campaign_path(name)
        if not path.is_file():
            return PlainTextResponse("Niet gevonden.", status_code=404)
        form = request.state.form
        raw = path.read_bytes()
        disk = raw.decode("utf-8")
        found = scalars(disk)
        typed = {p: " ".join(_one(form, p).split()) for p in found if p in form}
        wanted = Additions.of(form)
        page = partial(self._campaign_page, request, name, disk, raw, pending=wanted)
        if digest(raw) != _one(form, "hash"):
            # Only what the adviser changed in the form (against the values it was opened
            # with) goes over the new version: the other person's changes stay. A week to
            # remove is not carried over: its number may mean another week now.
            mine = {
                p: v for p, v in typed.items() if f"oud.{p}" in form and v != _one(form, f"oud.{p}")
            }
            return page(
                status=409,
                typed=mine,
                mine=[f"{p}: {v}" for p, v in sorted(mine.items())] + wanted.described(),
                pending=wanted.keeping_additions(),
                problem="Het bestand is intussen veranderd (door iemand anders of in een "
                "editor). Er is niets opgeslagen. Het formulier toont de nieuwe versie met "
                "jouw wijzigingen erin: sla nog eens op om ze te bewaren, of laad de pagina "
                "opnieuw voor alleen de nieuwe versie."
                + (" Kies opnieuw welke weken weg moeten." if wanted.remove else ""),
            )
        shape = layout(disk)
        problem = wanted.problem(shape.weeks, shape.channels)
        if problem:
            return page(status=400, typed=typed, problem=problem + " Er is niets opgeslagen.")
        changes = {p: v for p, v in typed.items() if v != found[p].value}
        if not changes and not wanted:
            return RedirectResponse(f"/campagne/{quote(name)}", status_code=303)
        try:
            new = set_scalars(disk, changes) if changes else disk
            if wanted.remove:
                new = remove_weeks(new, set(wanted.remove))
            if wanted.week:
                new = add_week(new, wanted.week)
            if wanted.channel:
                settings = {"cadence": wanted.cadence} if wanted.cadence else {}
                new = add_channel(new, wanted.channel, settings)
        except NotWritable as exc:
            return page(
                status=400,
                typed=typed,
                problem=f"Deze wijziging kan de studio niet op zijn plaats schrijven: {exc}. "
                "Er is niets opgeslagen.",
            )
        findings = await run_in_threadpool(self.content.check_campaign, name, new, today())
        rel = self.content.checked().library.rel(path)  # as the findings name it
        errors = [f for f in findings if f.path == rel and f.severity is Severity.ERROR]
        if errors:
            return page(
                status=409,
                typed=typed,
                problem="Niet opgeslagen: met deze waarden heeft de campagne fouten.",
                errors=errors,
            )
        what = "; ".join(["campagne opgeslagen", *wanted.described(shape.weeks)])
        self.write(path, new, self.who(request), what)
        target = f"/campagne/{quote(name)}?opgeslagen=1"
        first = _first_day(scalars(new))
        if wanted.week and first:
            added = first + timedelta(weeks=layout(new).weeks - 1)
            target += f"&vanaf={added.isoformat()}"  # the plan preview shows the new week
        return RedirectResponse(target, status_code=303)

    async def campaign_plan(self, request: Request) -> Response:
        """The plan of the next weeks (as `veerkracht plan` shows it), from the saved files;
        from the week of `?vanaf=` when given."""
        name = request.path_params["name"]
        path = self.content.campaign_path(name)
        if not path.is_file():
            return PlainTextResponse("Niet gevonden.", status_code=404)
        try:
            wanted: date | None = date.fromisoformat(request.query_params.get("vanaf", ""))
        except ValueError:
            wanted = None
        html = await run_in_threadpool(self._plan_html, path, wanted)
        response = HTMLResponse(html)
        response.headers["Content-Security-Policy"] = FRAME_CSP
        return response

    def _plan_html(self, path: Path, wanted: date | None = None) -> str:
        checked = self.content.checked()
        library = checked.library
        if wanted is not None:
            start = wanted - timedelta(days=wanted.weekday())
        else:
            start = _plan_start(library, path, today())
        reasons = dict(held_by_checks(library, checked.findings))
        days = PLAN_WEEKS * 7
        rows = plan_range(library, checked.inputs, start, days, frozenset(reasons))
        notes = input_notes(checked.inputs)
        return to_html(rows, start, days, notes, library=library, held=reasons)

    async def login_page(self, request: Request) -> Response:
        if request.method == "POST":
            form = request.state.form
            name = " ".join(_one(form, "naam").split())
            # Argon2 takes a fifth of a second on purpose: not on the event loop.
            right = await run_in_threadpool(self.access.password_ok, _one(form, "wachtwoord"))
            if name and right:
                self.access.users[request.state.session] = name
                return RedirectResponse("/", status_code=303)
            return self.page(
                request, "login.html.j2", status=401, problem="Naam of wachtwoord klopt niet."
            )
        return self.page(request, "login.html.j2", problem="")


def _plan_start(library: Library, path: Path, day: date) -> date:
    """The Monday the preview starts: this week's while the campaign runs or is over, else the
    week the campaign starts."""
    monday = day - timedelta(days=day.weekday())
    for campaign in library.campaigns:
        if campaign.path.resolve() == path.resolve() and campaign.period.start > day:
            start = campaign.period.start
            return start - timedelta(days=start.weekday())
    return monday


def _first_day(found: dict[str, Any]) -> date | None:
    """The campaign's first day (`period.start`), None when missing or not a date."""
    try:
        return date.fromisoformat(found["period.start"].value)
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True)
class Additions:
    """What the campaign form adds and removes: a week about a theme, a channel's section
    with its cadence, weeks to remove (0 for the first)."""

    week: str = ""
    channel: str = ""
    cadence: str = ""
    remove: tuple[int, ...] = ()

    @classmethod
    def of(cls, form: dict[str, list[str]]) -> Additions:
        remove = []
        for key in form:
            number = key.removeprefix("weg.weeks.")
            if number != key and number.isdigit() and len(number) < 4:
                remove.append(int(number))
        return cls(
            week=_one(form, "nieuw.week").strip(),
            channel=_one(form, "nieuw.kanaal").strip(),
            cadence=" ".join(_one(form, "nieuw.ritme").split()),
            remove=tuple(sorted(set(remove))),
        )

    def __bool__(self) -> bool:
        return bool(self.week or self.channel or self.cadence or self.remove)

    def keeping_additions(self) -> Additions:
        return replace(self, remove=())

    def problem(self, weeks: int, present: tuple[str, ...]) -> str:
        """What is wrong with the request for this file, in the adviser's words ('' if none)."""
        known = all_channels()
        if self.week and self.week not in THEMES:
            return "Kies een thema voor de nieuwe week."
        if any(i >= weeks for i in self.remove):
            return "Die week bestaat niet (meer): laad de pagina opnieuw."
        if self.remove and len(self.remove) == weeks and not self.week:
            return "Er moet minstens één week blijven."
        if self.cadence and not self.channel:
            return "Kies ook het kanaal waar het nieuwe ritme bij hoort."
        if self.channel and (self.channel not in known or self.channel in present):
            return "Dat kanaal kan er niet bij: het bestaat niet of staat er al."
        if self.cadence and "cadence" not in known[self.channel].settings_model.model_fields:
            return f"Kanaal {label(self.channel)} heeft geen ritme: laat het ritme leeg."
        return ""

    def described(self, weeks: int | None = None) -> list[str]:
        """The additions and removals in words (for the audit log and the conflict page)."""
        out = []
        if self.week:
            number = f" {weeks - len(self.remove) + 1}" if weeks is not None else ""
            out.append(f"week{number} erbij ({THEMES.get(self.week, self.week)})")
        out += [f"week {i + 1} weg" for i in self.remove]
        if self.channel:
            cadence = f" met ritme {self.cadence}" if self.cadence else ""
            out.append(f"kanaal {label(self.channel)} erbij{cadence}")
        return out


def _previews(preview: Preview | None) -> dict[str, dict[str, str | None]]:
    """The HTML pages of a live preview for the page's script, by name: the address of each,
    a hash of what it shows, and the page itself when it has no script, so that the script can
    put it into its frame in place instead of loading the frame again (a frame reload was
    120-170 ms of each keystroke). A page with a script (the screen player) is loaded by its
    address, only when its hash changed. The hash leaves out the second the screen page says
    it was made (`generated_at`): without that, typing in the text (which the slide does not
    show) reloaded the slide on most keystrokes."""
    if preview is None:
        return {}
    key = f"{preview.message.id}.{preview.message.lang}"
    out: dict[str, dict[str, str | None]] = {}
    for f in preview.files:
        name = f.relative_to(preview.folder).as_posix()
        if not name.endswith(".html"):
            continue
        data = f.read_bytes()
        shown = hashlib.sha256(_STAMP.sub(b"", data)).hexdigest()[:32]
        page = data.decode("utf-8", "replace")
        out[name] = {
            "url": f"/voorbeeld/{quote(key)}/{quote(name)}",
            "hash": shown,
            "html": None if "<script" in page.lower() else page,
        }
    return out


def _one(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key) or [""]
    return values[0]


def _parse_form(body: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(body, keep_blank_values=True, max_num_fields=500):
        out.setdefault(key, []).append(value)
    return out


def _body_of(text: str) -> str:
    """What follows the closing `---` of the front matter (the whole text without one)."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].lstrip("\ufeff").rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip() in ("---", "..."):
                return "".join(lines[i + 1 :])
    return text


def _date_or_text(value: str) -> date | str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value  # kept as written: the checks say what is wrong with it


def form_fields(form: dict[str, list[str]]) -> dict[str, Any]:
    """The front-matter values of the edit form (an absent optional date removes its field)."""
    resources = [
        {"title": t.strip(), "url": u.strip()}
        for t, u in zip(form.get("resource_title", []), form.get("resource_url", []), strict=False)
        if t.strip() or u.strip()
    ]
    values: dict[str, Any] = {
        "title": _one(form, "title").strip(),
        "theme": _one(form, "theme"),
        "audiences": form.get("audiences", []),
        "screen": {
            "headline": _one(form, "screen_headline").strip(),
            "text": _one(form, "screen_text").strip(),
        },
        "resources": resources or None,
        "valid_from": _date_or_text(_one(form, "valid_from")) or "",
        "valid_until": _date_or_text(_one(form, "valid_until")),
        "review_by": _date_or_text(_one(form, "review_by")),
        "status": _one(form, "status"),
    }
    return values


def compose(base: str, form: dict[str, list[str]]) -> str:
    """The file text the form stands for: `base` (the file on disk) with the form's fields set
    in place (comments and other fields kept) and the form's body after the front matter."""
    if "title" not in form:  # no fields in the form (a script posting only the text)
        return base
    eol = "\r\n" if "\r\n" in base.split("\n", 1)[0] + "\n" else "\n"
    body = _one(form, "body").replace("\r\n", "\n").replace("\n", eol)
    values = form_fields(form)
    if "status" in values and values["status"] not in STATUSES:
        values["status"] = "concept"
    front = _fields_set(base, values) if base else None
    if front is None:
        return new_message_text(values, body)
    return front[: len(front) - len(_body_of(front))] + body


_FIELDS_SET: dict[tuple[str, str], str | None] = {}
_FIELDS_SET_KEPT = 16


def _fields_set(base: str, values: dict[str, Any]) -> str | None:
    """`update_fields(base, values)`, remembered for the last few: while an adviser types the
    text, the fields and the file stay the same, and setting them again (YAML parsed for each
    field) was 10-15 ms of each keystroke's check. The key is the file and the values' repr
    (str, date, list, dict and None: two different values never have the same repr)."""
    key = (base, repr(values))
    if key not in _FIELDS_SET:
        if len(_FIELDS_SET) >= _FIELDS_SET_KEPT:
            _FIELDS_SET.pop(next(iter(_FIELDS_SET)), None)
        _FIELDS_SET[key] = update_fields(base, values)
    return _FIELDS_SET[key]


def build_app(settings: Settings, access: Access) -> Starlette:
    """The studio's ASGI app."""
    studio = Studio(settings, access)
    g = studio.guarded
    static = Path(__file__).parent / "static"
    return Starlette(
        routes=[
            Route("/", g(studio.overview)),
            Route("/inloggen", g(studio.login_page, open_page=True), methods=["GET", "POST"]),
            Route("/nieuw", g(studio.new), methods=["GET", "POST"]),
            Route("/controleer", g(studio.check), methods=["POST"]),
            Route("/bericht/{rel:path}", g(studio.edit), methods=["GET"]),
            Route("/bericht/{rel:path}", g(studio.save), methods=["POST"]),
            Route("/nakijken/{rel:path}", g(studio.review), methods=["POST"]),
            Route("/overnemen/{rel:path}", g(studio.accept), methods=["POST"]),
            Route("/voorbeeld/{key}/{name:path}", g(studio.preview_file)),
            Route("/kalender", g(studio.calendar)),
            Route("/campagnes", g(studio.campaigns)),
            Route("/campagne/{name}", g(studio.campaign), methods=["GET"]),
            Route("/campagne/{name}", g(studio.save_campaign), methods=["POST"]),
            Route("/campagne/{name}/plan", g(studio.campaign_plan)),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ]
    )
