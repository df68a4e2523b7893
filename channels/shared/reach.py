"""Reach without tracking: short-link redirects counted per (code, channel, target, day).

The state tables:

- `short_links`: code -> URL, registered by the channels that print or send a short link
  (`register`), so the public endpoint knows where `/r/<code>` goes;
- `reach_tags`: (channel key, tag) -> (channel, target), registered with them, so a tag in a
  scanned link names a screen or edition that really exists. A tag nobody registered (a typo,
  a forged one) is counted as channel "overig" with no target: never stored as given;
- `reach_counts`: one row per (code, channel, target, day) with a count, raised by one upsert
  per redirect. Nothing else about a visit is kept: no IP address, no cookie, no user agent,
  no time of day, no referrer; no third party sees the visit either (the endpoint answers
  with `Referrer-Policy: no-referrer`).

`routes` is the public endpoint's `/r/<code>`: a 302 to the resource (`Cache-Control:
no-store`, so each scan reaches the endpoint and is counted), a Dutch 404 page for an unknown
code. A HEAD request (link previews) is answered but not counted.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Integer, String, Table, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from channels.shared.shortlinks import (
    CHANNEL_KEYS,
    OTHER,
    PREFIX,
    is_code,
    is_tag,
    linkable,
    short_code,
    tag_for,
    write_redirects,
)
from flows.core import clock
from flows.core.errors import DeliveryError
from flows.core.i18n import _
from flows.core.settings import Settings
from flows.infra.state import metadata, open_state

short_links = Table(
    "short_links",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("url", Text, nullable=False),
)

reach_tags = Table(
    "reach_tags",
    metadata,
    Column("key", String(1), primary_key=True),
    Column("tag", String(8), primary_key=True),
    Column("channel", String(60), nullable=False),
    Column("target", String(300), nullable=False),
)

reach_counts = Table(
    "reach_counts",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("channel", String(60), primary_key=True),
    Column("target", String(300), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("count", Integer, nullable=False),
)

_KEY_CHANNEL = {key: channel for channel, key in CHANNEL_KEYS.items()}


def _insert(engine: Engine, table: Table) -> Any:
    return (pg_insert if engine.dialect.name == "postgresql" else sqlite_insert)(table)


def register(
    engine: Engine, urls: Iterable[str], channel: str = "", targets: Iterable[str] = ()
) -> list[str]:
    """Record the short links of `urls` and the tags of `targets` of `channel`.

    Idempotent (rows that exist are left alone). Returns one problem line per code that is
    already taken by another URL (a collision: that code keeps pointing where it did).
    """
    links = {short_code(u): u for u in set(urls) if linkable(u)}
    key = CHANNEL_KEYS.get(channel)
    tags = {tag_for(channel, t): t for t in set(targets)} if key else {}
    problems: list[str] = []
    # Read first, insert only what is missing: a day's publish finds every link and tag of a
    # screen already there, and an insert of 60 rows per screen was most of its delivery.
    with engine.begin() as conn:
        if links:
            codes = short_links.c.code
            found = select(codes, short_links.c.url)
            rows = conn.execute(found.where(codes.in_(list(links))))
            known: dict[str, str] = {row.code: row.url for row in rows}
            missing = [c for c in links if c not in known]
            if missing:
                conn.execute(
                    _insert(engine, short_links)
                    .values([{"code": c, "url": links[c]} for c in missing])
                    .on_conflict_do_nothing(index_elements=["code"])
                )
                added = conn.execute(found.where(codes.in_(missing)))
                known.update({row.code: row.url for row in added})
            for code, url in sorted(known.items()):
                if url != links[code]:
                    problems.append(
                        _(
                            "short link /{prefix}/{code} already goes to {url}, so {wanted} cannot "
                            "have it"
                        ).format(prefix=PREFIX, code=code, url=url, wanted=links[code])
                    )
        if tags:
            have = set(
                conn.execute(
                    select(reach_tags.c.tag).where(
                        reach_tags.c.key == key, reach_tags.c.tag.in_(list(tags))
                    )
                ).scalars()
            )
            new = [
                {"key": key, "tag": g, "channel": channel, "target": t}
                for g, t in tags.items()
                if g not in have
            ]
            if new:
                conn.execute(
                    _insert(engine, reach_tags)
                    .values(new)
                    .on_conflict_do_nothing(index_elements=["key", "tag"])
                )
    return problems


def link_for(engine: Engine, code: str) -> str | None:
    """Where `/r/<code>` goes, or None."""
    with engine.connect() as conn:
        return conn.execute(
            select(short_links.c.url).where(short_links.c.code == code)
        ).scalar_one_or_none()


def source_of(engine: Engine, query: Mapping[str, str]) -> tuple[str, str]:
    """(channel, target) named by a link's query: a registered tag, else ("overig", "")."""
    tagged = [(k, v) for k, v in query.items() if k in _KEY_CHANNEL]
    if len(tagged) != 1 or len(query) != 1 or not is_tag(tagged[0][1]):
        return OTHER, ""
    key, tag = tagged[0]
    with engine.connect() as conn:
        row = conn.execute(
            select(reach_tags.c.channel, reach_tags.c.target).where(
                reach_tags.c.key == key, reach_tags.c.tag == tag
            )
        ).first()
    if row is None or row.channel != _KEY_CHANNEL[key]:
        return OTHER, ""
    return str(row.channel), str(row.target)


def count(engine: Engine, code: str, channel: str, target: str, day: date) -> None:
    """One more redirect of `code` from (channel, target) on `day`: one atomic upsert."""
    ins = _insert(engine, reach_counts)
    stmt = ins.values(code=code, channel=channel, target=target, day=day.isoformat(), count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["code", "channel", "target", "day"],
        set_={"count": reach_counts.c.count + 1},
    )
    with engine.begin() as conn:
        conn.execute(stmt)


@dataclass(frozen=True, order=True)
class Reach:
    """One row of `reach_counts` with the URL of its code."""

    code: str
    url: str
    channel: str
    target: str
    day: date
    count: int


def counts(engine: Engine, since: date | None = None, until: date | None = None) -> list[Reach]:
    """Every count (between `since` and `until`, inclusive), sorted."""
    query = select(reach_counts, short_links.c.url).join(
        short_links, short_links.c.code == reach_counts.c.code, isouter=True
    )
    if since is not None:
        query = query.where(reach_counts.c.day >= since.isoformat())
    if until is not None:
        query = query.where(reach_counts.c.day <= until.isoformat())
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return sorted(
        Reach(r.code, r.url or "", r.channel, r.target, date.fromisoformat(r.day), n)
        for r in rows
        for n in [int(r._mapping["count"])]
    )


_PAGE = """<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>{text}</p></main></body></html>
"""


def not_found_page() -> bytes:
    """The Dutch page for a short link that does not exist."""
    return _PAGE.format(
        title="Deze korte link bestaat niet",
        text=html.escape(
            "Controleer de letters en cijfers na /r/. Staat de link op een poster of scherm? "
            "Scan dan de QR-code."
        ),
    ).encode("utf-8")


def routes(settings: Settings) -> Sequence[BaseRoute]:
    """`/r/<code>` (and with a trailing slash): the public endpoint's short links."""

    def resolve(code: str, query: Mapping[str, str], counted: bool) -> str | None:
        engine = open_state(settings.resolved_state_url())
        url = link_for(engine, code)
        if url is not None and counted:
            channel, target = source_of(engine, query)
            count(engine, code, channel, target, clock.today())
        return url

    async def redirect(request: Request) -> Response:
        code = str(request.path_params["code"])
        url = None
        if is_code(code):
            query = dict(request.query_params)
            url = await run_in_threadpool(resolve, code, query, request.method == "GET")
        if url is None:
            return HTMLResponse(not_found_page(), status_code=404)
        return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})

    methods = ["GET", "HEAD"]
    return [
        Route(f"/{PREFIX}/{{code}}", redirect, methods=methods, name="short-link"),
        Route(f"/{PREFIX}/{{code}}/", redirect, methods=methods, name="short-link-slash"),
    ]


PREVIEW_TARGET = "voorbeeld"  # the place a preview's scans and clicks are counted under


def preview_links(settings: Settings, urls: Iterable[str], channel: str) -> None:
    """Make the short links of a preview answer now, not only once the message is published:
    their redirect pages in the real out/r/ and their rows in the state. The preview tags them
    "voorbeeld", so trying a preview's QR code never counts as a scan at a real screen."""
    problems = publish_links(settings, settings.out_dir, urls, channel, [PREVIEW_TARGET])
    if problems:  # a code taken by another URL: the preview's QR code would lead there
        raise DeliveryError("; ".join(problems))


def publish_links(
    settings: Settings, out_dir: Path, urls: Iterable[str], channel: str, targets: Iterable[str]
) -> list[str]:
    """What a channel does when it delivers short links: the static redirect pages under
    `out_dir/r/`, and the links and its targets' tags in the state (for the endpoint).

    Returns problem lines for the delivery report (a code taken by another URL).
    """
    urls = sorted({u for u in urls if linkable(u)})
    if not urls:
        return []
    write_redirects(out_dir, urls)
    return register(open_state(settings.resolved_state_url()), urls, channel, targets)
