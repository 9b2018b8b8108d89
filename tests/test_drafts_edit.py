"""`drafts edit`: the decoded text in an editor (a script here), the message rebuilt.

The editor is a real program run by outreach: a small Python script that
records what it was given and rewrites the file, as any editor would.
"""

from __future__ import annotations

import sys
import textwrap
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from tests.conftest import RunCli
from tests.support.dovecot import MailUser
from tests.support.workspaces import make_workspace
from tests.test_drafts_push import env, workspace_for

EVENTS = """\
[events.salon]
title = "Housing Salon at Café Lumière"
host = "ben"
start = 2026-07-01T18:00:00Z
tags = ["housing"]
share_with = ["ana"]
"""


def editor(tmp_path: Path, body: str, *, status: int = 0) -> dict[str, str]:
    """An editor command: saves what it was given beside itself, then runs `body`."""
    script = tmp_path / "edit.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text(encoding='utf-8')\n"
        f"pathlib.Path({str(tmp_path / 'seen.txt')!r}).write_text(text, encoding='utf-8')\n"
        + textwrap.dedent(body)
        + f"sys.exit({status})\n"
    )
    script.chmod(0o755)
    return {"EDITOR": str(script)}


def parsed(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content()).replace("\r\n", "\n")


REWRITE = """\
path.write_text("Ana, ça va être génial: you asked about tenant unions.\\n\\n" + text,
                encoding="utf-8")
"""


def test_edit_rebuilds_text_and_html_from_the_decoded_text_keeping_the_message_id(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", events=EVENTS)
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares")
    draft = root / "drafts" / "share-salon-ana.eml"
    original = parsed(draft)
    assert "Caf=C3=A9" in draft.read_text()  # quoted-printable on disk
    result = run_cli(*home, "drafts", "edit", "1", environ=editor(tmp_path, REWRITE))
    assert result.stdout == "draft 1 saved; read it with `outreach drafts show 1`\n"
    seen = (tmp_path / "seen.txt").read_text(encoding="utf-8")
    assert seen == body(original, "plain")  # decoded, never quoted-printable
    edited = parsed(draft)
    for name in ("Message-ID", "Date", "From", "To", "Subject"):
        assert str(edited[name]) == str(original[name]), name
    text = body(edited, "plain")
    assert text.startswith("Ana, ça va être génial: you asked about tenant unions.\n")
    assert text.endswith(body(original, "plain"))
    html = body(edited, "html")
    assert "<p>Ana, ça va être génial: you asked about tenant unions.</p>" in html
    shown = run_cli(*home, "drafts", "show", "1").stdout
    assert "Ana, ça va être génial" in shown and "(an HTML version is included)" in shown


def test_html_follows_the_text_when_words_are_removed(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", events=EVENTS)
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares")
    before = body(parsed(root / "drafts" / "share-salon-ana.eml"), "html")
    assert "Housing Salon" in before
    run_cli(
        *home,
        "drafts",
        "edit",
        "1",
        environ=editor(tmp_path, "path.write_text('Hi Ana,\\n\\nSee you there.\\n')\n"),
    )
    after = parsed(root / "drafts" / "share-salon-ana.eml")
    assert body(after, "plain") == "Hi Ana,\n\nSee you there.\n"
    assert "Housing Salon" not in body(after, "html")
    assert "<p>Hi Ana,</p>\n<p>See you there.</p>" in body(after, "html")


def test_unchanged_empty_failed_or_missing_editor_leave_the_draft_alone(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", events=EVENTS)
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares")
    draft = root / "drafts" / "share-salon-ana.eml"
    original = draft.read_bytes()
    same = run_cli(*home, "drafts", "edit", "1", environ=editor(tmp_path, ""))
    assert same.stdout == "draft 1 unchanged\n"
    empty = run_cli(
        *home,
        "drafts",
        "edit",
        "1",
        environ=editor(tmp_path, "path.write_text('  \\n')\n"),
        expect=2,
    )
    assert empty.stderr == (
        "drafts edit: draft 1: the edited text is empty\n"
        "hint: nothing was changed; `outreach drafts discard 1` drops a draft\n"
    )
    failed = run_cli(
        *home,
        "drafts",
        "edit",
        "1",
        environ=editor(tmp_path, "path.write_text('half')\n", status=1),
        expect=1,
    )
    assert failed.stderr.startswith("outreach: the editor '")
    assert failed.stderr.endswith("' exited with status 1; the draft is unchanged\n")
    missing = run_cli(*home, "drafts", "edit", "1", expect=2)
    assert missing.stderr.startswith("drafts edit: no editor: set $VISUAL or $EDITOR\n")
    assert draft.read_bytes() == original
    assert sorted(p.name for p in (root / "drafts").iterdir() if p.name.startswith(".e")) == []


def test_editing_a_pushed_draft_replaces_outreachs_copy_in_drafts(
    tmp_path: Path, mail_user: MailUser, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, mail_user, count=1)
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares", environ=env(mail_user))
    run_cli(*home, "drafts", "push", environ=env(mail_user))
    log_before = mail_user.server.mail_log_lines(mail_user.name)
    environ = {**env(mail_user), **editor(tmp_path, "path.write_text('Hi Ana, new words.\\n')\n")}
    result = run_cli(*home, "drafts", "edit", "1", environ=environ)
    assert result.stderr == "note: the copy in your Drafts folder was replaced\n"
    with mail_user.connect() as client:
        client.select_folder("Drafts", readonly=True)
        uids = client.search("ALL")
        (stored,) = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]).values()
    assert stored[b"BODY[]"] == (root / "drafts" / "share-salon-c000.eml").read_bytes()
    assert b"new words" in stored[b"BODY[]"]
    assert b"\\Draft" in stored[b"FLAGS"]
    log = mail_user.server.mail_log_lines(mail_user.name)[len(log_before) :]
    assert [line.split(",")[0] for line in log] == [
        "delete: box=Drafts",
        "expunge: box=Drafts",
        "save: box=Drafts",
    ]
