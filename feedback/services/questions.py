"""The questions of a season's surveys: data staff edit, made from the defaults once."""

from __future__ import annotations

from django.db import transaction

from municipalities.models import Season

from .. import defaults
from ..models import Question, SurveyTemplate


@transaction.atomic
def template_ensure(*, season: Season) -> SurveyTemplate:
    """The season's questions; a season without them gets a copy of the latest earlier
    season's, or the default set."""
    template = SurveyTemplate.objects.filter(season=season).first()
    if template is not None:
        return template
    previous = (
        SurveyTemplate.objects.filter(season__start_date__lt=season.start_date)
        .order_by("-season__start_date")
        .prefetch_related("questions")
        .first()
    )
    if previous is not None:
        template = SurveyTemplate.objects.create(
            season=season,
            intro_fi=previous.intro_fi,
            intro_sv=previous.intro_sv,
            intro_en=previous.intro_en,
        )
        rows = [(q.kind, q.text_fi, q.text_sv, q.text_en) for q in previous.questions.all()]
    else:
        template = SurveyTemplate.objects.create(
            season=season,
            intro_fi=defaults.INTRO["fi"],
            intro_sv=defaults.INTRO["sv"],
            intro_en=defaults.INTRO["en"],
        )
        rows = defaults.QUESTIONS
    Question.objects.bulk_create(
        Question(template=template, position=10 * (i + 1), kind=kind, text_fi=fi, text_sv=sv,
                 text_en=en)
        for i, (kind, fi, sv, en) in enumerate(rows)
    )  # fmt: skip
    return template
