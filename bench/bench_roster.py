"""Time to load and validate a roster of 10,000 contacts, against plain tomllib.

Generates a realistic `roster.toml` (1-3 addresses per contact, tags, notes,
some non-ASCII names, comments, a focus circle), then times
`outreach.core.roster.parse_roster` (parse + validate) and, on the same text in the
same run, `tomllib.loads`. Then times `load_workspace` on a workspace holding
that roster: with the validated-roster cache left by an earlier command
(warm), and without it (cold). Prints the median of several runs and the
ratio. The targets: under one second for parse + validate of 10,000
contacts (checked at that size or more), and a warm load under a quarter of
the cold one (at any size). Exits 1 when a target is missed.

    python bench/bench_roster.py [--contacts 10000] [--runs 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import shutil
import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from targets import Targets

from outreach.base.model import Circle
from outreach.core import addresses
from outreach.core.contacts_import import slug
from outreach.core.roster import parse_roster
from outreach.core.roster_edit import append_contacts, contact_toml
from outreach.store.cache import CACHE_FILE
from outreach.store.workspace import load_workspace

TARGET_SECONDS = 1.0
TARGET_CONTACTS = 10_000  # the size TARGET_SECONDS is set for
# A warm load must cost at most this share of a cold one, or the cache is not worth it.
TARGET_WARM_SHARE = 0.25
CIRCLES = {"focus": Circle("focus", 14), "extended": Circle("extended", 60)}

_FIRST = [
    "Ana", "Ben", "Chen", "Dário", "Émile", "Farah", "Gökhan", "Hana", "Ines", "José",
    "Kwame", "Lena", "Maëlle", "Nikolai", "Olúwaseun", "Priya", "Quentin", "Rosa",
    "Søren", "Tomás", "Úrsula", "Vera", "Wen", "Ximena", "Yusuf", "Zoë", "Łucja", "Ngozi",
]  # fmt: skip
_LAST = [
    "Lima", "Okafor", "Wei", "Sousa", "Roux", "Haddad", "Yılmaz", "Novak", "García",
    "Müller", "Mensah", "Ivanova", "Østergaard", "Brennan", "Kowalczyk", "Nakamura",
    "Adeyemi", "Fischer", "O'Neill", "Dubois", "Castro", "Ferreira", "Lindqvist",
]  # fmt: skip
_DOMAINS = ["example.org", "example.net", "example.com", "mail.example.org", "studio.example.net"]
_TAGS = [
    "art", "housing", "food", "activism", "emergence", "music", "climate", "education",
    "design", "tenants", "cooperatives", "zines", "health", "open-source", "mutual-aid",
]  # fmt: skip
_ORGS = [
    "Tenants Union", "Riverside Food Co-op", "Open Studio", "Commons Lab",
    'The "Maker" Space', "Back Alley Press", None, None, None,
]  # fmt: skip
_NOTES = [
    "Met at the spring convening.",
    "Runs the Thursday workshop; prefers email to calls.",
    "Introduced by Ana.\nWants feedback on the grant draft.",
    'Said "let\'s talk after the summer" — follow up in September.',
    None,
    None,
]


def _ascii(text: str) -> str:
    return slug(text).replace("-", "")


def generate_roster(count: int, seed: int = 7) -> str:
    """A roster.toml of `count` contacts, shaped like one a person keeps by hand."""
    rng = random.Random(seed)
    tables: list[str] = []
    for n in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        handle = f"{_ascii(first)}.{_ascii(last)}{n}"
        emails = [f"{handle}@{rng.choice(_DOMAINS)}"]
        for extra in range(rng.choice((0, 0, 1, 2))):
            emails.append(f"{_ascii(first)}{n}-{extra}@{rng.choice(_DOMAINS)}")
        if n % 7 == 0:
            emails[0] = emails[0].capitalize()  # hand-typed capitals
        focus = n < 10
        tables.append(
            contact_toml(
                f"{_ascii(first)}-{_ascii(last)}-{n}",
                name=f"{first} {last}",
                emails=emails,
                circle="focus" if focus else rng.choice((None, "extended")),
                why=rng.sample(["learn", "contribute", "connect"], k=rng.randint(0, 2)),
                tags=rng.sample(_TAGS, k=rng.randint(0, 4)),
                org=rng.choice(_ORGS),
                notes=rng.choice(_NOTES),
                links=[f"https://{_ascii(first)}{n}.example.net/"] if n % 5 == 0 else [],
            )
        )
        if n % 500 == 0:
            comment = f"# --- batch {n // 500}: people from the {rng.choice(_TAGS)} circle\n"
            tables[-1] = comment + tables[-1]
    header = (
        "# My network. One table per person; `outreach check` validates this file.\n"
        "# circle: focus | extended; why: learn | contribute | connect\n"
    )
    return append_contacts(header, tables)


def _time(fn: Callable[[], object], runs: int, before: Callable[[], None]) -> list[float]:
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    args = parser.parse_args()

    text = generate_roster(args.contacts)
    roster = parse_roster(text, CIRCLES)  # also proves the generated roster is valid
    assert len(roster) == args.contacts, len(roster)
    address_count = sum(len(c.emails) for c in roster)
    print(f"roster: {args.contacts} contacts, {address_count} addresses, {len(text) / 1e6:.2f} MB")

    # Address normalisation is memoised (per address, and per domain); clearing
    # the caches before each run times the cold start a fresh process pays.
    def cold() -> None:
        addresses.normalise_address.cache_clear()
        domain_cache = getattr(addresses, "_domain_forms", None)
        if domain_cache is not None:
            domain_cache.cache_clear()

    base = _time(lambda: tomllib.loads(text), args.runs, lambda: None)
    full = _time(lambda: parse_roster(text, CIRCLES), args.runs, cold)
    base_med, full_med = statistics.median(base), statistics.median(full)
    print(f"tomllib.loads            median {base_med * 1000:8.1f} ms  (of {args.runs})")
    print(f"parse_roster (validate)  median {full_med * 1000:8.1f} ms  (of {args.runs})")
    print(f"ratio parse_roster / tomllib: {full_med / base_med:.2f}x")
    cold_med, warm_med = _time_workspace_loads(text, args.runs, cold)
    print(f"load_workspace, cold     median {cold_med * 1000:8.1f} ms  (of {args.runs})")
    print(f"load_workspace, cached   median {warm_med * 1000:8.1f} ms  (of {args.runs})")
    targets = Targets()
    targets.check(
        f"parse_roster of {args.contacts:,} contacts: {full_med:.2f} s",
        f"< {TARGET_SECONDS:.1f} s",
        full_med < TARGET_SECONDS,
        applies=args.contacts >= TARGET_CONTACTS,
    )
    targets.check(
        f"cached load / cold load = {warm_med / cold_med:.2f}",
        f"<= {TARGET_WARM_SHARE}",
        warm_med <= TARGET_WARM_SHARE * cold_med,
    )

    if args.profile:
        cold()
        profiler = cProfile.Profile()
        profiler.runcall(parse_roster, text, CIRCLES)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
    return targets.exit_status()


def _time_workspace_loads(
    roster_text: str, runs: int, cold: Callable[[], None]
) -> tuple[float, float]:
    """Medians of `load_workspace` without the cache and with the one a first load left."""
    root = Path(tempfile.mkdtemp(prefix="outreach-bench-roster-"))
    try:
        (root / "outreach.toml").write_text('[me]\nname = "Dana"\nemail = "dana@example.org"\n')
        (root / "roster.toml").write_text(roster_text)
        (root / "events.toml").write_text("")

        def drop_cache() -> None:
            cold()
            (root / CACHE_FILE).unlink(missing_ok=True)

        uncached = _time(lambda: load_workspace(root), runs, drop_cache)
        load_workspace(root)  # leaves the cache
        cached = _time(lambda: load_workspace(root), runs, cold)
        assert len(load_workspace(root).roster) == len(parse_roster(roster_text, CIRCLES))
        return statistics.median(uncached), statistics.median(cached)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
