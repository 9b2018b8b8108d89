"""One batch of one mailbox's messages, from raw headers to the journal, in one transaction.

Shared by the IMAP and Maildir sources (and the daemon): parse, identify,
classify and match each message, then record its touches, the messages seen,
reply links, drafts seen sent and the source's checkpoint together, so a
crash loses a whole batch or nothing. It reads no mailbox itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from outreach.base.clock import parse_iso_utc
from outreach.base.model import Direction, Touch, TouchKind, address_key
from outreach.core.classify import classify
from outreach.core.consent import Answer, judge
from outreach.core.date_seconds import date_seconds
from outreach.core.delivery_report import delivery_report, needs_body
from outreach.core.headers import (
    HeaderBlock,
    identity,
    parse_date,
    parse_header_block,
    referenced_ids,
)
from outreach.core.match import (
    DETAIL_LIMIT,
    FUTURE_TOLERANCE,
    FolderRole,
    Ignored,
    Match,
    Matcher,
    subject_of,
    touch_date,
)
from outreach.core.reply_text import fresh_text, message_text, reply_excerpt
from outreach.store.journal.answers import NOT_READ, judge_reply, record_answer
from outreach.store.journal.cursors import count_unknown_senders, seen_identities
from outreach.store.journal.drafts import (
    DraftRecord,
    DraftStatus,
    get_draft,
    link_reply,
    list_drafts,
    mark_sent,
)
from outreach.store.journal.message_index import IndexRow, add_indexed
from outreach.store.journal.store import Journal
from outreach.store.journal.touches import record_touches
from outreach.store.workspace import Workspace

# A message as a source hands it over: its header block and its delivery time.
RawMessage = tuple[bytes, datetime | None]
# Reads the first BODY_PEEK_BYTES of the bodies of the messages at these positions.
BodyReader = Callable[[Sequence[int]], Mapping[int, bytes]]


@dataclass(frozen=True, slots=True)
class FolderSummary:
    """What syncing one folder did; batches add up with `+`."""

    mailbox: str
    folder: str
    role: FolderRole
    read: int = 0  # messages read from the source in this run
    new: int = 0  # of those, messages this mailbox had not seen before
    ignored: Counter[str] = field(default_factory=Counter)  # new messages without touch, by reason
    touches: tuple[Touch, ...] = ()  # touches recorded (or, in a dry run, that would be)
    replies_linked: int = 0  # new replies that answer one of our drafts
    drafts_sent: int = 0  # drafts seen in a Sent folder, now marked sent
    rescanned: bool = False  # UIDVALIDITY changed: the folder was read again from the start

    def __add__(self, other: FolderSummary) -> FolderSummary:
        return FolderSummary(
            mailbox=self.mailbox,
            folder=self.folder,
            role=self.role,
            read=self.read + other.read,
            new=self.new + other.new,
            ignored=self.ignored + other.ignored,
            touches=self.touches + other.touches,
            replies_linked=self.replies_linked + other.replies_linked,
            drafts_sent=self.drafts_sent + other.drafts_sent,
            rescanned=self.rescanned or other.rescanned,
        )


@dataclass(frozen=True, slots=True)
class _Decision:
    position: int  # in the batch, to find the message's handle again
    identity: str
    block: HeaderBlock
    received_at: datetime | None
    match: Match


class _UnsentDrafts:
    """Drafts not yet known to be sent, to recognise them in a Sent folder.

    A draft matches by Message-ID (clients that keep ours), else by the same
    contacts and the same subject (clients that write their own).
    """

    def __init__(self, drafts: Iterable[DraftRecord]) -> None:
        self._by_id: dict[str, DraftRecord] = {}
        self._by_content: dict[tuple[frozenset[str], str], DraftRecord] = {}
        for draft in drafts:
            self._by_id[draft.message_id] = draft
            key = (frozenset(draft.recipients), _subject_key(draft.subject))
            self._by_content.setdefault(key, draft)

    def take(self, message_id: str, contacts: frozenset[str], subject: str) -> DraftRecord | None:
        draft = self._by_id.get(message_id) or self._by_content.get(
            (contacts, _subject_key(subject))
        )
        if draft is not None:
            self._by_id.pop(draft.message_id, None)
            self._by_content.pop((frozenset(draft.recipients), _subject_key(draft.subject)), None)
        return draft


def _ambiguous(decision: _Decision) -> bool:
    """A reply from a contact whose headers could still belong to a delivery failure."""
    return any(t.kind is TouchKind.REPLY for t in decision.match.touches) and needs_body(
        decision.block
    )


def _subject_key(subject: str) -> str:
    return " ".join(subject.split()).casefold()


class MailboxSync:
    """Turns batches of one mailbox's messages into journal rows."""

    def __init__(
        self, workspace: Workspace, journal: Journal, mailbox: str, *, now: datetime
    ) -> None:
        config = workspace.config
        self.journal = journal
        self.mailbox = mailbox
        self.now = now
        self.batch_size = config.sync.batch_size
        self.matcher = Matcher.of(
            workspace.roster, config.me.addresses, config.sync.group_threshold
        )
        self._unsent: _UnsentDrafts | None = None  # loaded on the first outgoing message
        # Answers to intro asks whose text is still to be read: (source's handle, reply id).
        self._answers_to_read: list[tuple[object, str]] = []
        self._handles: Sequence[object] = ()
        self._wrote: dict[str, bool] = {}  # contact id → has written personally (asked rarely)
        # A Date later than this is a wrong clock (see match.touch_date).
        self._latest = int((now + FUTURE_TOLERANCE).timestamp())

    def process(
        self,
        messages: Sequence[RawMessage],
        *,
        folder: str,
        role: FolderRole,
        checkpoint: Callable[[], None],
        handles: Sequence[object] = (),
        bodies: BodyReader | None = None,
        defer: Callable[[int], None] | None = None,
    ) -> FolderSummary:
        """Decide about `messages` and commit everything with `checkpoint()` in one transaction.

        `handles` (a UID, a file) say where each message is, so that the text
        of a reply to an introduction ask can be read afterwards: see
        `answers_to_read` and `judge_answers`.

        A reply from a contact whose headers leave it ambiguous is decided by
        the start of its body: read now through `bodies` (positions in
        `messages` → body bytes), or handed to `defer` (its position) and left
        out of this batch, for the caller to process later with `bodies`.
        """
        source = f"sync:{self.mailbox}/{folder}"
        self._handles = handles
        decisions = [
            self._decide(i, raw, received, role, source)
            for i, (raw, received) in enumerate(messages)
        ]
        ambiguous = [i for i, d in enumerate(decisions) if _ambiguous(d)]
        if ambiguous and bodies is not None:
            read = bodies(ambiguous)
            for i in ambiguous:
                found = delivery_report(read.get(i, b""))
                if found is not None:
                    decisions[i] = replace(decisions[i], match=Match(ignored=Ignored.BOUNCE))
        elif ambiguous and defer is not None:
            for i in ambiguous:
                defer(i)
            held = set(ambiguous)
            messages = [m for i, m in enumerate(messages) if i not in held]
            decisions = [d for i, d in enumerate(decisions) if i not in held]
        with self.journal.transaction() as db:
            before = db.execute("SELECT COALESCE(MAX(id), 0) FROM touches").fetchone()[0]
            seen = seen_identities(self.journal, self.mailbox, {d.identity for d in decisions})
            fresh: dict[str, _Decision] = {}
            for decision in decisions:
                if decision.identity not in seen:
                    fresh.setdefault(decision.identity, decision)
            add_indexed(
                self.journal,
                self.mailbox,
                (self._index_row(d, role) for d in fresh.values()),
                now=self.now,
            )
            self._count_unknown(fresh.values())
            # Touches of every message, not only new ones: a message first seen
            # as a copy in INBOX counts as sent once its Sent copy turns up, and
            # recording a touch twice is a no-op.
            touched = [d for d in decisions if d.match.touches]  # a few in a thousand
            touches = (t for d in touched for t in d.match.touches)
            record_touches(self.journal, touches, now=self.now)
            linked = sum(self._link_reply(d) for d in touched if fresh.get(d.identity) is d)
            sent = sum(self._mark_sent(d, source) for d in touched)
            checkpoint()
            rows = db.execute(
                "SELECT contact_id, kind, at, direction, message_id, source, detail,"
                " self_promotion FROM touches WHERE id > ? ORDER BY id",
                (before,),
            ).fetchall()
        ignored = Counter(d.match.ignored.value for d in fresh.values() if d.match.ignored)
        return FolderSummary(
            self.mailbox,
            folder,
            role,
            read=len(messages),
            new=len(fresh),
            ignored=ignored,
            touches=tuple(_touch(r) for r in rows),
            replies_linked=linked,
            drafts_sent=sent,
        )

    def _decide(
        self,
        position: int,
        raw: bytes,
        received_at: datetime | None,
        role: FolderRole,
        source: str,
    ) -> _Decision:
        block = parse_header_block(raw)
        key = identity(block)
        match = self.matcher.match(
            block,
            classify(block),
            role=role,
            received_at=received_at,
            now=self.now,
            source=source,
            identity=key,
            wrote_personally=self._wrote_personally,
        )
        return _Decision(position, key, block, received_at, match)

    def _wrote_personally(self, contact_id: str) -> bool:
        """Whether the journal holds a reply from `contact_id` (asked for announcements only)."""
        known = self._wrote.get(contact_id)
        if known is None:
            row = self.journal.connection.execute(
                "SELECT 1 FROM touches WHERE contact_id = ? AND kind = 'reply' LIMIT 1",
                (contact_id,),
            ).fetchone()
            known = self._wrote[contact_id] = row is not None
        return known

    def _index_row(self, decision: _Decision, role: FolderRole) -> IndexRow:
        """What the index keeps: correspondents, date and subject only for a person's mail."""
        match = decision.match
        received = decision.received_at
        if not match.correspondents:
            at = None if received is None else int(received.timestamp())
            return IndexRow(decision.identity, match.outcome, role.value, at, (), None)
        if match.touches:
            at = int(match.touches[0].at.timestamp())
        else:
            # Most messages here are unknown senders' (two in three of a real
            # inbox): the fast reader spares a datetime for each.
            date = decision.block.get("Date")
            at = date_seconds(date) or -1
            if not 0 <= at <= self._latest:
                at = int(touch_date(parse_date(date), received, self.now).timestamp())
        return IndexRow(
            decision.identity,
            match.outcome,
            role.value,
            at,
            match.correspondents,
            subject_of(decision.block)[:DETAIL_LIMIT],
        )

    def _count_unknown(self, decisions: Iterable[_Decision]) -> None:
        senders = []
        for d in decisions:
            if d.match.unknown_sender is not None:
                address, name = d.match.unknown_sender
                # The delivery time is at hand; the Date header would need parsing.
                at = d.received_at or touch_date(parse_date(d.block.get("Date")), None, self.now)
                senders.append((address_key(address), name, at))
        if senders:
            count_unknown_senders(self.journal, senders)

    def _link_reply(self, decision: _Decision) -> int:
        touches = [t for t in decision.match.touches if t.kind is TouchKind.REPLY]
        if not touches:
            return 0
        references = referenced_ids(decision.block)
        if not references:
            return 0
        touch = touches[0]
        draft = link_reply(
            self.journal,
            referenced_ids=references,
            contact_id=touch.contact_id,
            reply_message_id=decision.identity,
            at=touch.at,
        )
        if draft is None:
            return 0
        record = get_draft(self.journal, draft)
        if record is not None and record.kind == "intro_ask" and record.intro_id is not None:
            # Unclear until its text is read: a reply is not a yes by itself.
            record_answer(
                self.journal,
                intro_id=record.intro_id,
                contact_id=touch.contact_id,
                answer=Answer.UNCLEAR,
                at=touch.at,
                source="mail",
                now=self.now,
                message_id=decision.identity,
                excerpt=NOT_READ,
            )
            if decision.position < len(self._handles):
                self._answers_to_read.append((self._handles[decision.position], decision.identity))
        return 1

    def answers_to_read(self) -> list[tuple[object, str]]:
        """Replies to intro asks seen since the last call: (handle, reply's identity)."""
        taken, self._answers_to_read = self._answers_to_read, []
        return taken

    def judge_answers(self, bodies: Iterable[tuple[str, bytes]]) -> None:
        """Judge each reply's text (whole message bytes) and record its answer."""
        for identity_key, raw in bodies:
            text = fresh_text(message_text(raw))
            judge_reply(
                self.journal,
                message_id=identity_key,
                answer=judge(text),
                excerpt=reply_excerpt(text),
                now=self.now,
            )

    def _mark_sent(self, decision: _Decision, source: str) -> int:
        touches = [t for t in decision.match.touches if t.direction is Direction.OUTBOUND]
        if not touches:
            return 0
        if self._unsent is None:
            pending = list_drafts(
                self.journal,
                statuses=(DraftStatus.DRAFTED, DraftStatus.PUSHED, DraftStatus.REPLIED),
            )
            self._unsent = _UnsentDrafts(d for d in pending if d.sent_at is None)
        draft = self._unsent.take(
            decision.identity,
            frozenset(t.contact_id for t in touches),
            subject_of(decision.block),
        )
        if draft is None:
            return 0
        return int(mark_sent(self.journal, draft.id, at=touches[0].at, source=source, now=self.now))


def _touch(row: Sequence[object]) -> Touch:
    return Touch(
        contact_id=str(row[0]),
        kind=TouchKind(str(row[1])),
        at=parse_iso_utc(str(row[2])),
        direction=Direction(str(row[3])),
        message_id=None if row[4] is None else str(row[4]),
        source=str(row[5]),
        detail=str(row[6]),
        self_promotion=bool(row[7]),
    )


__all__ = ["BodyReader", "FolderSummary", "MailboxSync", "RawMessage"]
