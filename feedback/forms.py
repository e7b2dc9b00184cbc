"""The answer form, built from the season's questions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMMENT_MAX, SCALE, Question, QuestionKind

WORTH_LABELS = {1: _("Not at all"), 5: _("Absolutely")}
AGREE_LABELS = {1: _("Strongly disagree"), 5: _("Strongly agree")}


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [
        (str(score), f"{score} – {labels[score]}" if score in labels else str(score))
        for score in SCALE
    ]


class AnswerForm(forms.Form):
    """One field per question: a 1–5 radio group (the "worth your time" one required), or an
    optional comment."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            if question.kind == QuestionKind.COMMENT:
                field = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=COMMENT_MAX,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
            else:
                worth = question.kind == QuestionKind.WORTH
                field = forms.TypedChoiceField(
                    label=question.text,
                    choices=_choices(WORTH_LABELS if worth else AGREE_LABELS),
                    coerce=int,
                    required=worth,
                    empty_value=None,
                    widget=forms.RadioSelect,
                )
            self.fields[question.field_name] = field

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(q.field_name) for q in self.questions}
