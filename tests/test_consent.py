"""Judging answers to an introduction ask: only an unambiguous yes is a yes.

Each case is a whole reply body as its client writes it: the answer, then a
signature and the quoted ask (Gmail's, Apple Mail's and Thunderbird's
attributions, Outlook's header block, iPhone taglines), in English, Spanish,
French, German and Portuguese. The quoted ask itself says "yes" and "no"
("if the timing's wrong, just say no"), so a judge that read it would fail.
"""

from __future__ import annotations

import pytest

from outreach.core.consent import Answer, judge
from outreach.core.reply_text import fresh_text

ASK_EN = (
    "> Hi Sam,\n>\n> Would you like to meet Priya? She runs the repair café on Elm Street.\n"
    "> Yes or no is fine; if the timing's wrong, just say no.\n>\n> Dana\n"
)
GMAIL = "On Mon, 15 Jun 2026 at 09:30, Dana Reyes <dana@example.org> wrote:\n\n" + ASK_EN
GMAIL_WRAPPED = (
    "On Mon, Jun 15, 2026 at 9:30 AM Dana Reyes <\ndana@example.org> wrote:\n\n" + ASK_EN
)
APPLE = "\n> On 15 Jun 2026, at 09:30, Dana Reyes <dana@example.org> wrote:\n>\n" + ASK_EN
THUNDERBIRD = "On 15/06/2026 09:30, Dana Reyes wrote:\n" + ASK_EN
THUNDERBIRD_SHORT = "Dana Reyes wrote:\n" + ASK_EN
OUTLOOK = (
    "\n________________________________\nFrom: Dana Reyes <dana@example.org>\n"
    "Sent: Monday, June 15, 2026 9:30 AM\nTo: Sam Ortiz <sam@example.net>\n"
    "Subject: Would you like to meet Priya?\n\nHi Sam,\n\nWould you like to meet Priya?"
    " Yes or no is fine.\n"
)
OUTLOOK_RULE = (
    "\n-----Original Message-----\nFrom: Dana Reyes [mailto:dana@example.org]\n"
    "Sent: Monday, June 15, 2026 9:30 AM\nSubject: Would you like to meet Priya?\n\nYes or no?\n"
)
ES_GMAIL = (
    "El lun, 15 jun 2026 a las 9:30, Dana Reyes (<dana@example.org>) escribió:\n\n"
    "> Hola Lucía, ¿te gustaría conocer a Priya? Si no es buen momento, dime que no.\n"
)
FR_GMAIL = (
    "Le lun. 15 juin 2026 à 09:30, Dana Reyes <dana@example.org> a écrit :\n\n"
    "> Bonjour Claire, aimerais-tu rencontrer Priya ? Oui ou non, c'est très bien.\n"
)
DE_GMAIL = (
    "Am Mo., 15. Juni 2026 um 09:30 Uhr schrieb Dana Reyes <\ndana@example.org>:\n\n"
    "> Hallo Jonas, möchtest du Priya kennenlernen? Ja oder nein, beides ist gut.\n"
)
DE_OUTLOOK = (
    "\n-----Ursprüngliche Nachricht-----\nVon: Dana Reyes <dana@example.org>\n"
    "Gesendet: Montag, 15. Juni 2026 09:30\nBetreff: Priya kennenlernen?\n\nJa oder nein?\n"
)
PT_GMAIL = (
    "Em seg., 15 de jun. de 2026 às 09:30, Dana Reyes <dana@example.org> escreveu:\n\n"
    "> Olá João, gostaria de conhecer a Priya? Sim ou não, tudo bem.\n"
)
PT_OUTLOOK = (
    "\nDe: Dana Reyes <dana@example.org>\nEnviada em: segunda-feira, 15 de junho de 2026 09:30\n"
    "Para: João <joao@example.net>\nAssunto: Conhecer a Priya?\n\nSim ou não?\n"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # English
        ("Yes please! I'd love to meet Priya.\n\nSam\n\n" + GMAIL, Answer.YES),
        ("Happy to, thanks Dana.\n\n" + GMAIL_WRAPPED, Answer.YES),
        ("Sure, please introduce us.\n\nSent from my iPhone\n" + APPLE, Answer.YES),
        ("Absolutely, go ahead.\n\n-- \nSam Ortiz\nElm Street Tools\n\n" + THUNDERBIRD, Answer.YES),
        ("No problem, glad to!\n" + THUNDERBIRD_SHORT, Answer.YES),
        ("Yes, happy to connect.\n\nSam\n" + OUTLOOK, Answer.YES),
        ("No thanks for now, I'm swamped until March.\n\n" + GMAIL, Answer.NO),
        ("I'd rather not, sorry.\n\nSent from my iPhone\n" + APPLE, Answer.NO),
        ("Not interested, thanks.\n" + OUTLOOK_RULE, Answer.NO),
        ("Yes, but not before March.\n\n" + GMAIL, Answer.UNCLEAR),
        ("Who is she?\n\nSent from my iPhone\n" + APPLE, Answer.UNCLEAR),
        ("Maybe, let me think about it.\n" + OUTLOOK, Answer.UNCLEAR),
        ("Yes... actually no, not now.\n" + THUNDERBIRD, Answer.UNCLEAR),
        ("Thanks Dana!\n\n" + GMAIL, Answer.UNCLEAR),
        ("\n" + GMAIL, Answer.UNCLEAR),  # an empty reply quotes "yes or no" only
        # Spanish
        ("Sí, claro, encantada de conocerla.\n\nLucía\n\n" + ES_GMAIL, Answer.YES),
        ("No, gracias. Ahora no puedo.\n\nEnviado desde mi iPhone\n" + ES_GMAIL, Answer.NO),
        ("Sí, pero después de marzo.\n\n" + ES_GMAIL, Answer.UNCLEAR),
        ("Si tienes un momento, llámame.\n\n" + ES_GMAIL, Answer.UNCLEAR),
        # French
        ("Oui, avec plaisir !\n\nClaire\n\n" + FR_GMAIL, Answer.YES),
        ("Non merci, je suis débordée.\n\nEnvoyé de mon iPhone\n" + FR_GMAIL, Answer.NO),
        ("Volontiers, mais qui est-elle ?\n\n" + FR_GMAIL, Answer.UNCLEAR),
        # German
        ("Ja, gerne!\n\nJonas\n\n" + DE_GMAIL, Answer.YES),
        ("Sehr gerne.\n\nVon meinem iPhone gesendet\n" + DE_OUTLOOK, Answer.YES),
        ("Nein danke, momentan keine Zeit.\n\n" + DE_GMAIL, Answer.NO),
        ("Gerne, aber erst im April.\n\n" + DE_OUTLOOK, Answer.UNCLEAR),
        ("Das ist ja interessant.\n\n" + DE_GMAIL, Answer.UNCLEAR),
        # Portuguese
        ("Sim, com certeza!\n\nJoão\n\n" + PT_GMAIL, Answer.YES),
        ("Com prazer.\n\nEnviado do meu iPhone\n" + PT_OUTLOOK, Answer.YES),
        ("Não, obrigado. Agora não dá.\n\n" + PT_GMAIL, Answer.NO),
        ("Talvez, quem é ela?\n\n" + PT_OUTLOOK, Answer.UNCLEAR),
    ],
)
def test_reply_bodies_are_judged_on_what_the_person_wrote(body: str, expected: Answer) -> None:
    assert judge(fresh_text(body)) is expected


@pytest.mark.parametrize(
    "quote", [GMAIL, GMAIL_WRAPPED, APPLE, THUNDERBIRD, OUTLOOK, OUTLOOK_RULE, DE_OUTLOOK]
)
def test_every_quoting_style_is_cut_whole(quote: str) -> None:
    assert fresh_text("Yes please.\n" + quote) == "Yes please."
