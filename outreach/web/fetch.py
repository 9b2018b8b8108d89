"""HTTP for feeds: one client with timeouts, a size limit, few redirects, gzip, conditional GETs.

An edge: it speaks HTTP through httpx and returns bytes and validators; it
parses nothing and writes nothing. Every failure becomes a FeedError whose
message names the URL and says why in words, for `outreach follow` to print.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Literal

import httpx

from outreach import __version__
from outreach.base.errors import FeedError
from outreach.core.feed_urls import request_url

USER_AGENT = f"outreach/{__version__} (feed reader; +https://pypi.org/project/outreach/)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9,"
    " text/calendar, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
TIMEOUT_SECONDS = 15.0
MAX_BYTES = 5 * 1024 * 1024  # after decompression: a gzip bomb stops here too
MAX_REDIRECTS = 5


class FeedBusy(FeedError):
    """The server asked us to come back later (429 or 503 with Retry-After in seconds)."""

    def __init__(self, message: str, *, wait: timedelta) -> None:
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # as written in the roster
    status: Literal["fetched", "unchanged"]
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None


class FeedClient:
    """A pooled HTTP client for a run of feeds; use as a context manager. Thread-safe."""

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=max_redirects,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        )

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """The feed's bytes, or `unchanged` when the server answers 304 to our validators."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self._client.stream("GET", request_url(url), headers=headers) as response:
                if response.status_code == 304:
                    return Fetched(
                        url,
                        "unchanged",
                        etag=response.headers.get("ETag") or etag,
                        last_modified=response.headers.get("Last-Modified") or last_modified,
                    )
                if response.status_code >= 300:
                    phrase = response.reason_phrase or "error"
                    message = f"{url}: HTTP {response.status_code} ({phrase})"
                    retry = response.headers.get("Retry-After", "").strip()
                    if response.status_code in (429, 503) and retry.isdigit():
                        raise FeedBusy(message, wait=timedelta(seconds=int(retry)))
                    raise FeedError(message)
                body = self._read_bounded(url, response)
                return Fetched(
                    url,
                    "fetched",
                    body=body,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    content_type=response.headers.get("Content-Type"),
                )
        except httpx.TimeoutException:
            raise FeedError(f"{url}: no answer within {self.timeout:g} seconds") from None
        except httpx.TooManyRedirects:
            raise FeedError(f"{url}: more than {self.max_redirects} redirects") from None
        except httpx.UnsupportedProtocol as exc:
            raise FeedError(f"{url}: redirected to an address that is not http(s): {exc}") from None
        except httpx.DecodingError:
            raise FeedError(f"{url}: the compressed answer is damaged") from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise FeedError(f"{url}: cannot fetch: {reason}") from None

    def _read_bounded(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise FeedError(f"{url}: {self._too_big()}")
        # httpx's timeout is per read: a server dripping a byte at a time would
        # never trip it, so the whole body gets a deadline of its own.
        deadline = time.monotonic() + 2 * self.timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # decompressed (gzip, deflate)
            size += len(chunk)
            if size > self.max_bytes:
                raise FeedError(f"{url}: {self._too_big()}")
            if time.monotonic() > deadline:
                raise FeedError(f"{url}: too slow (still sending after {2 * self.timeout:g} s)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self) -> str:
        return f"larger than {self.max_bytes // (1024 * 1024)} MB; refused"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> FeedClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
