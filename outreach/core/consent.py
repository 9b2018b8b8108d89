"""Judging an answer to an introduction ask: yes, no, or unclear.

Pure and conservative: only an unambiguous yes is consent. A yes with a
condition, a doubt or a question ("yes, but not before March", "who is
she?"), a yes and a no together, or nothing recognisable is unclear and
waits for the user. A no without a yes closes the introduction. Phrases are
matched on whole words, case- and accent-insensitively, in English,
Spanish, French, German and Portuguese. It reads the fresh text only: strip
quotes and signatures first (`reply_text.fresh_text`).
"""

from __future__ import annotations

import enum
import re
import unicodedata


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"


def _words(*phrases: str) -> re.Pattern[str]:
    """Whole-word alternatives, written without accents (the text is folded the same way)."""
    body = "|".join(sorted((re.escape(p).replace(r"\ ", r"\s+") for p in phrases), key=len))
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])")


# Phrases that say no but are friendly: removed before looking for a no.
_NOT_A_NO = _words(
    "no problem",
    "no worries",
    "no doubt",
    "no hesitation",
    "not a problem",
    "sin problema",
    "no hay problema",
    "no problemo",
    "pas de probleme",
    "pas de souci",
    "sans probleme",
    "aucun probleme",
    "pas de soucis",
    "kein problem",
    "keine sorge",
    "ohne frage",
    "sem problema",
    "nao tem problema",
    "nao ha problema",
)
_YES = _words(
    # English
    "yes",
    "yes please",
    "yep",
    "yeah",
    "sure",
    "of course",
    "absolutely",
    "definitely",
    "happy to",
    "glad to",
    "delighted",
    "i'd love to",
    "i would love to",
    "would love to",
    "love to",
    "sounds good",
    "sounds great",
    "please do",
    "please introduce",
    "go ahead",
    "count me in",
    "i'm in",
    "gladly",
    "with pleasure",
    "by all means",
    "please connect us",
    # Spanish ("si" and German "ja" are matched apart, see _SHORT_YES)
    "claro",
    "por supuesto",
    "con gusto",
    "encantado",
    "encantada",
    "me encantaria",
    "adelante",
    "de acuerdo",
    "perfecto",
    "con mucho gusto",
    "desde luego",
    # French
    "oui",
    "avec plaisir",
    "volontiers",
    "bien sur",
    "d'accord",
    "ca marche",
    "je veux bien",
    "avec joie",
    "ravi",
    "ravie",
    "carrement",
    # German
    "gerne",
    "gern",
    "sehr gerne",
    "klar",
    "naturlich",
    "einverstanden",
    "auf jeden fall",
    "mit vergnugen",
    "mit freude",
    "sehr gern",
    # Portuguese
    "sim",
    "com certeza",
    "com prazer",
    "adoraria",
    "pode apresentar",
    "pode ser",
    "claro que sim",
    "com todo o prazer",
    "otimo",
    "beleza",
)
_NO = _words(
    # English
    "no",
    "nope",
    "no thanks",
    "no thank you",
    "not now",
    "not right now",
    "not interested",
    "i'll pass",
    "pass on this",
    "rather not",
    "i'd rather not",
    "can't",
    "cannot",
    "can not",
    "unable",
    "don't think so",
    "not a good time",
    "decline",
    "too busy",
    "swamped",
    "no bandwidth",
    "not for me",
    "not at the moment",
    "won't be able",
    # Spanish
    "no gracias",
    "ahora no",
    "no puedo",
    "prefiero no",
    "no me interesa",
    "paso",
    "muy ocupado",
    "muy ocupada",
    "no es buen momento",
    # French
    "non",
    "non merci",
    "pas maintenant",
    "je ne peux pas",
    "je prefere pas",
    "je prefere ne pas",
    "pas interesse",
    "pas interessee",
    "pas le temps",
    "deborde",
    "debordee",
    "pas pour moi",
    "je decline",
    # German
    "nein",
    "nein danke",
    "lieber nicht",
    "nicht jetzt",
    "keine zeit",
    "kein interesse",
    "leider nicht",
    "ich kann nicht",
    "momentan nicht",
    "derzeit nicht",
    "eher nicht",
    # Portuguese
    "nao",
    "nao obrigado",
    "nao obrigada",
    "agora nao",
    "prefiro nao",
    "nao posso",
    "sem tempo",
    "nao tenho interesse",
    "nao tenho tempo",
)
# "si" is also Spanish for "if", "ja" a German filler word: alone in their
# clause they are a yes ("Si, claro", "Ja!"), inside a sentence they are not.
_SHORT_YES = re.compile(r"(?:^|[.!?,;:\n]\s*|¡)(?:si|ja)(?=\s*[,.!;]|\s*$)")
_SI_ACCENTED = re.compile(r"(?<!\w)sí(?!\w)")

# A condition, a doubt or a delay: a yes with one of these is not a plain yes.
_HEDGE = _words(
    # English
    "but",
    "however",
    "although",
    "though",
    "maybe",
    "perhaps",
    "not before",
    "not until",
    "only if",
    "unless",
    "depends",
    "it depends",
    "later",
    "not sure",
    "first",
    "who is",
    "who's",
    "what does",
    "what is",
    "why",
    "let me think",
    "let me check",
    "possibly",
    "probably",
    "might",
    "after",
    # Spanish
    "pero",
    "quizas",
    "quiza",
    "tal vez",
    "depende",
    "quien es",
    "despues",
    "mas adelante",
    "solo si",
    "a menos que",
    "no estoy seguro",
    "no estoy segura",
    "primero",
    # French
    "mais",
    "peut-etre",
    "peut etre",
    "sauf",
    "ca depend",
    "qui est",
    "plus tard",
    "apres",
    "seulement si",
    "a condition",
    "pas sur",
    "pas sure",
    "d'abord",
    # German
    "aber",
    "vielleicht",
    "erst",
    "jedoch",
    "wer ist",
    "kommt darauf an",
    "spater",
    "nur wenn",
    "es sei denn",
    "nicht sicher",
    "zuerst",
    "eventuell",
    # Portuguese
    "mas",
    "talvez",
    "depende",
    "quem e",
    "depois",
    "mais tarde",
    "so se",
    "a menos que",
    "nao tenho certeza",
    "primeiro",
)


def fold(text: str) -> str:
    """Lower case without accents, with one kind of apostrophe: how phrases are matched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("\u2019", "'").replace("`", "'")


def judge(fresh: str) -> Answer:
    """The answer in a reply's fresh text (quotes and signature already removed)."""
    text = fold(fresh)
    if not text.strip():
        return Answer.UNCLEAR
    has_yes = (
        _YES.search(text) is not None
        or _SHORT_YES.search(text) is not None
        or _SI_ACCENTED.search(fresh.casefold()) is not None
    )
    has_no = _NO.search(_NOT_A_NO.sub(" ", text)) is not None
    if has_no and not has_yes:
        return Answer.NO
    if has_yes and not has_no and "?" not in text and _HEDGE.search(text) is None:
        return Answer.YES
    return Answer.UNCLEAR
