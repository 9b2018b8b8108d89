"""Introductions without I/O: pairs, double opt-in state, and batch files of pairs.

Pure: takes ids, roster and text; returns values or raises one InputError
with every problem located. The journal's `intros` table holds the state;
the drafting use cases decide when to write what.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from outreach.base.errors import InputError, Problem
from outreach.base.model import Contact, Roster
from outreach.core.consent import Answer
from outreach.core.tomlsource import KeyLocator, TomlSyntaxError, parse_toml
from outreach.core.validation import Validator, did_you_mean


class IntroMode(enum.StrEnum):
    DIRECT = "direct"  # one email to both at once
    DOUBLE_OPT_IN = "double_opt_in"  # ask each first; introduce when both said yes


class IntroStatus(enum.StrEnum):
    ASKED = "asked"  # asks drafted, waiting for both to answer
    READY = "ready"  # both answered; the joint introduction is due
    INTRODUCED = "introduced"  # the joint introduction is drafted (or sent)
    DECLINED = "declined"  # withdrawn: an ask or the introduction was discarded


@dataclass(frozen=True, slots=True)
class IntroRequest:
    """One pair to introduce, as the user asked for it."""

    a: str
    b: str
    why: str = ""
    double_opt_in: bool | None = None  # None: as the command line says
    where: str = ""  # `file:line` for messages about this pair


def ordered_pair(a: str, b: str) -> tuple[str, str]:
    """The pair as the journal stores it: the smaller id first."""
    return (a, b) if a < b else (b, a)


def opt_in_status(pair: tuple[str, str], answers: Mapping[str, Answer]) -> IntroStatus:
    """From each person's latest answer: DECLINED on any no, READY on two yeses, else ASKED.

    Only consent counts: an answer that is unclear, or none yet, keeps it asked.
    """
    given = [answers.get(person) for person in pair]
    if Answer.NO in given:
        return IntroStatus.DECLINED
    if all(a is Answer.YES for a in given):
        return IntroStatus.READY
    return IntroStatus.ASKED


def resolve_pair(roster: Roster, a: str, b: str, where: str) -> tuple[Contact, Contact]:
    """Both contacts, or an InputError naming each unknown id."""
    problems = []
    ids = [c.id for c in roster]
    for contact_id in (a, b):
        if contact_id not in roster:
            problems.append(
                Problem(where, f"'{contact_id}' is not a contact id{did_you_mean(contact_id, ids)}")
            )
    if not problems and a == b:
        problems.append(Problem(where, f"cannot introduce '{a}' to themselves"))
    InputError.collect(problems)
    return roster[a], roster[b]


_TOML_KEYS = ("a", "b", "why", "double_opt_in")


def parse_intro_requests(text: str, path: str, roster: Roster) -> list[IntroRequest]:
    """A batch of pairs from a `.toml` (`[[intros]]` tables) or `.csv` (a, b, why) file."""
    if path.lower().endswith(".csv"):
        requests, problems = _from_csv(text, path)
    else:
        requests, problems = _from_toml(text, path)
    seen: dict[tuple[str, str], str] = {}
    for request in requests:
        for contact_id in (request.a, request.b):
            if contact_id not in roster:
                ids = [c.id for c in roster]
                problems.append(
                    _located(
                        request.where,
                        f"'{contact_id}' is not a contact id{did_you_mean(contact_id, ids)}",
                    )
                )
        if request.a == request.b:
            problems.append(_located(request.where, f"'{request.a}' is paired with themselves"))
        key = ordered_pair(request.a, request.b)
        if key in seen:
            problems.append(_located(request.where, f"the pair is already listed at {seen[key]}"))
        seen.setdefault(key, request.where)
    InputError.collect(problems)
    return requests


def _located(where: str, message: str) -> Problem:
    path, _, line = where.rpartition(":")
    if line.isdigit():
        return Problem(path, message, line=int(line))
    return Problem(where, message)


def _from_toml(text: str, path: str) -> tuple[list[IntroRequest], list[Problem]]:
    try:
        data = parse_toml(text, path)
    except TomlSyntaxError as exc:
        return [], [exc.problem]
    locator = KeyLocator(text)
    check = Validator(path, locator)
    check.unknown_keys(data, ("intros",), ())
    requests = []
    for index, table in enumerate(check.table_list(data, "intros", ())):
        where = ("intros", index)
        check.unknown_keys(table, _TOML_KEYS, where)
        a = check.string(table, "a", where, required=True)
        b = check.string(table, "b", where, required=True)
        why = check.string(table, "why", where, default="") or ""
        opt_in: Any = table.get("double_opt_in")
        if opt_in is not None and not isinstance(opt_in, bool):
            check.error((*where, "double_opt_in"), "'double_opt_in' must be true or false")
            opt_in = None
        position = locator.find(where)
        line = f":{position.line}" if position else ""
        if a is not None and b is not None:
            requests.append(IntroRequest(a, b, why, opt_in, where=f"{path}{line}"))
    if "intros" not in data and not check.problems:
        check.error((), "no [[intros]] tables: write one per pair, with a, b and why")
    return requests, check.problems


def _from_csv(text: str, path: str) -> tuple[list[IntroRequest], list[Problem]]:
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader]
    rows = [(n, r) for n, r in rows if any(cell.strip() for cell in r)]
    if not rows:
        return [], [Problem(path, "empty: write a header line 'a,b,why' and one pair a line")]
    header = [cell.strip().lower() for cell in rows[0][1]]
    if "a" not in header or "b" not in header:
        return [], [Problem(path, "the first line must name the columns: a,b,why", line=rows[0][0])]
    unknown = [h for h in header if h not in _TOML_KEYS]
    if unknown:
        problems.append(Problem(path, f"unknown column '{unknown[0]}'", line=rows[0][0]))
    requests = []
    for line, row in rows[1:]:
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        a, b = cells.get("a", ""), cells.get("b", "")
        if not a or not b:
            problems.append(Problem(path, "each line needs both a and b", line=line))
            continue
        opt_in: bool | None = None
        flag = cells.get("double_opt_in", "").lower()
        if flag in ("yes", "true", "1"):
            opt_in = True
        elif flag in ("no", "false", "0"):
            opt_in = False
        elif flag:
            problems.append(Problem(path, f"double_opt_in '{flag}' is not yes or no", line=line))
        why = " ".join(cells.get("why", "").split())
        requests.append(IntroRequest(a, b, why, opt_in, where=f"{path}:{line}"))
    return requests, problems
