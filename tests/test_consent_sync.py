"""Answers to introduction asks, end to end: the example workspace's Maildir, then Dovecot.

The asks are filed in the Maildir's Sent folder as a mail client would; the
answers quote the ask the way Gmail, Apple Mail and Outlook do. A "no
thanks" and a question make no joint introduction; two clear yeses make
exactly one; `outreach intros` shows each person's answer and `outreach
intro yes|no` decides an unclear one. Over IMAP the body is read with
BODY.PEEK: the flags and Dovecot's mail_log show nothing changed.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

from outreach.store.journal import Journal
from outreach.store.journal.drafts import list_drafts
from tests.conftest import RunCli
from tests.support.dovecot import MailUser
from tests.support.workspaces import make_workspace

ME = "Dana Reyes <dana@example.org>"


def ask_text(path: Path) -> str:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def quoted(text: str) -> str:
    return "".join(f"> {line}\n" if line else ">\n" for line in text.splitlines())


def answer(sender: str, ask: Path, subject: str, number: int, text: str, style: str) -> bytes:
    """A reply to `ask` as `style`'s client writes it: the answer above the quoted ask."""
    ask_id = BytesParser(policy=policy.default).parsebytes(ask.read_bytes())["Message-ID"]
    original = ask_text(ask)
    if style == "gmail":
        quote = "On Mon, 15 Jun 2026 at 12:00, Dana Reyes <dana@example.org> wrote:\n\n"
        quote += quoted(original)
    elif style == "apple":
        quote = "Sent from my iPhone\n\n> On 15 Jun 2026, at 12:00, Dana Reyes"
        quote += " <dana@example.org> wrote:\n>\n" + quoted(original)
    else:  # outlook
        quote = (
            "________________________________\nFrom: Dana Reyes <dana@example.org>\n"
            f"Sent: Monday, June 15, 2026 12:00 PM\nSubject: {subject}\n\n{original}"
        )
    moment = datetime(2026, 6, 16, 8 + number, 0, tzinfo=UTC)
    body = f"{text}\n\n{quote}".replace("\n", "\r\n")
    return (
        f"From: {sender}\r\nTo: {ME}\r\nSubject: Re: {subject}\r\n"
        f"Date: {format_datetime(moment)}\r\nMessage-ID: <answer.{number}@example.net>\r\n"
        f"In-Reply-To: {ask_id}\r\nReferences: {ask_id}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def maildir(root: Path, name: str) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / name / sub).mkdir(parents=True, exist_ok=True)
    return root / name


def test_example_workspace_only_two_clear_yeses_make_an_introduction(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = tmp_path / "example"
    run_cli("init", str(root), "--example")

    def outreach(day: int, *args: str, expect: int = 0) -> str:
        return run_cli(
            "--home", str(root), "--as-of", f"2026-06-{day:02d}", *args, expect=expect
        ).stdout

    for a, b in (("sam", "priya"), ("mei", "rosa"), ("adrienne", "kofi")):
        outreach(15, "draft", "intro", a, b, "--double-opt-in")
    drafts = root / "drafts"
    asks = {p.stem.rsplit("-to-", 1)[1]: p for p in sorted(drafts.glob("intro_ask-*.eml"))}
    sent = maildir(root / "mail", ".Sent")
    for number, ask in enumerate(asks.values()):
        (sent / "cur" / f"178160000{number}.M{number}P1.laptop:2,S").write_bytes(ask.read_bytes())
    answers = [
        (
            "Sam Whitfield <sam@coopenergy.example.org>",
            "sam",
            "Would you like to meet Priya?",
            "No thanks for now, I'm swamped until March.",
            "gmail",
        ),
        (
            "Priya Raman <priya@example.net>",
            "priya",
            "Would you like to meet Sam?",
            "Yes please!",
            "apple",
        ),
        (
            "Mei Lin <mei@example.net>",
            "mei",
            "Would you like to meet Rosa?",
            "Who is she? What does she work on?",
            "outlook",
        ),
        (
            "Rosa Delgado <rosa.delgado@example.com>",
            "rosa",
            "Would you like to meet Mei?",
            "Yes, happy to!",
            "gmail",
        ),
        (
            "Adrienne Moreau <adrienne@example.net>",
            "adrienne",
            "Would you like to meet Kofi?",
            "Absolutely, please introduce us.",
            "apple",
        ),
        (
            "Kofi Mensah <kofi@tenants.example.org>",
            "kofi",
            "Would you like to meet Adrienne?",
            "Yes, I'd love to meet her.",
            "outlook",
        ),
    ]
    inbox = root / "mail" / "new"
    for number, (sender, who, subject, text, style) in enumerate(answers, start=1):
        raw = answer(sender, asks[who], subject, number, text, style)
        (inbox / f"17816100{number:02d}.M{number}P2.laptop").write_bytes(raw)

    outreach(16, "sync")
    assert outreach(16, "draft", "intros", "--ready").splitlines()[0] == (
        "    7  drafts/intro-adrienne-kofi.eml  Adrienne, meet Kofi"
    )
    assert outreach(16, "draft", "intros", "--ready") == "no new introductions to draft\n"
    assert sorted(p.name for p in drafts.glob("intro-*.eml")) == ["intro-adrienne-kofi.eml"]
    assert outreach(16, "intros") == (
        "   ID  STATUS      PERSON        ANSWER         FIRST LINES\n"
        "    1  declined    priya         yes            Yes please!\n"
        "                   sam           no             No thanks for now, I'm swamped until"
        " March.\n"
        "    2  asked       mei           unclear        Who is she? What does she work on?\n"
        "                   rosa          yes            Yes, happy to!\n"
        "    3  introduced  adrienne      yes            Absolutely, please introduce us.\n"
        "                   kofi          yes            Yes, I'd love to meet her.\n"
        "1 waiting for your decision (2): ask them, then `outreach intro yes|no ID CONTACT`\n"
    )
    report = outreach(16, "report")
    # The terminal table wraps at 80 columns.
    assert "1 waiting for an answer, 1 of them for your decision (`outreach intros`)" in (
        " ".join(report.split())
    )

    # Mei answered the question by phone: a yes by hand makes the second introduction.
    assert outreach(17, "intro", "yes", "2", "mei") == (
        "introduction 2 (mei: yes, rosa: yes): asked\n"
        "both said yes: `outreach draft intros --ready` drafts the introduction\n"
    )
    assert (
        outreach(17, "draft", "intros", "--ready")
        .splitlines()[0]
        .endswith("drafts/intro-mei-rosa.eml  Mei, meet Rosa")
    )
    # Sam's no closed his pair: it is never drafted, and Priya hears nothing.
    with Journal.open(root / "journal.db") as journal:
        to_priya = [d.kind for d in list_drafts(journal) if "priya" in d.recipients]
    assert to_priya == ["intro_ask"]


def test_a_later_answer_wins_and_a_hand_decision_can_say_no(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(
        tmp_path / "ws",
        extra_config='[[mailboxes]]\nname = "home"\nkind = "maildir"\npath = "mail"\n',
    )
    maildir(root, "mail")
    home = ["--home", str(root), "--as-of", "2026-06-16"]
    run_cli(*home, "draft", "intro", "ana", "ben", "--double-opt-in")
    asks = {p.stem.rsplit("-to-", 1)[1]: p for p in (root / "drafts").glob("intro_ask-*.eml")}
    inbox = root / "mail" / "new"
    first = answer("Ana Lima <ana@example.net>", asks["ana"], "x", 1, "Maybe later?", "gmail")
    then = answer("Ana Lima <ana@example.net>", asks["ana"], "x", 2, "Yes please.", "gmail")
    ben = answer("Ben Okafor <ben@example.net>", asks["ben"], "x", 3, "Sure, go ahead.", "gmail")
    (inbox / "1.M1P1.laptop").write_bytes(first)
    run_cli(*home, "sync")
    (inbox / "2.M2P1.laptop").write_bytes(then)
    (inbox / "3.M3P1.laptop").write_bytes(ben)
    run_cli(*home, "sync")
    assert run_cli(*home, "intros").stdout.splitlines()[1:3] == [
        "    1  asked       ana           yes            Yes please.",
        "                   ben           yes            Sure, go ahead.",
    ]
    # Ben calls to say he changed his mind: his no closes the intro before it is drafted.
    assert run_cli(*home, "intro", "no", "1", "ben").stdout == (
        "introduction 1 (ana: yes, ben: no): declined\n"
    )
    assert run_cli(*home, "draft", "intros", "--ready").stdout == "no new introductions to draft\n"
    refused = run_cli(*home, "intro", "yes", "1", "cai", expect=2)
    assert refused.stderr == "intro: 'cai' is not part of introduction 1 (ana and ben)\n"


def test_imap_answers_are_read_with_body_peek_and_change_nothing(
    tmp_path: Path, mail_user: MailUser, run_cli: RunCli
) -> None:
    server = mail_user.server
    root = make_workspace(
        tmp_path / "ws",
        extra_config=textwrap.dedent(
            f"""
            [[mailboxes]]
            name = "work"
            host = "{server.host}"
            port = {server.imaps_port}
            tls = "implicit"
            username = "{mail_user.name}"
            password_env = "IMAP_PASSWORD"
            ca_file = "{server.ca_file}"
            timeout_seconds = 10
            """
        ),
    )
    environ = {"IMAP_PASSWORD": mail_user.password}
    home = ["--home", str(root), "--as-of", "2026-06-16"]
    run_cli(*home, "draft", "intro", "ana", "ben", "--double-opt-in", environ=environ)
    asks = {p.stem.rsplit("-to-", 1)[1]: p for p in (root / "drafts").glob("intro_ask-*.eml")}
    mail_user.append(
        "INBOX", answer("Ana Lima <ana@example.net>", asks["ana"], "x", 1, "No thanks.", "gmail")
    )
    mail_user.append(
        "INBOX",
        answer("Ben Okafor <ben@example.net>", asks["ben"], "x", 2, "Yes please!", "apple"),
    )
    flags = mail_user.flags_snapshot()
    log = server.mail_log_lines(mail_user.name)
    run_cli(*home, "sync", environ=environ)
    assert mail_user.flags_snapshot() == flags
    assert server.mail_log_lines(mail_user.name) == log
    assert run_cli(*home, "intros").stdout.splitlines()[1:3] == [
        "    1  declined    ana           no             No thanks.",
        "                   ben           yes            Yes please!",
    ]
