"""Fetch one feed: conditional GET, redirects checked hop by hop, a size cap and a deadline.

The client comes from `flows.infra.netsafety.safe_client`, so every connection (also after a
redirect) goes only to a public address or one on `net_allow`. We follow redirects ourselves to
refuse targets the acceptance rule refuses (`flows.core.urls`), count hops and tell people when
a feed moved for good.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from flows.core.i18n import _
from flows.infra.netsafety import RefusedAddress, request_problem

MAX_REDIRECTS = 5
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


class Outcome(enum.StrEnum):
    OK = "ok"  # a body to parse
    NOT_MODIFIED = "not-modified"  # 304: nothing to do
    GONE = "gone"  # 410: the publisher removed the feed
    FAILED = "failed"  # anything else that gave no feed


@dataclass
class Fetched:
    """The result of fetching one feed."""

    outcome: Outcome
    url: str  # the final URL after redirects
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    error: str = ""  # what went wrong, in words for people
    transient: bool = False  # a retry later may succeed (timeouts, 5xx, 429)
    moved_to: str = ""  # set when a permanent redirect (301/308) was followed
    redirects: list[str] = field(default_factory=list)


class TooBig(Exception):
    """The body is larger than the size cap."""


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        raise TooBig
    chunks: list[bytes] = []
    size = 0
    # aiter_bytes decompresses: the cap holds for what we keep, not only what was sent.
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise TooBig
        chunks.append(chunk)
    return b"".join(chunks)


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


async def _follow(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], cap: int
) -> Fetched:
    chain: list[str] = []
    permanent = True  # only an unbroken chain of permanent moves means "update the address"
    for _hop in range(MAX_REDIRECTS + 1):
        problem = request_problem(url)  # the one acceptance rule, on every hop as it is sent
        if problem is not None:
            error = _("not an http(s) address that may be used: {url} ({problem})").format(
                url=url[:200], problem=problem
            )
            return Fetched(Outcome.FAILED, url, error=error)
        async with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            moved_to = url if chain and permanent else ""
            if status in (301, 302, 303, 307, 308) and "location" in response.headers:
                target = urljoin(url, response.headers["location"].strip())
                permanent = permanent and status in (301, 308)
                chain.append(target)
                url = target
                continue
            if status == 304:
                return Fetched(Outcome.NOT_MODIFIED, url, moved_to=moved_to, redirects=chain)
            if status == 410:
                return Fetched(
                    Outcome.GONE,
                    url,
                    error=_("the feed is gone (HTTP 410)"),
                    moved_to=moved_to,
                    redirects=chain,
                )
            if status != 200:
                transient = status >= 500 or status in (408, 429)
                reason = response.reason_phrase or ""
                return Fetched(
                    Outcome.FAILED,
                    url,
                    error=f"HTTP {status} {reason}".strip(),
                    transient=transient,
                    moved_to=moved_to,
                    redirects=chain,
                )
            body = await _read_capped(response, cap)
            return Fetched(
                Outcome.OK,
                url,
                body=body,
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                moved_to=moved_to,
                redirects=chain,
            )
    return Fetched(
        Outcome.FAILED,
        url,
        error=_("more than {n} redirects").format(n=MAX_REDIRECTS),
        redirects=chain,
    )


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    deadline: float,
) -> Fetched:
    """Fetch `url` within `deadline` seconds in total; never raises for network problems."""
    headers = _conditional(etag, last_modified)
    try:
        async with asyncio.timeout(deadline):
            return await _follow(client, url, headers, max_bytes)
    except TooBig:
        return Fetched(
            Outcome.FAILED,
            url,
            error=_("the feed is larger than {kb} KB; not read").format(kb=max_bytes // 1024),
        )
    except RefusedAddress as exc:
        return Fetched(Outcome.FAILED, url, error=str(exc))
    except (TimeoutError, httpx.TimeoutException):
        return Fetched(
            Outcome.FAILED,
            url,
            transient=True,
            error=_("no complete answer within {seconds} seconds").format(seconds=f"{deadline:g}"),
        )
    except httpx.ConnectError as exc:
        error = _("cannot connect: {reason}").format(reason=exc)
        return Fetched(Outcome.FAILED, url, transient=True, error=error)
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        return Fetched(
            Outcome.FAILED,
            url,
            transient=isinstance(exc, httpx.TransportError),
            error=_("request failed: {reason}").format(reason=exc or type(exc).__name__),
        )
