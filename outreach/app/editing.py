"""`drafts edit`: change a draft's text in the user's editor, then rebuild the message.

The editor gets the decoded plain text, never quoted-printable. The message
is rebuilt from the edited text with its headers and Message-ID kept; an
HTML part, if there was one, is made anew from the text so it never says
what the person deleted. A copy already pushed to Drafts is replaced.
Nothing here prints; the editor itself is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from outreach.app.drafting import draft_or_error
from outreach.app.mailbox_copies import tidy_mailbox
from outreach.app.sending import push_drafts
from outreach.base.errors import InputError, OutreachError, Problem
from outreach.core.compose import Party, compose_message, html_from_text
from outreach.store.journal import Journal
from outreach.store.journal.drafts import PENDING, DraftRecord, DraftStatus, set_status
from outreach.store.outbox import Outbox
from outreach.store.workspace import Workspace

Editor = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class EditResult:
    draft_id: int
    changed: bool
    notes: tuple[str, ...] = ()


def _parties(message: EmailMessage, name: str) -> list[Party]:
    values = [str(v) for v in message.get_all(name, [])]
    return [Party(n, a) for n, a in getaddresses(values) if a]


def rebuild(raw: bytes, text: str) -> bytes:
    """The same message (headers, Message-ID, date) with `text` as its body."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    senders = _parties(message, "From")
    date = message["Date"]
    mid = message["Message-ID"]
    if not senders or date is None or mid is None:
        raise InputError([Problem("drafts edit", "the draft lacks From, Date or Message-ID")])
    html = html_from_text(text) if message.get_body(preferencelist=("html",)) else None
    return compose_message(
        message_id=str(mid).strip(),
        now=parsedate_to_datetime(str(date)),
        sender=senders[0],
        to=_parties(message, "To"),
        subject=str(message["Subject"] or ""),
        text=text,
        html=html,
    )


def plain_text(raw: bytes) -> str:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    if not isinstance(body, EmailMessage):
        raise InputError([Problem("drafts edit", "the draft has no plain text to edit")])
    return str(body.get_content()).replace("\r\n", "\n")


def edit_draft(
    workspace: Workspace,
    journal: Journal,
    draft_id: int,
    *,
    editor: Editor,
    environ: Mapping[str, str],
    now: datetime,
) -> EditResult:
    """Open the draft's text in `editor`; write back the rebuilt message if it changed."""
    record = draft_or_error(journal, draft_id)
    if record.status not in PENDING:
        raise InputError(
            [Problem("drafts edit", f"draft {draft_id} is {record.status}; only pending drafts")]
        )
    outbox = Outbox.of(workspace)
    with outbox.lock():
        raw = outbox.read(record.path)
        before = plain_text(raw)
        with outbox.scratch(f"edit-{draft_id}.txt", before) as path:
            editor(path)
            try:
                after = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise InputError(
                    [Problem(str(path), "the edited text is not UTF-8; the draft is unchanged")]
                ) from None
            except OSError as exc:
                raise InputError(
                    [Problem(str(path), f"cannot read the edited text: {exc.strerror}")]
                ) from exc
        if after.strip() == before.strip():
            return EditResult(draft_id, changed=False)
        if not after.strip():
            raise InputError(
                [Problem("drafts edit", f"draft {draft_id}: the edited text is empty")],
                hint=f"nothing was changed; `outreach drafts discard {draft_id}` drops a draft",
            )
        outbox.replace(record.path, rebuild(raw, after))
    notes: list[str] = []
    if record.status is DraftStatus.PUSHED:
        notes.extend(_refresh_copy(workspace, journal, record, environ=environ, now=now))
    return EditResult(draft_id, changed=True, notes=tuple(notes))


def _refresh_copy(
    workspace: Workspace,
    journal: Journal,
    record: DraftRecord,
    *,
    environ: Mapping[str, str],
    now: datetime,
) -> list[str]:
    """Replace the pushed copy: remove outreach's old one, then push the new text."""
    tidied = tidy_mailbox(workspace, pushed=[record], environ=environ)
    if not tidied.removed:
        return [*tidied.problems, "the copy in your Drafts folder still has the old text"]
    set_status(journal, record.id, DraftStatus.DRAFTED, now=now)
    try:
        push_drafts(workspace, journal, now=now, environ=environ, ids=[record.id])
    except OutreachError as exc:
        return [f"the old copy left Drafts, but pushing the new one failed: {exc.message}"]
    return ["the copy in your Drafts folder was replaced"]
