"""The asynchronous link checker: each URL once, politely, with a verdict people can act on.

Politeness: at most `link_concurrency` requests in flight in all, at most `link_per_host` to one
host (host:port). HEAD first; GET only when HEAD is refused (403, 405, 501), and then only the
headers are read before the connection is closed, so a huge or slow body costs nothing.
Redirects are followed by hand (each hop passes the address-safety rule) up to 10, and the chain
is kept. Retries (at most 2, with backoff, honouring Retry-After up to a cap) for 5xx and 429: a
404 will not turn into a 200 by asking again. A site that asks for a longer wait than the cap is
not asked again in this run.

A timeout is asked again at most once per URL, and not after it: when a request has waited half
its timeout (`timeout_retry_after`), a second one to the same address is sent beside it (it
takes its own slot, so the limits hold) and the first answer wins. A hanging site so costs one
timeout and a half at most, not three timeouts and the backoff in a row; that is enough,
because a timeout only makes a link unverified, and holding a message back takes two failed
checks in a row anyway. A request that times out before the second one started (a connect
timeout) is asked again at once.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import StrEnum
from urllib.parse import urljoin

import httpx

from flows.core.i18n import N_, _
from flows.core.phrase import Phrase, Shown
from flows.core.settings import Settings
from flows.infra.limiter import HostLimiter
from flows.infra.netsafety import RefusedAddress, request_problem_phrase, safe_client


class Verdict(StrEnum):
    OK = "ok"
    REDIRECTED = "redirected"  # moved permanently: use the new address
    BROKEN = "broken"  # gone (404, 410, 451): holds messages back
    UNVERIFIED = "unverified"  # could not tell (timeouts, connection errors, 5xx, 429)
    REFUSED = "refused"  # points at an address we never connect to

    @property
    def label(self) -> str:
        """The verdict in the current language, for people (the value stays for machines)."""
        return _(_LABELS[self])


_LABELS = {
    Verdict.OK: N_("ok"),
    Verdict.REDIRECTED: N_("moved"),
    Verdict.BROKEN: N_("broken"),
    Verdict.UNVERIFIED: N_("not verified"),
    Verdict.REFUSED: N_("refused"),
}

HEAD_REFUSED = frozenset({403, 405, 501})  # servers that do not answer HEAD properly
GONE = frozenset({404, 410, 451})
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
MAX_RETRIES = 2
TIMEOUTS = (httpx.TimeoutException, TimeoutError)


@dataclass
class Hop:
    """One redirect: the address asked and the status that sent us on."""

    url: str
    status: int


@dataclass
class Result:
    """What the check found out about one URL."""

    url: str
    verdict: Verdict
    status: int | None = None
    final_url: str = ""
    redirects: list[Hop] = field(default_factory=list)
    detail: Shown = ""  # a Phrase: shown in the language of whoever shows it
    requests: int = 0
    reached: bool = False  # some server answered (false: DNS/connection failures only)
    checked_at: float = 0.0
    from_cache: bool = False
    observed: Verdict | None = None  # what this run saw, before the history rule


@dataclass
class _Attempt:
    verdict: Verdict
    status: int | None
    final_url: str
    redirects: list[Hop]
    detail: Shown
    reached: bool
    retry: bool = False
    retry_after: float | None = None


@dataclass
class Options:
    """Limits and timings; the defaults come from the settings."""

    concurrency: int = 32
    per_host: int = 4
    connect_timeout: float = 5.0
    total_timeout: float = 15.0
    retry_after_cap: float = 30.0
    retries: int = MAX_RETRIES
    backoff: float = 0.5  # first retry waits this long, then twice as long
    timeout_retries: int = 1  # 0: a timeout is not asked again in this run
    # Seconds a request may go unanswered before it is asked again beside it (None: half the
    # total timeout).
    timeout_retry_after: float | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: float) -> Options:
        """Options from the link settings."""
        base = cls(
            concurrency=settings.link_concurrency,
            per_host=settings.link_per_host,
            connect_timeout=settings.link_connect_timeout,
            total_timeout=settings.link_timeout,
            retry_after_cap=settings.link_retry_after_cap,
        )
        for key, value in overrides.items():
            setattr(base, key, value)
        return base


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Checker:
    """Checks URLs with one shared client and the global and per-host limits."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        options: Options,
        on_done: Callable[[Result], None] | None = None,
    ) -> None:
        self.client = client
        self.options = options
        self.on_done = on_done
        self.requests_sent = 0
        self.limiter = HostLimiter(options.concurrency, options.per_host)

    async def check_all(self, urls: list[str]) -> dict[str, Result]:
        """Check every URL concurrently; returns url -> Result."""
        results = await asyncio.gather(*(self.check(url) for url in urls))
        return {r.url: r for r in results}

    async def check(self, url: str) -> Result:
        """Check one URL, retrying where it can help; never raises for a bad URL or site."""
        requests_before = self.requests_sent
        spare = [self.options.timeout_retries > 0]  # the one timeout retry, over all attempts
        try:
            attempt = await self._attempt(url, spare)
            for n in range(self.options.retries):
                if not attempt.retry:
                    break
                wait = attempt.retry_after
                if wait is not None and wait > self.options.retry_after_cap:
                    # Asking again sooner than the site allows would be rude, and waiting that
                    # long would hold up the whole run: leave it for the next check.
                    attempt.detail = Phrase.of(
                        N_(
                            "{detail}; it asks to wait {seconds} s, so it is left for a later check"
                        ),
                        detail=attempt.detail,
                        seconds=f"{wait:.0f}",
                    )
                    break
                await asyncio.sleep(self._delay(n, attempt.retry_after))
                attempt = await self._attempt(url, spare)
        except Exception as exc:  # noqa: BLE001 - one odd site must not stop the whole run
            detail = Phrase.of(
                N_("could not be checked ({error})"), error=f"{type(exc).__name__}: {exc}"
            )
            attempt = _Attempt(Verdict.UNVERIFIED, None, url, [], detail, False)
        result = Result(
            url=url,
            verdict=attempt.verdict,
            status=attempt.status,
            final_url=attempt.final_url,
            redirects=attempt.redirects,
            detail=attempt.detail,
            requests=self.requests_sent - requests_before,
            reached=attempt.reached,
            checked_at=time.time(),
            observed=attempt.verdict,
        )
        if self.on_done is not None:
            self.on_done(result)
        return result

    def _delay(self, n: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(retry_after, 0.0)  # at most the cap: longer waits are never retried
        return self.options.backoff * 2.0**n

    async def _attempt(self, url: str, spare: list[bool]) -> _Attempt:
        """Follow the redirect chain from `url` once and judge where it ends (`spare`: see
        `_request_retrying_timeout`)."""
        chain: list[Hop] = []
        current = url
        seen = {url}
        reached = False
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = await self._request_retrying_timeout(current, spare)
            except RefusedAddress as exc:
                detail = Phrase.of(N_("{reason}; use a public address"), reason=exc.phrase)
                return _Attempt(Verdict.REFUSED, None, current, chain, detail, reached)
            except (httpx.TimeoutException, TimeoutError) as exc:
                # A read timeout means a server did accept the connection: it is reachable.
                answered = reached or isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout)
                detail = Phrase(N_("no answer in time"))
                # Already asked a second time beside the first (see the module docstring).
                return _Attempt(Verdict.UNVERIFIED, None, current, chain, detail, answered)
            except httpx.HTTPError as exc:
                connect = isinstance(exc, httpx.ConnectError)
                answered = reached or not connect
                if connect:
                    detail = Phrase.of(N_("could not connect ({reason})"), reason=_plain_error(exc))
                else:
                    detail = Phrase.of(
                        N_("the connection failed ({reason})"), reason=_plain_error(exc)
                    )
                return _Attempt(Verdict.UNVERIFIED, None, current, chain, detail, answered)
            reached = True
            status = response.status_code
            location = response.headers.get("location")
            if status in REDIRECTS and location:
                chain.append(Hop(current, status))
                try:
                    target = urljoin(current, location.strip())
                    httpx.URL(target)
                except (ValueError, httpx.InvalidURL):
                    detail = Phrase.of(
                        N_("redirects to an invalid address ({address})"), address=repr(location)
                    )
                    return _Attempt(Verdict.UNVERIFIED, status, current, chain, detail, reached)
                problem = request_problem_phrase(target)  # the one acceptance rule, as it is sent
                if problem is not None:
                    detail = Phrase.of(
                        N_("redirects to {address}, which {problem}"),
                        address=repr(target[:200]),
                        problem=problem,
                    )
                    return _Attempt(Verdict.UNVERIFIED, status, target, chain, detail, reached)
                if target in seen:
                    detail = Phrase(
                        N_("redirects in a loop; open it in a browser to see if it works")
                    )
                    return _Attempt(Verdict.UNVERIFIED, status, target, chain, detail, reached)
                seen.add(target)
                current = target
                continue
            return _judge(status, response.headers, current, chain)
        detail = Phrase.of(N_("more than {n} redirects; use the final address"), n=MAX_REDIRECTS)
        return _Attempt(Verdict.UNVERIFIED, None, current, chain, detail, reached)

    async def _request_retrying_timeout(self, url: str, spare: list[bool]) -> httpx.Response:
        """`_request`, asked a second time beside the first when it is slow (see the module
        docstring); `spare[0]` is whether this URL's one timeout retry is still unused."""
        if not spare[0]:
            return await self._request(url)
        sending = asyncio.Event()
        first = asyncio.create_task(self._request(url, sending))
        waiting = asyncio.create_task(sending.wait())
        try:
            # The time to the second request counts from the first one's slot, not its queue.
            await asyncio.wait({first, waiting}, return_when=asyncio.FIRST_COMPLETED)
            if not first.done():
                await asyncio.wait({first}, timeout=self._timeout_retry_after())
        except BaseException:
            first.cancel()
            raise
        finally:
            waiting.cancel()
        spare[0] = False
        if first.done():
            failure = first.exception()
            if not isinstance(failure, TIMEOUTS):
                return first.result()
            return await self._request(url)  # timed out before the second began: ask at once
        tasks = {first, asyncio.create_task(self._request(url))}
        try:
            while True:
                done, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    # The first answer (or failure other than a timeout) wins.
                    if not isinstance(task.exception(), TIMEOUTS) or not tasks:
                        return task.result()
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)

    def _timeout_retry_after(self) -> float:
        after = self.options.timeout_retry_after
        return self.options.total_timeout / 2 if after is None else after

    async def _request(self, url: str, sending: asyncio.Event | None = None) -> httpx.Response:
        """HEAD, or GET when HEAD is refused; only headers are read. Holds the limits."""
        async with self.limiter.slot(url):
            if sending is not None:
                sending.set()
            response = await self._send("HEAD", url)
            if response.status_code in HEAD_REFUSED:
                response = await self._send("GET", url)
            return response

    async def _send(self, method: str, url: str) -> httpx.Response:
        request = self.client.build_request(method, url)
        async with asyncio.timeout(self.options.total_timeout):
            try:
                response = await self.client.send(request, stream=True)
            except (RefusedAddress, httpx.ConnectError, httpx.ConnectTimeout):
                raise  # no connection, so nothing was sent
            except BaseException:
                self.requests_sent += 1
                raise
            self.requests_sent += 1
            if method == "HEAD":
                # A HEAD answer has no body; reading its (empty) end lets the connection be reused.
                await response.aread()
            # A GET body is never read: closing a streamed response drops the connection instead,
            # so a huge or endless body costs nothing.
            await response.aclose()
        return response


def _judge(status: int, headers: httpx.Headers, final: str, chain: list[Hop]) -> _Attempt:
    """The verdict for the status the chain ended with."""
    if 200 <= status < 300:
        if chain and all(hop.status in PERMANENT for hop in chain):
            detail = Phrase.of(N_("moved permanently; use {address}"), address=final)
            return _Attempt(Verdict.REDIRECTED, status, final, chain, detail, True)
        return _Attempt(Verdict.OK, status, final, chain, "", True)
    if status in GONE:
        if status == 404:
            detail = Phrase(N_("page not found (404)"))
        elif status == 410:
            detail = Phrase(N_("page removed (410)"))
        else:
            detail = Phrase.of(N_("page not available ({status})"), status=status)
        return _Attempt(Verdict.BROKEN, status, final, chain, detail, True)
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(headers.get("retry-after"))
        detail = Phrase.of(
            N_("the site answered {status} (busy or failing); try again later"), status=status
        )
        return _Attempt(
            Verdict.UNVERIFIED,
            status,
            final,
            chain,
            detail,
            True,
            retry=True,
            retry_after=retry_after,
        )
    detail = Phrase.of(
        N_("the site answered {status}; open it in a browser to check"), status=status
    )
    return _Attempt(Verdict.UNVERIFIED, status, final, chain, detail, True)


def _plain_error(exc: BaseException) -> Shown:
    """Plain words for a connection failure (anyio hides the cause one or two levels down)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return Phrase(N_("the site refused the connection"))
        if isinstance(seen, ssl.SSLCertVerificationError):
            return Phrase.of(
                N_("the site's security certificate is not valid ({reason})"),
                reason=seen.verify_message,
            )
        if isinstance(seen, socket.gaierror):
            return Phrase(N_("the site name was not found"))
        if isinstance(seen, OSError) and "unreachable" in str(seen).lower():
            return Phrase(N_("the network cannot be reached"))
        seen = seen.__cause__ or seen.__context__
    return str(exc).strip() or type(exc).__name__


async def check_urls(
    urls: list[str],
    settings: Settings,
    options: Options | None = None,
    on_done: Callable[[Result], None] | None = None,
) -> tuple[dict[str, Result], int]:
    """Check `urls` with a safe client; returns (results, requests sent)."""
    opts = options or Options.from_settings(settings)
    timeout = httpx.Timeout(opts.total_timeout, connect=opts.connect_timeout)
    async with safe_client(settings, per_origin=opts.per_host, timeout=timeout) as client:
        checker = Checker(client, opts, on_done)
        results = await checker.check_all(urls)
    return results, checker.requests_sent
