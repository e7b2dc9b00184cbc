"""The default feedback questions, for a season that has none and no earlier season to copy."""

from .models import QuestionKind

INTRO = {
    "fi": "Kiitos osallistumisestasi! Vastaaminen vie pari minuuttia. Vastaukset käsitellään "
    "nimettöminä: kukaan ei näe, kuka vastasi mitä.",
    "sv": "Tack för att du deltog! Det tar ett par minuter att svara. Svaren behandlas anonymt: "
    "ingen ser vem som svarade vad.",
    "en": "Thank you for taking part! Answering takes a couple of minutes. The answers are "
    "anonymous: nobody sees who answered what.",
}

# (kind, fi, sv, en)
QUESTIONS = [
    (
        QuestionKind.WORTH,
        "Oliko tilaisuus käyttämäsi ajan arvoinen?",
        "Var tillfället värt den tid du lade på det?",
        "Was it worth your time?",
    ),
    (
        QuestionKind.STATEMENT,
        "Sain tietoa tai näkökulmia, joita voin hyödyntää työssäni.",
        "Jag fick information eller perspektiv som jag kan använda i mitt arbete.",
        "I gained information or perspectives I can use in my work.",
    ),
    (
        QuestionKind.STATEMENT,
        "Aihe oli ajankohtainen ja tärkeä kunnalleni.",
        "Ämnet var aktuellt och viktigt för min kommun.",
        "The topic was timely and important for my municipality.",
    ),
    (
        QuestionKind.STATEMENT,
        "Tilaisuudessa oli riittävästi aikaa keskustelulle ja vertaisoppimiselle.",
        "Det fanns tillräckligt med tid för diskussion och kollegialt lärande.",
        "There was enough time for discussion and peer learning.",
    ),
    (
        QuestionKind.STATEMENT,
        "Tilaisuus oli hyvin järjestetty.",
        "Tillfället var väl ordnat.",
        "The event was well organised.",
    ),
    (
        QuestionKind.COMMENT,
        "Mikä oli mielestäsi parasta?",
        "Vad var bäst, tycker du?",
        "What was the best part?",
    ),
    (
        QuestionKind.COMMENT,
        "Mitä kehittäisit tai mistä aiheesta haluaisit kuulla seuraavaksi?",
        "Vad skulle du utveckla, eller vilket ämne vill du höra om härnäst?",
        "What would you improve, or which topic would you like to hear about next?",
    ),
]
