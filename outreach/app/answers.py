"""Double opt-in introductions as the user sees them: each person's answer, and decisions.

`opt_in_intros` lists every double opt-in intro with each person's state
(yes, no, unclear, or no answer yet) and the first lines of their answer;
`decide` records a yes or no given by hand (an unclear email, a phone call).
Nothing here prints, and nothing here tells anyone anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outreach.base.errors import InputError, Problem
from outreach.core.consent import Answer
from outreach.core.intros import IntroMode, IntroStatus
from outreach.store.journal import Journal
from outreach.store.journal.answers import AnswerRecord, latest_answers, record_answer
from outreach.store.journal.intros import IntroRecord, get_intro, set_intro_status

NO_ANSWER = "no answer yet"


@dataclass(frozen=True, slots=True)
class PersonAnswer:
    contact_id: str
    answer: AnswerRecord | None  # None: no answer yet

    @property
    def state(self) -> str:
        return NO_ANSWER if self.answer is None else self.answer.answer.value


@dataclass(frozen=True, slots=True)
class OptInView:
    intro: IntroRecord
    people: tuple[PersonAnswer, PersonAnswer]

    @property
    def needs_decision(self) -> bool:
        """Still open, and someone's answer is neither a clear yes nor a no."""
        return self.intro.status is IntroStatus.ASKED and any(
            p.answer is not None and p.answer.answer is Answer.UNCLEAR for p in self.people
        )


def opt_in_intros(journal: Journal) -> list[OptInView]:
    rows = journal.connection.execute(
        "SELECT id FROM intros WHERE mode = 'double_opt_in' ORDER BY id"
    ).fetchall()
    intros = [i for i in (get_intro(journal, int(r[0])) for r in rows) if i is not None]
    answers = latest_answers(journal, [i.id for i in intros])
    return [_view(i, answers.get(i.id, {})) for i in intros]


def _view(intro: IntroRecord, answers: dict[str, AnswerRecord]) -> OptInView:
    a, b = (PersonAnswer(c, answers.get(c)) for c in intro.pair)
    return OptInView(intro, (a, b))


def decide(
    journal: Journal, intro_id: int, contact_id: str, answer: Answer, *, now: datetime
) -> OptInView:
    """Record `contact_id`'s answer to intro `intro_id` as given to the user by hand.

    It becomes that person's latest answer. A no declines the intro; a yes
    reopens an intro that only this person's earlier no had declined.
    """
    intro = get_intro(journal, intro_id)
    if intro is None or intro.mode is not IntroMode.DOUBLE_OPT_IN:
        raise InputError(
            [Problem("intro", f"no double opt-in introduction {intro_id}")],
            hint="list them with `outreach intros`",
        )
    if contact_id not in intro.pair:
        raise InputError(
            [
                Problem(
                    "intro",
                    f"'{contact_id}' is not part of introduction {intro_id}"
                    f" ({intro.contact_a} and {intro.contact_b})",
                )
            ]
        )
    if intro.status is IntroStatus.INTRODUCED:
        raise InputError(
            [Problem("intro", f"introduction {intro_id} was already made; nothing to decide")]
        )
    with journal.transaction():
        before = latest_answers(journal, [intro_id]).get(intro_id, {})
        record_answer(
            journal,
            intro_id=intro_id,
            contact_id=contact_id,
            answer=answer,
            at=now,
            source="manual",
            now=now,
            excerpt="decided by hand",
        )
        other = next(c for c in intro.pair if c != contact_id)
        declined_by_answer = any(a.answer is Answer.NO for a in before.values())
        other_said_no = other in before and before[other].answer is Answer.NO
        if (
            answer is not Answer.NO
            and intro.status is IntroStatus.DECLINED
            and declined_by_answer
            and not other_said_no
        ):
            set_intro_status(journal, intro_id, IntroStatus.ASKED, now=now)
    after = get_intro(journal, intro_id)
    assert after is not None
    return _view(after, latest_answers(journal, [intro_id]).get(intro_id, {}))
