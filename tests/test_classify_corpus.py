"""The classifier against labelled real mail it was not written from.

The corpus lives beside the repository (`../shared/corpus`, or where
$OUTREACH_CORPUS points) and is not part of the product; without it these
tests skip.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from outreach.core.classify import Kind, classify
from outreach.core.headers import parse_header_block

CORPUS = Path(
    os.environ.get("OUTREACH_CORPUS")
    or Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
)
LABELS = CORPUS / "LABELS.tsv"


def labelled() -> list[tuple[str, Kind]]:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["filename"], Kind(row["label"])) for row in rows]


@pytest.mark.skipif(not LABELS.is_file(), reason="no labelled corpus at ../shared/corpus")
def test_corpus_humans_count_and_robots_do_not() -> None:
    cases = labelled()
    assert cases, "LABELS.tsv lists no messages"
    wrong: list[str] = []
    exact = 0
    for filename, label in cases:
        verdict = classify(parse_header_block((CORPUS / filename).read_bytes()))
        if verdict.counts != (label is Kind.HUMAN):
            wrong.append(f"{filename}: labelled {label}, got {verdict.kind} ({verdict.reason})")
        exact += verdict.kind is label
    total = len(cases)
    # The score is the point of this test: `pytest -s` shows it.
    score = f"human-vs-not {total - len(wrong)}/{total}, exact kind {exact}/{total}"
    print(f"\ncorpus: {score}")  # noqa: T201
    assert not wrong, "\n".join(wrong)
