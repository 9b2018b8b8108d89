"""Keeping the mailbox in step with the drafts: outreach's own copies, after the fact.

Once drafts are sent, edited or discarded, the copies outreach pushed to the
Drafts folder go, and mail sent over SMTP is filed in Sent. The drafts' fate
is already decided and recorded by then, so a mailbox that cannot be reached
is reported as a note, never as a failure of what came before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from outreach.base.errors import InputError, OutreachError, Problem
from outreach.core.config import ImapMailbox
from outreach.mail.imap.own_copies import SentCopy, tidy_copies
from outreach.store.journal.drafts import DraftRecord, DraftStatus
from outreach.store.workspace import Workspace


def drafts_mailbox(workspace: Workspace) -> ImapMailbox:
    """The IMAP account drafts go to: `[drafts] mailbox`, else the first IMAP mailbox."""
    config = workspace.config
    if config.drafts.mailbox is not None:
        chosen = config.mailbox(config.drafts.mailbox)
        if isinstance(chosen, ImapMailbox):
            return chosen
    for mailbox in config.mailboxes:
        if isinstance(mailbox, ImapMailbox):
            return mailbox
    raise InputError(
        [Problem(str(workspace.config_path), "no IMAP mailbox to push drafts to")],
        hint='add an [[mailboxes]] entry with kind = "imap", or review the .eml files'
        " in drafts/ directly",
    )


@dataclass(frozen=True, slots=True)
class Tidied:
    removed: int = 0  # outreach's own copies removed from Drafts
    filed: int = 0  # sent mail filed in Sent
    problems: tuple[str, ...] = field(default=())  # what was left as it is, and why

    def notes(self) -> list[str]:
        lines = list(self.problems)
        if self.removed:
            lines.append(f"removed {self.removed} of outreach's own copies from Drafts")
        if self.filed:
            lines.append(f"filed {self.filed} in Sent")
        return lines


def tidy_mailbox(
    workspace: Workspace,
    *,
    pushed: Sequence[DraftRecord] = (),
    sent: Sequence[SentCopy] = (),
    environ: Mapping[str, str],
) -> Tidied:
    """Remove the pushed copies of `pushed`, file `sent` in Sent; says what happened."""
    remove = [r.message_id for r in pushed if r.status is DraftStatus.PUSHED]
    if not remove and not sent:
        return Tidied()
    try:
        mailbox = drafts_mailbox(workspace)
    except InputError:
        return Tidied()  # no IMAP mailbox: nothing was pushed, and no Sent to file in
    try:
        outcome = tidy_copies(
            mailbox, remove=remove, file_sent=sent, root=workspace.root, environ=environ
        )
    except OutreachError as exc:
        return Tidied(problems=(f"the mailbox was left as it is: {exc.message}",))
    return Tidied(len(outcome.removed), len(outcome.filed), tuple(outcome.notes))
