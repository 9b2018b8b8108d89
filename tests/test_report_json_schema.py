"""The JSON report validates against its documented schema, and the docs carry it.

A small validator covers the part of JSON Schema 2020-12 the schema uses
(type, const, enum, minimum, format date-time, properties, required,
additionalProperties, items, anyOf, local $ref); anything else it meets is
an error, so the schema cannot silently outgrow what is checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from outreach.core.report.schema import REPORT_SCHEMA
from tests.conftest import RunCli
from tests.support.workspaces import make_workspace
from tests.test_report import AS_OF, network  # noqa: F401  (the fixture)

DOC = Path(__file__).resolve().parents[1] / "docs" / "report-json.md"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
KNOWN = {
    "$schema",
    "title",
    "$defs",
    "$ref",
    "type",
    "const",
    "enum",
    "minimum",
    "format",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "anyOf",
}


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$") -> list[str]:
    """Every way `value` breaks `schema`, as 'path: reason' lines."""
    unknown = set(schema) - KNOWN
    if unknown:
        return [f"{at}: the validator does not know {sorted(unknown)}"]
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return validate(value, root["$defs"][name], root, at)
    if "anyOf" in schema:
        if any(not validate(value, option, root, at) for option in schema["anyOf"]):
            return []
        return [f"{at}: matches none of anyOf"]
    errors: list[str] = []
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[k](value) for k in kinds):
            return [f"{at}: {value!r} is not {' or '.join(kinds)}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: {value!r} is not one of {schema['enum']}")
    if "minimum" in schema and TYPES["number"](value) and value < schema["minimum"]:
        errors.append(f"{at}: {value!r} is below {schema['minimum']}")
    is_text = isinstance(value, str)
    if schema.get("format") == "date-time" and is_text and not TIMESTAMP.match(value):
        errors.append(f"{at}: {value!r} is not a UTC timestamp")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{at}: missing {key!r}")
        for key, item in value.items():
            if key in properties:
                errors += validate(item, properties[key], root, f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{at}: unexpected {key!r}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += validate(item, schema["items"], root, f"{at}[{index}]")
    return errors


def check(document: Any) -> list[str]:
    return validate(document, REPORT_SCHEMA, REPORT_SCHEMA)


@pytest.mark.parametrize(
    "options",
    [(), ("--overdue",), ("--circle", "focus", "--limit", "2"), ("--days", "7")],
    ids=["all", "overdue", "focus-2", "7-days"],
)
def test_json_report_matches_the_schema(
    network: Path,  # noqa: F811
    run_cli: RunCli,
    options: tuple[str, ...],
) -> None:
    result = run_cli(
        "--home", str(network), "--as-of", AS_OF, "report", "--format", "json", *options
    )
    document = json.loads(result.stdout)
    assert document["contacts"], "an empty list would validate trivially"
    assert check(document) == []


def test_json_report_of_an_empty_roster_matches_the_schema(tmp_path: Path, run_cli: RunCli) -> None:
    home = make_workspace(tmp_path / "ws", roster="")
    result = run_cli("--home", str(home), "--as-of", AS_OF, "report", "--format", "json")
    document = json.loads(result.stdout)
    assert document["contacts"] == [] and check(document) == []


def test_the_validator_catches_what_breaks_the_contract(network: Path, run_cli: RunCli) -> None:  # noqa: F811
    result = run_cli("--home", str(network), "--as-of", AS_OF, "report", "--format", "json")
    good = json.loads(result.stdout)

    def broken(change: Any) -> list[str]:
        document = json.loads(json.dumps(good))
        change(document)
        return check(document)

    assert broken(lambda d: d["contacts"][0].pop("overdue")) == ["$.contacts[0]: missing 'overdue'"]
    assert broken(lambda d: d["contacts"][2].update(overdue="2.0")) == [
        "$.contacts[2].overdue: '2.0' is not number or null"
    ]
    assert broken(lambda d: d["health"].update(extra=1)) == ["$.health: unexpected 'extra'"]
    assert broken(lambda d: d.update(as_of="2026-06-15")) == [
        "$.as_of: '2026-06-15' is not a UTC timestamp"
    ]
    assert broken(lambda d: d["contacts"][1]["next_step"].update(kind="nudge")) == [
        "$.contacts[1].next_step: matches none of anyOf"
    ]
    assert broken(lambda d: d["contacts"][0].update(last_support_kind="reply")) == [
        "$.contacts[0].last_support_kind: 'reply' is not one of"
        " ['share', 'intro', 'feedback', 'meeting', 'promotion', None]"
    ]


def test_the_docs_carry_the_schema_verbatim() -> None:
    text = DOC.read_text()
    block = text.split("<!-- schema:", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(block) == REPORT_SCHEMA
    # Every contact field the schema names is explained in the docs' table.
    for field in REPORT_SCHEMA["$defs"]["contact"]["properties"]:
        assert f"`{field}`" in text.split("## JSON Schema")[0], field
