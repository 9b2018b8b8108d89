"""Tell a genuine human message from a robot (auto-reply, bounce, list, bulk).

Pure: reads one top-level header block, only fields in `headers.FETCH_FIELDS`,
and never a nested message (bounces embed the contact's original). When the
signals are unclear it answers "not counted": a robot counted as a friend is
the worse mistake.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from outreach.core.headers import HeaderBlock, decode_header_value, parse_addresses
from outreach.core.machine_signals import SIGNAL_FIELDS as _MACHINE_FIELDS
from outreach.core.machine_signals import machine_reason, sent_to_empty_group


class Kind(enum.StrEnum):
    HUMAN = "human"
    AUTOREPLY = "autoreply"
    BOUNCE = "bounce"
    LIST = "list"
    BULK = "bulk"


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    reason: str
    # A human-looking message with no visible recipient (Bcc to everyone): an
    # announcement unless its sender has written to the user personally.
    announcement: bool = False

    @property
    def counts(self) -> bool:
        """Whether the message counts as contact: only a human's does."""
        return self.kind is Kind.HUMAN


# Most messages end here; one shared value spares building it each time.
_HUMAN = Verdict(Kind.HUMAN, "no robot signal")
_ANNOUNCEMENT = Verdict(Kind.HUMAN, "no visible recipient (sent to an empty group)", True)


def _prefix_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    # A prefix that ends in a letter of an alphabetic script must end a word
    # ("absence" but not "absences"); CJK text has no spaces to end words on.
    parts = []
    for prefix in sorted(prefixes, key=len, reverse=True):
        escaped = re.escape(prefix.lower())
        if prefix[-1].isalpha() and prefix[-1] < "\u2e80":
            escaped += r"(?!\w)"
        parts.append(escaped)
    return re.compile("|".join(parts))


# Subjects of auto-replies, matched as a prefix after RFC 2047 decoding,
# lower-casing and white-space collapsing: a reply ("Re: out of office plans",
# "AW: Automatische Antwort: …") never matches.
_AUTOREPLY_SUBJECT = _prefix_pattern(
    (
        "automatic reply",
        "automatic response",
        "automated response",
        "automated reply",
        "auto reply",
        "auto-reply",
        "autoreply",
        "auto response",
        "auto-response",
        "autoresponse",
        "out of office",
        "out of the office",
        "abwesend",
        "abwesenheitsnotiz",
        "automatische antwort",
        "réponse automatique",
        "reponse automatique",
        "absence",
        "message d'absence",
        "respuesta automática",
        "respuesta automatica",
        "fuera de la oficina",
        "fuera de oficina",
        "risposta automatica",
        "fuori sede",
        "fuori ufficio",
        "resposta automática",
        "resposta automatica",
        "ausente",
        "fora do escritório",
        "automatisch antwoord",
        "afwezig",
        "automatisk svar",
        "automatiskt svar",
        "autosvar",
        "automaattinen vastaus",
        "automatyczna odpowiedź",
        "automatická odpověď",
        "automatická odpoveď",
        "automatikus válasz",
        "otomatik yanıt",
        "otomatik cevap",
        "αυτόματη απάντηση",
        "автоответ",
        "автоматический ответ",
        "автоматична відповідь",
        "自動応答",
        "自動返信",
        "不在",
        "自动回复",
        "自動回覆",
        "자동 회신",
        "자동 응답",
    )
)

# Subjects of delivery reports from Postfix, Exim, qmail, Sendmail, Exchange,
# Gmail, Amazon SES, Mail.ru and others.
_BOUNCE_SUBJECT = _prefix_pattern(
    (
        "undeliverable",
        "undelivered mail",
        "undelivered message",
        "delivery status notification",
        "delivery notification",
        "mail delivery failed",
        "mail delivery failure",
        "mail delivery problem",
        "delivery failure",
        "delivery failed",
        "delivery has failed",
        "failure notice",
        "failed delivery",
        "returned mail",
        "returned to sender",
        "non-delivery",
        "nondeliverable",
        "message not delivered",
        "mail system error",
        "warning: could not send message",
        "could not send message",
        "email bounce notification",
        "unzustellbar",
        "nicht zustellbar",
        "non remis",
        "non distribuable",
        "échec de la remise",
        "no se puede entregar",
        "notificación de estado de entrega",
        "non recapitabile",
        "mancato recapito",
        "onbestelbaar",
        "não é possível entregar",
        "ваше сообщение не доставлено",
        "не доставлено",
        "недоставленное сообщение",
        "配信不能",
        "退信",
    )
)

_COMMENT = re.compile(r"\([^()]*\)")
_REPORT_TYPE = re.compile(r'report-type\s*=\s*"?([\w.-]+)', re.IGNORECASE)

# Local parts, lower-cased, with "+tag" and the separators "-_." removed.
_MAIL_SYSTEM_LOCALS = frozenset({"mailerdaemon", "maildaemon", "postmaster"})
_NO_REPLY_MARKS = ("noreply", "donotreply", "dontreply")
# List managers (Mailman "-bounces"/"-request"/"-owner", Majordomo "owner-").
_LIST_LOCAL_SUFFIXES = ("-bounces", "-bounce", "-request", "-owner")


def _named(*names: str) -> tuple[tuple[str, str], ...]:
    """(lower-cased key, name as usually written) pairs, for lookups and reasons."""
    return tuple((name.lower(), name) for name in names)


_VENDOR_AUTOREPLY_FIELDS = _named(
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoreply-From",
    "X-Mail-Autoreply",
    "X-Autogenerated",
    "X-FC-Machinegenerated",
)
_BOUNCE_FIELDS = _named("X-MS-Exchange-Message-Is-Ndr", "X-Failed-Recipients")
_PRECEDENCE_FIELDS = _named("Precedence", "X-Precedence")
_LIST_FIELDS = _named("X-Mailman-Version", "X-BeenThere", "Mailing-List")
_BULK_FIELDS = _named("Feedback-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "X-Loop")
_OTHER_LIST_FIELDS = _named("List-Id", "List-Help", "List-Subscribe", "List-Owner", "List-Archive")

# Every field whose mere presence can make a message a robot's. Ordinary mail
# carries none of them, so one set intersection settles most human messages.
_SIGNAL_FIELDS = (
    frozenset(
        key
        for group in (
            _VENDOR_AUTOREPLY_FIELDS,
            _BOUNCE_FIELDS,
            _PRECEDENCE_FIELDS,
            _LIST_FIELDS,
            _BULK_FIELDS,
            _OTHER_LIST_FIELDS,
            _named(
                "Auto-Submitted", "X-Apple-Action", "X-MS-Exchange-Inbox-Rules-Loop", "List-Post"
            ),
        )
        for key, _ in group
    )
    | _MACHINE_FIELDS
)


class _Facts:
    """What several rules look at, each worked out at most once."""

    __slots__ = ("_folded", "_subject", "block", "locals", "present", "senders")

    def __init__(self, block: HeaderBlock) -> None:
        self.block = block
        self.present = block.names() & _SIGNAL_FIELDS
        self.senders = _sender_addresses(block)
        # (address, local part, local part without separators) per sender.
        self.locals = [
            (addr, local, _squeezed(local))
            for addr in self.senders
            for local in (_local_part(addr),)
        ]
        self._subject: str | None = None
        self._folded = ""

    @property
    def subject(self) -> str:
        """The decoded subject, white space collapsed, lower-cased."""
        if self._subject is None:
            raw = self.block.get("Subject") or ""
            self._subject = " ".join(decode_header_value(raw).split())
            # lower() rather than casefold(): it keeps "ß", so the length
            # stays and the matched prefix can be quoted as written.
            self._folded = self._subject.lower()
        return self._folded

    def _prefix(self, pattern: re.Pattern[str]) -> str | None:
        found = pattern.match(self.subject)
        if found is None:
            return None
        assert self._subject is not None
        # Quote the prefix as written when lower-casing kept the length.
        if len(self._subject) == len(self._folded):
            return self._subject[: found.end()]
        return found.group(0)

    def bounce_prefix(self) -> str | None:
        return self._prefix(_BOUNCE_SUBJECT)

    def autoreply_prefix(self) -> str | None:
        return self._prefix(_AUTOREPLY_SUBJECT)


def _single_address(value: str) -> str | None:
    """The addr-spec of a plain one-address value, or None when it is not plain.

    `Name <a@b>` and `"Last, First" <a@b>` are the common shapes; anything with
    a second "@", a comment or no closing bracket goes to the full parser.
    """
    if value.count("@") != 1 or "(" in value:
        return None
    if value.endswith(">"):
        lt = value.rfind("<")
        return value[lt + 1 : -1].strip() if lt >= 0 else None
    if "<" in value or "," in value or ";" in value or '"' in value:
        return None
    addr = value.strip()
    return addr if " " not in addr else None


def _addresses(value: str | None) -> list[str]:
    if not value:
        return []
    simple = _single_address(value)
    if simple is not None:
        return [simple]
    return [addr for _, addr in parse_addresses(value)]


def _sender_addresses(block: HeaderBlock) -> list[str]:
    # From names the author; Sender names the agent that posted it (a list
    # manager, a notification service); either can give a robot away.
    return _addresses(block.get("From")) + _addresses(block.get("Sender"))


def _local_part(addr: str) -> str:
    local = addr.rpartition("@")[0] if "@" in addr else addr
    return local.strip('"').lower().split("+", 1)[0]


def _squeezed(local: str) -> str:
    return local.replace("-", "").replace("_", "").replace(".", "")


def _token(value: str | None) -> str:
    """The first word of a field value, lower-cased, without comments or parameters.

    `Auto-Replied; owner-email=x` and `no (sent by a person)` give `auto-replied`
    and `no` (RFC 3834 §5 allows comments and parameters).
    """
    if not value:
        return ""
    head = value.split(";", 1)[0]
    if "(" in head:
        head = _COMMENT.sub(" ", head)
    words = head.split(None, 1)
    return words[0].strip('"').lower() if words else ""


def _is_null_return_path(value: str | None) -> bool:
    return value is not None and "".join(value.split()) == "<>"


def _report_verdict(content_type: str | None) -> Verdict | None:
    if not content_type:
        return None
    lowered = content_type.lstrip().lower()
    if lowered.startswith("message/delivery-status"):
        return Verdict(Kind.BOUNCE, "Content-Type message/delivery-status")
    if not lowered.startswith("multipart/report"):
        return None
    found = _REPORT_TYPE.search(content_type)
    report_type = found.group(1).lower() if found else ""
    if report_type == "feedback-report":
        return Verdict(Kind.BULK, "Content-Type multipart/report (feedback-report)")
    if report_type == "disposition-notification":
        return Verdict(Kind.AUTOREPLY, "Content-Type multipart/report (read receipt)")
    return Verdict(Kind.BOUNCE, f"Content-Type multipart/report ({report_type or 'no type'})")


def _mail_system_sender(facts: _Facts) -> Verdict | None:
    for addr, _, squeezed in facts.locals:
        if squeezed in _MAIL_SYSTEM_LOCALS:
            return Verdict(Kind.BOUNCE, f"sent by the mail system {addr}")
    return None


def _auto_submitted(facts: _Facts) -> Verdict | None:
    if "auto-submitted" not in facts.present:
        return None
    value = _token(facts.block.get("auto-submitted"))
    if not value or value == "no":
        return None
    reason = f"Auto-Submitted: {value}"
    bounce = facts.bounce_prefix()
    if bounce:
        return Verdict(Kind.BOUNCE, f"{reason} and subject starts with '{bounce}'")
    if value == "auto-replied":
        return Verdict(Kind.AUTOREPLY, reason)
    # RFC 3834 §5: responders should say auto-replied, yet Sieve vacation and
    # others often say auto-generated; an answer to a message is still a reply.
    answers = "in-reply-to" in facts.block or facts.subject.startswith("re:")
    if answers or facts.autoreply_prefix():
        return Verdict(Kind.AUTOREPLY, f"{reason} in answer to a message")
    return Verdict(Kind.BULK, reason)


def _vendor_autoreply(facts: _Facts) -> Verdict | None:
    block, present = facts.block, facts.present
    for key, name in _VENDOR_AUTOREPLY_FIELDS:
        if key in present and _token(block.get(key)) not in ("no", "false", "0"):
            return Verdict(Kind.AUTOREPLY, f"{name} present")
    if "x-apple-action" in present and _token(block.get("x-apple-action")) == "vacation":
        return Verdict(Kind.AUTOREPLY, "X-Apple-Action: VACATION")
    for key, name in _PRECEDENCE_FIELDS:
        if key in present and _token(block.get(key)) in ("auto_reply", "auto-reply"):
            return Verdict(Kind.AUTOREPLY, f"{name}: auto_reply")
    # Exchange stamps this on whatever an inbox rule sends: auto-replies, but
    # also redirects of other people's mail (a user's own forwarding rule). So
    # it decides only with an out-of-office subject, or when the rule belongs
    # to the sender's own mailbox.
    if "x-ms-exchange-inbox-rules-loop" in present:
        prefix = facts.autoreply_prefix()
        if prefix:
            return Verdict(
                Kind.AUTOREPLY,
                f"X-MS-Exchange-Inbox-Rules-Loop and subject starts with '{prefix}'",
            )
        owner = (block.get("x-ms-exchange-inbox-rules-loop") or "").strip("<> ").lower()
        if owner and any(addr.lower() == owner for addr in facts.senders):
            return Verdict(Kind.AUTOREPLY, "sent by an inbox rule of the sender's own mailbox")
    return None


def _list_or_bulk(facts: _Facts) -> Verdict | None:
    block, present = facts.block, facts.present
    post = block.get("list-post") if "list-post" in present else None
    if post is not None and _token(post) != "no":
        return Verdict(Kind.LIST, "List-Post present")
    for key, name in _LIST_FIELDS:
        if key in present:
            return Verdict(Kind.LIST, f"{name} present")
    precedences = [
        (name, _token(block.get(key))) for key, name in _PRECEDENCE_FIELDS if key in present
    ]
    for name, value in precedences:
        if value == "list":
            return Verdict(Kind.LIST, f"{name}: list")
    for addr, local, _ in facts.locals:
        if local.endswith(_LIST_LOCAL_SUFFIXES) or local.startswith("owner-"):
            return Verdict(Kind.LIST, f"sent by the list manager address {addr}")
    for name, value in precedences:
        if value in ("bulk", "junk"):
            return Verdict(Kind.BULK, f"{name}: {value}")
    for key, name in _BULK_FIELDS:
        if key in present:
            return Verdict(Kind.BULK, f"{name} present")
    for addr, _, squeezed in facts.locals:
        if any(mark in squeezed for mark in _NO_REPLY_MARKS):
            return Verdict(Kind.BULK, f"sent from the no-reply address {addr}")
    if post is not None:
        return Verdict(Kind.BULK, "List-Post: NO (an announcement list)")
    for key, name in _OTHER_LIST_FIELDS:
        if key in present:
            return Verdict(Kind.LIST, f"{name} present")
    return None


def classify(block: HeaderBlock) -> Verdict:
    """Decide whether one message is a human's, and if not, what robot sent it.

    Structural signals come first, vendor markers next, the subject last.
    """
    verdict = _report_verdict(block.get("content-type"))
    if verdict is not None:
        return verdict
    facts = _Facts(block)
    verdict = _mail_system_sender(facts)
    if verdict is not None:
        return verdict
    null_sender = _is_null_return_path(block.get("return-path"))
    if null_sender:
        prefix = facts.bounce_prefix()
        if prefix:
            return Verdict(Kind.BOUNCE, f"Return-Path <> and subject starts with '{prefix}'")
    for key, name in _BOUNCE_FIELDS:
        if key in facts.present:
            return Verdict(Kind.BOUNCE, f"{name} present")
    for rule in (_auto_submitted, _vendor_autoreply, _list_or_bulk):
        verdict = rule(facts)
        if verdict is not None:
            return verdict
    autoreply = facts.autoreply_prefix()
    if null_sender:
        if autoreply:
            return Verdict(Kind.AUTOREPLY, f"Return-Path <> and subject starts with '{autoreply}'")
        return Verdict(Kind.BOUNCE, "Return-Path <> (sent by a mail system)")
    bounce = facts.bounce_prefix()
    if bounce:
        return Verdict(Kind.BOUNCE, f"subject starts with '{bounce}'")
    if autoreply:
        return Verdict(Kind.AUTOREPLY, f"subject starts with '{autoreply}'")
    machine = machine_reason(block, facts.present, facts.senders)
    if machine is not None:
        return Verdict(Kind(machine[0]), machine[1])
    if sent_to_empty_group(block):
        return _ANNOUNCEMENT
    return _HUMAN
