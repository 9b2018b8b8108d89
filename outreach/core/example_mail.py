"""The example workspace's mailbox: a few genuine replies and the robots around them.

Pure: messages dated relative to `now`, as Maildir file paths and bytes. The
out-of-office reply, the bounce and the mailing-list post are there so the
first sync shows what is left out and why.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime


def _message(
    now: datetime, days_ago: float, headers: list[tuple[str, str]], body: str, seq: int
) -> bytes:
    sent = now - timedelta(days=days_ago)
    lines = [
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <example-{seq}.{int(sent.timestamp())}@example.invalid>",
    ]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\r\n".join(lines).encode("utf-8")


def example_mail(now: datetime, *, me_name: str, me_email: str) -> dict[str, bytes]:
    """The example's Maildir (path -> bytes; a path ending in '/' is an empty folder)."""
    me = f"{me_name} <{me_email}>"
    messages: list[tuple[str, float, list[tuple[str, str]], str]] = [
        (
            "cur",
            3,
            [
                ("From", "Adrienne Moreau <adrienne@example.net>"),
                ("To", me),
                ("Subject", "Re: the mural opening"),
            ],
            "Dana, thank you for sending people our way. Twelve of them came!\n-- A.",
        ),
        (
            "cur",
            20,
            [
                ("From", "Kofi Mensah <kofi@tenants.example.org>"),
                ("To", me),
                ("Subject", "Re: intro: Kofi, meet Jordan"),
            ],
            "Jordan and I are meeting next week. Thanks for thinking of us.\nKofi",
        ),
        (
            "new",
            1,
            [
                ("From", "Priya Raman <priya@example.net>"),
                ("To", me),
                ("Subject", "Question about your asset map"),
            ],
            "Could I borrow the survey you used? I'd love to try it on our block.\nPriya",
        ),
        (
            "cur",
            2,
            [
                ("From", "Sam Whitfield <sam@coopenergy.example.org>"),
                ("To", me),
                ("Subject", "Automatic reply: checking in"),
                ("Auto-Submitted", "auto-replied"),
            ],
            "I'm away until the end of the month with limited access to email.",
        ),
        (
            "cur",
            6,
            [
                ("From", "Mail Delivery System <MAILER-DAEMON@mx.example.org>"),
                ("To", me),
                ("Subject", "Undelivered Mail Returned to Sender"),
                ("Auto-Submitted", "auto-replied"),
            ],
            "This is the mail system at host mx.example.org.\n\n<jordan@old-job.example.com>:"
            " host mail.example.com said: 550 5.1.1 user unknown",
        ),
        (
            "cur",
            4,
            [
                ("From", "Hana Sato <hana@example.net>"),
                ("To", "Urban growers <growers@lists.example.org>"),
                ("Subject", "[growers] Spare seedlings this weekend"),
                ("List-Id", "Urban growers <growers.lists.example.org>"),
                ("List-Unsubscribe", "<mailto:growers-leave@lists.example.org>"),
                ("Precedence", "list"),
            ],
            "I have forty tomato seedlings looking for homes. Come by Saturday.",
        ),
        (
            "new",
            8,
            [
                ("From", "Marisol Vega <marisol@example.com>"),
                ("To", me),
                ("Subject", "Loved your talk at the library"),
            ],
            "Hi Dana, I run the youth robotics club and would love to compare notes.\nMarisol",
        ),
    ]
    sent: list[tuple[float, list[tuple[str, str]], str]] = [
        (
            15,
            [
                ("From", me),
                ("To", "Rosa Delgado <rosa.delgado@example.com>"),
                ("Subject", "Your grant draft"),
            ],
            "Rosa, I read it twice; notes below.",
        ),
        (
            30,
            [
                ("From", me),
                ("To", "Mei Lin <mei@example.net>, Tomás Ibarra <tomas@example.com>"),
                ("Subject", "Garden gig?"),
            ],
            "Mei, Tomás: music at the seed swap?",
        ),
    ]
    files: dict[str, bytes] = {}
    for seq, (folder, days, headers, body) in enumerate(messages, start=1):
        stamp = int((now - timedelta(days=days)).timestamp())
        info = ":2,S" if folder == "cur" else ""
        files[f"mail/{folder}/{stamp}.example{seq}.localhost{info}"] = _message(
            now, days, headers, body, seq
        )
    for seq, (days, headers, body) in enumerate(sent, start=100):
        stamp = int((now - timedelta(days=days)).timestamp())
        files[f"mail/.Sent/cur/{stamp}.example{seq}.localhost:2,S"] = _message(
            now, days, headers, body, seq
        )
    for folder in ("mail/tmp", "mail/.Sent/new", "mail/.Sent/tmp"):
        files[f"{folder}/"] = b""  # an empty folder: Maildir needs cur, new and tmp
    return files
