"""`outreach contacts`: list, add, import and export through the command line."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

from tests.conftest import RunCli
from tests.support.workspaces import make_workspace

VCARDS = """\
BEGIN:VCARD
VERSION:3.0
FN:Marisol Vega
EMAIL;TYPE=INTERNET:marisol@example.com
CATEGORIES:robotics,youth
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Ana L.
EMAIL:ANA@example.net
END:VCARD
"""


def test_add_appends_and_leaves_the_rest_of_the_file_as_written(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(tmp_path / "ws")
    before = (ws / "roster.toml").read_text()
    result = run_cli(
        "--home",
        str(ws),
        "contacts",
        "add",
        "cy",
        "--name",
        "Cy Park",
        "--email",
        "cy@example.org",
        "--why",
        "connect",
        "--tag",
        "food",
    )
    assert result.stdout == f"added cy (Cy Park <cy@example.org>) to {ws / 'roster.toml'}\n"
    after = (ws / "roster.toml").read_text()
    assert after.startswith(before)
    listing = run_cli("--home", str(ws), "contacts", "list").stdout
    assert "cy   Cy Park" in listing and listing.endswith("3 contacts\n")


def test_add_refuses_an_address_another_contact_has_and_writes_nothing(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(tmp_path / "ws")
    before = (ws / "roster.toml").read_bytes()
    result = run_cli(
        "--home",
        str(ws),
        "contacts",
        "add",
        "cy",
        "--name",
        "Cy",
        "--email",
        "BEN@example.net",
        expect=2,
    )
    assert result.stderr == (
        "contacts add: address 'BEN@example.net' belongs to both 'ben' and 'cy'\n"
    )
    assert (ws / "roster.toml").read_bytes() == before


def test_add_refuses_a_header_injection_in_the_name(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws")
    result = run_cli(
        "--home",
        str(ws),
        "contacts",
        "add",
        "cy",
        "--name",
        "Cy\r\nBcc: victim@example.com",
        "--email",
        "cy@example.org",
        expect=2,
    )
    assert "line break" in result.stderr or "control" in result.stderr


def test_import_skips_known_addresses_and_dry_run_writes_nothing(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(tmp_path / "ws")
    (tmp_path / "people.vcf").write_text(VCARDS)
    before = (ws / "roster.toml").read_bytes()
    dry = run_cli(
        "--home", str(ws), "contacts", "import", str(tmp_path / "people.vcf"), "--dry-run"
    )
    assert "added marisol-vega: Marisol Vega <marisol@example.com>" in dry.stdout
    assert "skipped 'Ana L.'" in dry.stdout
    assert dry.stdout.endswith("dry run: roster.toml is unchanged\n")
    assert (ws / "roster.toml").read_bytes() == before

    run_cli("--home", str(ws), "contacts", "import", str(tmp_path / "people.vcf"))
    roster = tomllib.loads((ws / "roster.toml").read_text())["contacts"]
    assert roster["marisol-vega"]["emails"] == ["marisol@example.com"]
    assert set(roster) == {"ana", "ben", "marisol-vega"}
    # Importing the same file again finds everyone known.
    again = run_cli("--home", str(ws), "contacts", "import", str(tmp_path / "people.vcf"))
    assert "0 new contacts" in again.stdout


def test_export_merges_last_touch_and_support(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws")
    run_cli("--home", str(ws), "touch", "ana", "--kind", "meeting", "--date", "2026-06-01")
    run_cli("--home", str(ws), "touch", "ana", "--kind", "note", "--date", "2026-06-10")
    exported = tomllib.loads(run_cli("--home", str(ws), "contacts", "export").stdout)
    ana = exported["contacts"]["ana"]
    assert (ana["last_touch_kind"], ana["last_touch"].date().isoformat()) == ("note", "2026-06-10")
    assert (ana["last_support_kind"], ana["last_support"].date().isoformat()) == (
        "meeting",
        "2026-06-01",
    )
    assert "last_touch" not in exported["contacts"]["ben"]

    run_cli(
        "--home",
        str(ws),
        "contacts",
        "export",
        "--format",
        "csv",
        "--output",
        str(tmp_path / "out.csv"),
    )
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert [r["id"] for r in rows] == ["ana", "ben"]
    assert rows[0]["last_support_kind"] == "meeting" and rows[1]["last_support"] == ""


def test_add_to_focus_says_when_the_list_goes_past_its_guideline(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(tmp_path / "ws", extra_config="[report]\nfocus_min = 1\nfocus_max = 2\n")
    home = ["--home", str(ws), "contacts", "add"]
    second = run_cli(*home, "cy", "--name", "Cy Park", "--email", "cy@example.org",
                     "--circle", "focus")  # fmt: skip
    assert second.stderr == ""  # Ana and Cy: within the guideline
    third = run_cli(*home, "dee", "--name", "Dee Ray", "--email", "dee@example.org",
                    "--circle", "focus")  # fmt: skip
    assert third.stderr == (
        "note: the focus list now has 3 contacts, over its guideline of 1-2; consider"
        " moving 1 to another circle\n"
    )


def test_show_tells_one_persons_whole_story(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        events="""\
        [events.salon]
        title = "Housing salon"
        host = "ben"
        start = 2026-07-01T18:00:00Z
        tags = ["housing"]
        """,
    )
    home = ["--home", str(ws), "--as-of", "2026-06-15"]
    run_cli("--home", str(ws), "--as-of", "2026-03-02", "touch", "ana", "--kind", "meeting",
            "--note", "coffee at the studio")  # fmt: skip
    run_cli(*home, "draft", "shares")
    run_cli(*home, "draft", "intro", "ana", "ben", "--double-opt-in")
    text = run_cli(*home, "contacts", "show", "ana").stdout
    assert text == (
        "Ana Lima (ana): person, focus, every 14 days\n"
        "  emails        ana@example.net\n"
        "  greeting      Ana\n"
        "  why           learn\n"
        "  tags          art, housing\n"
        "  last support  2026-03-02 meeting (105 days ago)\n"
        "  last touch    2026-03-02 meeting\n"
        "  next step     review draft 1, waiting for them (`outreach drafts show 1`)\n"
        "\n"
        "Timeline (newest first)\n"
        "  2026-03-02  meeting   support         coffee at the studio\n"
        "\n"
        "Drafts waiting\n"
        "     1  share_event  Housing salon, Wednesday 1 July (Ben)  [your line]\n"
        "     2  intro_ask    Would you like to meet Ben?  [your line]\n"
        "\n"
        "Introductions\n"
        "  with Ben Okafor: asked (double opt in), 2026-06-15\n"
    )
    data = json.loads(run_cli(*home, "contacts", "show", "ana", "--format", "json").stdout)
    assert data["next_step"] == {
        "kind": "review_draft",
        "text": "review draft 1, waiting for them (`outreach drafts show 1`)",
    }
    assert data["timeline"] == [
        {
            "at": "2026-03-02T12:00:00Z",
            "kind": "meeting",
            "counts_as": "support",
            "detail": "coffee at the studio",
            "item": None,
        }
    ]
    assert [d["id"] for d in data["drafts_waiting"]] == [1, 2]
    assert run_cli(*home, "contacts", "show", "anna", expect=2).stderr == (
        "contact: 'anna' is not a contact id — did you mean 'ana'?\n"
    )
