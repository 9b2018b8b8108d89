"""Contacts survive export and import, and real address books import without loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.core.contacts_entry import decode_contacts_file
from outreach.core.contacts_import import parse_contacts_file
from outreach.store.workspace import load_workspace
from tests.conftest import RunCli

CONTACTS = Path(__file__).parent / "fixtures" / "contacts"
VCARDS = sorted(CONTACTS.glob("*.vcf"))


@pytest.mark.parametrize("fmt", ["toml", "csv"])
def test_an_export_of_the_example_roster_imports_back_unchanged(
    fmt: str, tmp_path: Path, run_cli: RunCli
) -> None:
    example, empty = tmp_path / "example", tmp_path / "empty"
    run_cli("init", str(example), "--example")
    run_cli("init", str(empty))
    exported = tmp_path / f"contacts.{fmt}"
    export = ("contacts", "export", "--format", fmt, "--output", str(exported))
    run_cli("--home", str(example), *export)
    imported = run_cli("--home", str(empty), "contacts", "import", str(exported))
    original = load_workspace(example).roster.contacts
    assert imported.stdout.endswith(f"{exported}: {len(original)} new contacts, 0 already known\n")
    assert load_workspace(empty).roster.contacts == original
    # The export carries whys, cadences and notes, or the comparison proves little.
    assert any(c.why for c in original) and any(c.org for c in original)
    assert any(c.notes for c in original) and any(c.cadence_days for c in original)


@pytest.mark.parametrize("path", VCARDS, ids=[p.name for p in VCARDS])
def test_real_vcards_read_the_same_in_utf8_and_in_utf16_without_a_bom(path: Path) -> None:
    text = decode_contacts_file(path.read_bytes(), path.name)
    batch = parse_contacts_file(text, path.name)
    for encoding in ("utf-16-le", "utf-16-be", "utf-16"):
        again = decode_contacts_file(text.encode(encoding), path.name)
        assert parse_contacts_file(again, path.name) == batch


def test_real_vcards_import_into_an_empty_workspace(tmp_path: Path, run_cli: RunCli) -> None:
    root = tmp_path / "ws"
    run_cli("init", str(root))
    added = 0
    for path in VCARDS:
        result = run_cli("--home", str(root), "contacts", "import", str(path))
        assert "Traceback" not in result.stderr
        added += sum(1 for line in result.stdout.splitlines() if line.startswith("added "))
    roster = load_workspace(root).roster
    assert len(roster) == added >= 10
    # Google's own groups never become tags, in any spelling.
    assert not {t for c in roster for t in c.tags} & {"mycontacts", "starred"}


def test_outlook_layout_name_column_and_googles_groups(tmp_path: Path) -> None:
    text = (
        "Name,E-mail Address,Categories\r\n"
        "Zoë Ørsted,zoe@example.org,myContacts;Housing\r\n"
        "Chen Wei,chen@example.org,Starred\r\n"
    )
    batch = parse_contacts_file(text, "outlook.csv")
    assert batch.kind == "outlook"
    assert [(c.name, c.tags) for c in batch.contacts] == [
        ("Zoë Ørsted", ("housing",)),
        ("Chen Wei", ()),
    ]
