"""Throughput of header parsing plus classification, against the stdlib parser.

Generates realistic header blocks (human replies, auto-replies, bounces, list
and bulk mail, about 1 KB each), then times `parse_header_block` + `classify`
and, on the same blocks in the same run, `email.parser.BytesHeaderParser`
with `policy=compat32`. Prints the median of several runs in blocks/second.
Target: parse + classify at least 1.5x as fast as the stdlib parser's parse
alone (it measured 2.2-2.7x); exits 1 when missed.

    python bench/bench_classify.py [--blocks 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from email.parser import BytesHeaderParser
from email.policy import compat32

from targets import Targets

from outreach.core.classify import classify
from outreach.core.headers import parse_header_block

TARGET_RATIO = 1.5

_NAMES = ["Ana Lima", "Bea Okafor", "Chen Wei", "Dário Sousa", "Émile Roux", "Farah Haddad"]
_DOMAINS = ["example.org", "example.net", "example.com", "mail.example.org"]
_TOPICS = ["the spring convening", "your zine launch", "Friday's panel", "the grant draft"]


def _received(rng: random.Random, n: int) -> str:
    lines = []
    for _ in range(n):
        host = f"mx{rng.randint(1, 99)}.{rng.choice(_DOMAINS)}"
        lines.append(
            f"Received: from {host} ({host} [192.0.2.{rng.randint(1, 254)}])\r\n"
            f"\tby mail.example.org (Postfix) with ESMTPS id {rng.getrandbits(40):X}\r\n"
            f"\tfor <me@example.org>; Tue, 14 May 2024 09:{rng.randint(10, 59)}:07 +0200 (CEST)\r\n"
        )
    return "".join(lines)


def _common(rng: random.Random, sender: str, subject: str, return_path: str) -> str:
    uid = rng.getrandbits(64)
    dkim = (
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={rng.choice(_DOMAINS)};\r\n"
        "\ts=s1; h=from:to:subject:date:message-id;\r\n"
        f"\tbh={rng.getrandbits(256):064x}=\r\n"
    )
    return (
        f"Return-Path: <{return_path}>\r\n" + _received(rng, 2) + dkim + f"From: {sender}\r\n"
        "To: Me <me@example.org>\r\n"
        f"Subject: {subject}\r\n"
        f"Date: Tue, 14 May 2024 09:{rng.randint(10, 59)}:03 +0200\r\n"
        f"Message-ID: <{uid:x}@{rng.choice(_DOMAINS)}>\r\n"
        "MIME-Version: 1.0\r\n"
    )


def _human(rng: random.Random) -> bytes:
    name = rng.choice(_NAMES)
    addr = f"{name.split()[0].lower()}@{rng.choice(_DOMAINS)}"
    parent = f"<{rng.getrandbits(64):x}@example.org>"
    return (
        _common(rng, f'"{name}" <{addr}>', f"Re: {rng.choice(_TOPICS)}", addr)
        + f"In-Reply-To: {parent}\r\n"
        f"References: <{rng.getrandbits(60):x}@example.org>\r\n {parent}\r\n"
        'Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f6"\r\n'
        "X-Auto-Response-Suppress: All\r\n\r\n"
    ).encode()


def _autoreply(rng: random.Random) -> bytes:
    name = rng.choice(_NAMES)
    sender = f"{name} <{name.split()[0].lower()}@{rng.choice(_DOMAINS)}>"
    subject = "=?utf-8?q?R=C3=A9ponse_automatique_=3A?= " + rng.choice(_TOPICS)
    return (
        _common(rng, sender, subject, "")
        + "Auto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode()


def _bounce(rng: random.Random) -> bytes:
    sender = f"MAILER-DAEMON@{rng.choice(_DOMAINS)} (Mail Delivery System)"
    return (
        _common(rng, sender, "Undelivered Mail Returned to Sender", "")
        + "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        '\tboundary="4Vv2Qx1z3Hz9K.1715671234/mail.example.org"\r\n\r\n'
    ).encode()


def _list(rng: random.Random) -> bytes:
    name = rng.choice(_NAMES)
    sender = f"{name} <{name.split()[0].lower()}@example.net>"
    return (
        _common(rng, sender, "[community] Meeting notes", "community-bounces@lists.example.org")
        + "List-Id: Community <community.lists.example.org>\r\n"
        "List-Post: <mailto:community@lists.example.org>\r\n"
        "List-Unsubscribe: <mailto:community-leave@lists.example.org>\r\n"
        "Precedence: list\r\nX-Mailman-Version: 3.3.9\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode()


def _bulk(rng: random.Random) -> bytes:
    sender = "=?utf-8?q?The_Gallery?= <news@mail.example.com>"
    return (
        _common(rng, sender, "This week at the gallery", "bounce-8f3a2b@mail.example.com")
        + "List-Unsubscribe: <https://mail.example.com/u?id=8f3a2b>,\r\n"
        " <mailto:u-8f3a2b@mail.example.com>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        "Feedback-ID: 1234:5678:campaign:esp\r\n"
        'Content-Type: multipart/alternative; boundary="_----abc123"\r\n\r\n'
    ).encode()


def make_blocks(count: int, seed: int = 7) -> list[bytes]:
    """A mix weighted towards what an inbox holds: mostly people and bulk."""
    rng = random.Random(seed)
    makers = [_human] * 4 + [_bulk] * 3 + [_list] * 2 + [_autoreply, _bounce]
    return [rng.choice(makers)(rng) for _ in range(count)]


def _time_ours(blocks: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in blocks:
        classify(parse_header_block(raw))
    return time.perf_counter() - start


def _time_stdlib(blocks: list[bytes]) -> float:
    parser = BytesHeaderParser(policy=compat32)
    start = time.perf_counter()
    for raw in blocks:
        parser.parsebytes(raw)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    blocks = make_blocks(args.blocks)
    size = statistics.mean(len(b) for b in blocks)
    kinds = Counter(classify(parse_header_block(b)).kind.value for b in blocks)
    print(f"{len(blocks)} blocks, mean {size:.0f} bytes; verdicts: {dict(sorted(kinds.items()))}")

    # Interleaved, so a burst of load elsewhere on the machine hits both alike.
    ours, base = [], []
    for _ in range(args.runs):
        ours.append(len(blocks) / _time_ours(blocks))
        base.append(len(blocks) / _time_stdlib(blocks))
    ours_median = statistics.median(ours)
    base_median = statistics.median(base)
    print(f"parse_header_block + classify: {ours_median:>10,.0f} blocks/s (median of {args.runs})")
    print(f"BytesHeaderParser(compat32):   {base_median:>10,.0f} blocks/s (parse only)")
    print(f"ratio: {ours_median / base_median:.1f}x")
    targets = Targets()
    targets.check(
        f"parse + classify / stdlib parse = {ours_median / base_median:.2f}x",
        f">= {TARGET_RATIO}x",
        ours_median >= TARGET_RATIO * base_median,
    )
    return targets.exit_status()


if __name__ == "__main__":
    raise SystemExit(main())
