"""Reads of the feedback app: results per survey, per kind of event and per season, and the
summary of a municipality's workshops (the dashboard panel and the season report).

Who sees which surveys is `Survey`'s rule (`municipalities/scoping.py`): network staff every
survey, a consultant the surveys they are responsible for (a workshop's consultant; for an
event, whom staff set), a municipality's contacts their own workshops' surveys. Results are
counts, distributions, means and comments of anonymous answers: nothing names a respondent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from events.models import EventKind
from municipalities.models import Municipality, Season, User

from .models import (
    SCALE,
    WORKSHOP_KIND,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
)

HIGHLIGHTS = 3


def kind_label(kind: str) -> str:
    if kind == WORKSHOP_KIND:
        return str(_("Development workshop"))
    return str(dict(EventKind.choices).get(kind, kind))


def mean(values: list[int]) -> Decimal | None:
    """The mean to one decimal, half up; None without values."""
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate(answered: int, invited: int) -> int | None:
    """The response rate in whole per cent, half up."""
    if not invited:
        return None
    return int((Decimal(100 * answered) / invited).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass
class QuestionResult:
    question: Question
    count: int = 0
    distribution: list[tuple[int, int]] = field(default_factory=list)  # (score, answers)
    mean: Decimal | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def is_comment(self) -> bool:
        return self.question.kind == QuestionKind.COMMENT


@dataclass
class SurveyResults:
    survey: Survey
    invited: int
    answered: int
    questions: list[QuestionResult]

    @property
    def rate(self) -> int | None:
        return rate(self.answered, self.invited)


def _question_results(questions: list[Question], responses: list[Response]) -> list[QuestionResult]:
    results = []
    for question in questions:
        key = str(question.pk)
        result = QuestionResult(question)
        if question.kind == QuestionKind.COMMENT:
            result.comments = [r.comments[key] for r in responses if r.comments.get(key)]
            result.count = len(result.comments)
        else:
            if question.kind == QuestionKind.WORTH:
                values = [r.worth for r in responses if r.worth is not None]
            else:
                values = [r.scores[key] for r in responses if key in r.scores]
            counts = Counter(values)
            result.count = len(values)
            result.distribution = [(score, counts[score]) for score in SCALE]
            result.mean = mean(values)
        results.append(result)
    return results


def survey_list_for(*, user: User, season: Season | None = None) -> QuerySet[Survey]:
    """The surveys the user sees, with their invited and answered counts and the mean of the
    "worth your time" answers, newest first."""
    surveys = Survey.objects.visible_to(user)
    if season is not None:
        surveys = surveys.filter(season=season)
    return surveys.annotate(
        invited=Count("invitations", distinct=True),
        answered=Count("invitations", filter=Q(invitations__answered=True), distinct=True),
    ).annotate(worth_mean=Avg("responses__worth"))


def survey_results(*, survey: Survey) -> SurveyResults:
    """Response rate, distributions, means and comments of one survey (four queries)."""
    questions = list(survey.template.questions.all())
    responses = list(Response.objects.filter(survey=survey).only("worth", "scores", "comments"))
    counts = Invitation.objects.filter(survey=survey).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered=True))
    )
    # Comments in a stable order that says nothing about who wrote them or when.
    results = _question_results(questions, responses)
    for result in results:
        result.comments.sort(key=str.casefold)
    return SurveyResults(survey, counts["invited"], counts["answered"], results)


@dataclass
class KindSummary:
    kind: str
    surveys: int = 0
    invited: int = 0
    answered: int = 0
    responses: int = 0
    worth: list[int] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return kind_label(self.kind)

    @property
    def rate(self) -> int | None:
        return rate(self.answered, self.invited)

    @property
    def worth_mean(self) -> Decimal | None:
        return mean(self.worth)

    @property
    def statement_mean(self) -> Decimal | None:
        return mean(self.statements)

    @property
    def highlights(self) -> list[str]:
        """A few comments, the longest first (they tend to say the most)."""
        return sorted(self.comments, key=lambda text: (-len(text), text))[:HIGHLIGHTS]


def summarise_by_kind(surveys: QuerySet[Survey]) -> list[KindSummary]:
    """Per kind of event (and workshops): surveys, invited, answered, rate, means of the
    "worth your time" answers and of the statements, comment highlights (three queries)."""
    rows = list(
        surveys.order_by()
        .values("pk", "subject_kind")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count("invitations", filter=Q(invitations__answered=True), distinct=True),
        )
    )
    by_kind: dict[str, KindSummary] = {}
    kind_of = {}
    for row in rows:
        summary = by_kind.setdefault(row["subject_kind"], KindSummary(row["subject_kind"]))
        summary.surveys += 1
        summary.invited += row["invited"]
        summary.answered += row["answered"]
        kind_of[row["pk"]] = summary
    responses = Response.objects.filter(survey_id__in=list(kind_of)).values_list(
        "survey_id", "worth", "scores", "comments"
    )
    for survey_id, worth, scores, comments in responses:
        summary = kind_of[survey_id]
        summary.responses += 1
        if worth is not None:
            summary.worth.append(worth)
        summary.statements.extend(v for v in scores.values() if v in SCALE)
        summary.comments.extend(text for text in comments.values() if text)
    order = [*EventKind.values, WORKSHOP_KIND]
    return sorted(by_kind.values(), key=lambda s: order.index(s.kind) if s.kind in order else 99)


def season_summary_for(*, user: User, season: Season) -> list[KindSummary]:
    return summarise_by_kind(Survey.objects.visible_to(user).filter(season=season))


@dataclass
class MunicipalitySummary:
    municipality: Municipality
    season: Season
    workshops: list[KindSummary]  # the municipality's own workshops
    events: list[KindSummary]  # the network's events of the season, per kind (all members)


def summary_for_municipality(municipality: Municipality, season: Season) -> MunicipalitySummary:
    """For the season report: the feedback on the municipality's own workshops, and the
    network's event feedback of the season per kind (answers are anonymous and events are
    the network's, so those are the same for every member). Not scoped: the caller decides
    who may see the report."""
    workshops = Survey.objects.filter(
        season=season, subject_kind=WORKSHOP_KIND, municipality=municipality
    )
    events = Survey.objects.filter(season=season, event__isnull=False)
    return MunicipalitySummary(
        municipality, season, summarise_by_kind(workshops), summarise_by_kind(events)
    )


def dashboard_feedback_panel(user: User, membership) -> dict | None:
    """The contact's panel: the feedback on their municipality's workshops this season."""
    if membership is None or not user.is_municipal_contact:
        return None
    surveys = Survey.objects.visible_to(user).filter(season_id=membership.season_id)
    # shown once someone has answered: the summaries count the answers (no query to ask first)
    summaries = summarise_by_kind(surveys)
    return {"summaries": summaries} if any(s.responses for s in summaries) else None
