"""Every portal page and every admin change list makes as many queries for 50 rows as for 1.

Each case makes one row of the data the page lists (contacts, events, registrations, workshops,
invoices, indicator values, …), requests the page once to warm the caches, counts the queries of
a second request, makes 49 more rows, counts again, and asserts that the counts are equal and that
the 50 rows are really shown. A failure prints both query lists, so the query repeated per row
stands out.

On top of the counting, like every test, these run with the N+1 guard of
tests/plugins/fetch_mode.py: a row that loads a relation it came without (`row.municipality`
without `select_related`) raises `FieldFetchBlocked` instead of querying.

A portal URL (in the permission matrix) or an admin registered without a row builder here fails
`test_every_portal_page_is_counted` / `test_every_admin_changelist_is_counted`: give it a builder,
or list it as not applicable with the reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import FieldFetchBlocked
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from analysis.importers import values_changed
from analysis.models import (
    Indicator,
    IndicatorValue,
    Neighbour,
    Perspective,
    Report,
    ReportBatch,
    Source,
)
from billing.models import BillingBatch, FeeSchedule, FeeTier, Invoice, InvoiceSeries, VatRate
from events.models import CalendarFeed, EventSeries
from municipalities.models import InvoicingDetailsConfirmation, Membership
from outbox.services import message_queue
from tests.auth import login
from usage.models import SeasonReport, SeasonReportBatch
from workshops.models import WorkshopStatus, WorkshopTransition

from .billing.factories import TravelCostFactory, series, stored_invoice
from .conftest import client_for
from .events.factories import (
    AnnouncementAttachmentFactory,
    AnnouncementFactory,
    EventFactory,
    EventMaterialFactory,
    PastEventFactory,
    RegistrationFactory,
)
from .municipalities.factories import (
    ContactPersonFactory,
    ContactUserFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferFactory,
    PopulationFigureFactory,
    SeasonFactory,
    SeasonThemeFactory,
    UserFactory,
    next_season,
)
from .querycount import difference, get_counted, shown_text
from .test_permission_matrix import MATRIX, World, project_url_names
from .workshops.factories import (
    CommentFactory,
    DeliverableFactory,
    QuotaGrantFactory,
    WorkshopFactory,
    WorkshopTopicFactory,
)

ROWS = 50


class Scene(World):
    """The network and the programme, plus what a case's `setup` adds."""

    def __init__(self, network, programme):
        super().__init__(network, programme)
        self.season = network.membership_a.season


def municipality(i: int):
    """The i-th extra municipality (codes 700–749: no fixture uses them), named QKnn."""
    return MunicipalityFactory(code=f"{700 + i:03d}", name_fi=f"QK{i:02d}", name_sv=f"QK{i:02d}")


def member(w: Scene, i: int):
    """The i-th extra member of the network's season, with the network's consultant."""
    return MembershipFactory(
        municipality=municipality(i), season=w.season, responsible_consultant=w.consultant
    )


# --- Portal pages -------------------------------------------------------------------------------


def _feedback_on(workshop, i: int) -> None:
    from feedback.models import Response

    from .feedback.factories import bare_survey

    survey = bare_survey(workshop=workshop)
    question = survey.template.questions.filter(kind="comment").first()
    Response.objects.create(survey=survey, worth=4, comments={str(question.pk): f"QFC{i:02d}"})


def dashboard_row(w: Scene, i: int) -> list[str]:
    ContactPersonFactory(municipality=w.municipality_a, name=f"QC{i:02d}")
    SeasonThemeFactory(season=w.season, name_fi=f"QT{i:02d}")
    workshop = WorkshopFactory(
        membership=w.membership_a, title=f"QW{i:02d}", proposed_by=w.contact_a
    )
    _feedback_on(workshop, i)  # the feedback panel (its highlights: a few comments only)
    event = EventFactory(season=w.season, title_fi=f"QE{i:02d}")
    RegistrationFactory(event=event, contact_person=w.contact_person_a)
    # the entitlement panel: a held event with A's participant present
    held = PastEventFactory(season=w.season, title_fi=f"QH{i:02d}")
    RegistrationFactory(event=held, contact_person=w.contact_person_a, attendance="present")
    AnnouncementFactory(season=w.season, title_fi=f"QA{i:02d}")
    stored_invoice(own_membership(w, i), number=f"9{i:06d}")
    return [f"QC{i:02d}", f"QT{i:02d}", f"QW{i:02d}", f"QH{i:02d}"]


def contact_row(w: Scene, i: int) -> list[str]:
    ContactPersonFactory(municipality=w.municipality_a, name=f"QC{i:02d}", is_active=i % 2 == 0)
    return [f"QC{i:02d}"]


def event_row(w: Scene, i: int) -> list[str]:
    series_ = EventSeries.objects.create(season=w.season, title_fi=f"QS{i:02d}")
    make = EventFactory if i % 2 else PastEventFactory
    event = make(season=w.season, title_fi=f"QE{i:02d}", series=series_)
    RegistrationFactory(event=event, contact_person=w.contact_person_a)
    return [f"QE{i:02d}", f"QS{i:02d}"]


def own_registration_row(w: Scene, i: int) -> list[str]:
    """A new contact person of A, registered: a row of the table and a choice of the form."""
    person = ContactPersonFactory(municipality=w.municipality_a, name=f"QC{i:02d}")
    RegistrationFactory(event=w.event, contact_person=person)
    ContactPersonFactory(municipality=w.municipality_a, name=f"QF{i:02d}")
    return [f"QC{i:02d}", f"QF{i:02d}"]


def network_registration_row(w: Scene, i: int, event=None) -> list[str]:
    """A registration of a contact person of another municipality, and a material."""
    event = event or w.other_season_event
    MembershipFactory(municipality=municipality(i), season=event.season)
    person = ContactPersonFactory(municipality=municipality(i), name=f"QC{i:02d}")
    RegistrationFactory(event=event, contact_person=person)
    EventMaterialFactory(event=event, title=f"QM{i:02d}")
    return [f"QC{i:02d}", f"QK{i:02d}", f"QM{i:02d}"]


def participant_row(w: Scene, i: int) -> list[str]:
    member(w, i)
    person = ContactPersonFactory(municipality=municipality(i), name=f"QC{i:02d}")
    RegistrationFactory(event=w.event, contact_person=person)
    return [f"QC{i:02d}"]


def attendance_row(w: Scene, i: int) -> list[str]:
    member(w, i)
    event = PastEventFactory(season=w.season, title_fi=f"QE{i:02d}")
    person = ContactPersonFactory(municipality=municipality(i))
    RegistrationFactory(event=event, contact_person=person, attendance="present")
    return [f"QE{i:02d}", f"QK{i:02d}"]


def announcement_row(w: Scene, i: int) -> list[str]:
    announcement = AnnouncementFactory(season=w.season, title_fi=f"QA{i:02d}")
    AnnouncementAttachmentFactory(announcement=announcement, title=f"QF{i:02d}")
    return [f"QA{i:02d}", f"QF{i:02d}"]


def attachment_row(w: Scene, i: int) -> list[str]:
    AnnouncementAttachmentFactory(announcement=w.other_announcement, title=f"QF{i:02d}")
    return [f"QF{i:02d}"]


def feed_row(w: Scene, i: int) -> list[str]:
    EventFactory(season=w.season, title_fi=f"QE{i:02d}", series=None)
    return [f"QE{i:02d}"]


def topic(w: Scene, i: int):
    return WorkshopTopicFactory(season=w.season, name_fi=f"QT{i:02d}")


def own_workshop_row(w: Scene, i: int) -> list[str]:
    WorkshopFactory(
        membership=w.membership_a, title=f"QW{i:02d}", topic=topic(w, i), proposed_by=w.contact_a
    )
    return [f"QW{i:02d}"]


def network_workshop_row(w: Scene, i: int) -> list[str]:
    status = list(WorkshopStatus)[i % len(WorkshopStatus)]
    starts_at = timezone.now() + datetime.timedelta(days=i - 25)
    WorkshopFactory(
        membership=member(w, i),
        title=f"QW{i:02d}",
        topic=topic(w, i),
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=3),
    )
    return [f"QW{i:02d}"]


def membership_row(w: Scene, i: int) -> list[str]:
    workshop = WorkshopFactory(membership=member(w, i), title=f"QW{i:02d}", topic=topic(w, i))
    QuotaGrantFactory(membership=workshop.membership, granted_by=w.staff)
    return [f"QK{i:02d}"]


def usage_member_row(w: Scene, i: int) -> list[str]:
    """A member with a workshop, a grant and a participant present at a held event."""
    membership = member(w, i)
    WorkshopFactory(membership=membership, title=f"QW{i:02d}", topic=topic(w, i))
    QuotaGrantFactory(membership=membership, granted_by=w.staff)
    person = ContactPersonFactory(municipality=membership.municipality)
    event = PastEventFactory(season=w.season, title_fi=f"QH{i:02d}")
    RegistrationFactory(event=event, contact_person=person, attendance="present")
    return [f"QK{i:02d}"]


def topic_row(w: Scene, i: int) -> list[str]:
    topic(w, i)
    return [f"QT{i:02d}"]


def workshop_detail_row(w: Scene, i: int) -> list[str]:
    workshop = w.workshop_a
    WorkshopTransition.objects.create(
        workshop=workshop,
        from_status="proposed",
        to_status="planned",
        by=UserFactory(last_name=f"QU{i:02d}"),
        note=f"QN{i:02d}",
    )
    DeliverableFactory(
        workshop=workshop, title=f"QD{i:02d}", uploaded_by=UserFactory(last_name=f"QV{i:02d}")
    )
    CommentFactory(workshop=workshop, body=f"QB{i:02d}", author=UserFactory(last_name=f"QX{i:02d}"))
    return [f"QU{i:02d}", f"QD{i:02d}", f"QB{i:02d}", f"QX{i:02d}"]


def own_membership(w: Scene, i: int):
    """A's membership of the i-th extra season (one annual fee invoice per membership and year)."""
    return MembershipFactory(municipality=w.municipality_a, season=_season(i))


def own_invoice_row(w: Scene, i: int) -> list[str]:
    stored_invoice(own_membership(w, i), number=f"9{i:06d}")
    return [f"9{i:06d}"]


def network_invoice_row(w: Scene, i: int) -> list[str]:
    stored_invoice(member(w, i), number=f"9{i:06d}")
    return [f"9{i:06d}"]


def analysis_member_row(w: Scene, i: int) -> list[str]:
    member(w, i)
    return [f"QK{i:02d}"]


def analysis_setup(w: Scene) -> None:
    PopulationFigureFactory(municipality=w.municipality_a, population=10_000)


def indicator_row(w: Scene, i: int) -> list[str]:
    """An indicator with values of A and of a similar municipality outside the network."""
    indicator = Indicator.objects.create(
        code=f"q{i:02d}",
        name_fi=f"QI{i:02d}",
        perspective=list(Perspective)[i % len(Perspective)],
        unit="%",
        source_fi="Test",
        licence_fi="CC BY 4.0",
        headline=i + 1,  # in the summary and the PDF too
    )
    peer = municipality(i)
    PopulationFigureFactory(municipality=peer, population=10_000 + i)
    for owner, value in ((w.municipality_a, i), (peer, i + 1)):
        IndicatorValue.objects.create(
            municipality=owner, indicator=indicator, year=2021, value=value, source="Test"
        )
    values_changed([indicator.pk])
    return [f"QI{i:02d}", f"QK{i:02d}"]


TABLE_INDICATOR = "municipal_election_2021_turnout_pct"


def table_setup(w: Scene) -> None:
    w.indicator = Indicator.objects.get_or_create(
        code=TABLE_INDICATOR,
        defaults={
            "name_fi": "Äänestysaktiivisuus",
            "perspective": Perspective.LEADERSHIP,
            "unit": "%",
            "source_fi": "Test",
            "licence_fi": "CC BY 4.0",
        },
    )[0]


def overview_setup(w: Scene) -> None:
    table_setup(w)
    Indicator.objects.filter(pk=w.indicator.pk).update(headline=1)


def headline_row(w: Scene, i: int) -> list[str]:
    """A headline indicator (a column of the network overview) with a value of A."""
    indicator = Indicator.objects.create(
        code=f"h{i:02d}",
        name_fi=f"QH{i:02d}",
        perspective=list(Perspective)[i % len(Perspective)],
        unit="%",
        source_fi="Test",
        licence_fi="CC BY 4.0",
        headline=1,
    )
    IndicatorValue.objects.create(
        municipality=w.municipality_a, indicator=indicator, year=2021, value=i, source="Test"
    )
    return [f"QH{i:02d}"]


def table_row(w: Scene, i: int) -> list[str]:
    membership = member(w, i)
    IndicatorValue.objects.create(
        municipality=membership.municipality,
        indicator=w.indicator,
        year=2021,
        value=50 + i,
        source="Test",
    )
    return [f"QK{i:02d}"]


def offer_setup(w: Scene) -> None:
    w.offer_a = OfferFactory(municipality=w.municipality_a)


def offer_theme_row(w: Scene, i: int) -> list[str]:
    SeasonThemeFactory(season=next_season(), name_fi=f"QT{i:02d}")
    return [f"QT{i:02d}"]


def offer_row(w: Scene, i: int) -> list[str]:
    """An offer of the next season to the i-th extra member."""
    OfferFactory(municipality=member(w, i).municipality)
    return [f"QK{i:02d}"]


def _feedback_setup(w: Scene) -> None:
    """A survey of a held event with one invitation (whose link is the answer page)."""
    from feedback.services import token_for

    from .feedback.factories import bare_invitation, bare_survey

    w.survey = bare_survey(event=PastEventFactory(season=w.season), title="QF")
    w.token = token_for(bare_invitation(w.survey, w.contact_person_a))


def feedback_survey_row(w: Scene, i: int) -> list[str]:
    from feedback.models import Response

    from .feedback.factories import bare_invitation, bare_survey

    survey = bare_survey(event=PastEventFactory(season=w.season), title=f"QF{i:02d}")
    bare_invitation(survey, ContactPersonFactory(municipality=w.municipality_a))
    Response.objects.create(survey=survey, worth=1 + i % 5)
    return [f"QF{i:02d}"]


def feedback_response_row(w: Scene, i: int) -> list[str]:
    from feedback.models import Response

    from .feedback.factories import bare_invitation

    bare_invitation(w.survey, ContactPersonFactory(municipality=w.municipality_b))
    question = w.survey.template.questions.filter(kind="comment").first()
    Response.objects.create(
        survey=w.survey, worth=1 + i % 5, comments={str(question.pk): f"QR{i:02d}"}
    )
    return [f"QR{i:02d}"]


def feedback_question_row(w: Scene, i: int) -> list[str]:
    kind = ("worth", "statement", "comment")[1 + i % 2]
    w.survey.template.questions.create(position=100 + i, kind=kind, text_fi=f"QQ{i:02d}")
    return [f"QQ{i:02d}"]


@dataclass(frozen=True)
class Page:
    name: str
    persona: str
    row: Callable[[Scene, int], list[str]]
    kwargs: Callable[[Scene], dict] | None = None
    setup: Callable[[Scene], None] | None = None

    @property
    def id(self) -> str:
        return f"{self.name}-{self.persona}"


SEASON = lambda w: {"slug": w.season.slug}  # noqa: E731

PAGES = [
    Page("municipalities:dashboard", "contact_a", dashboard_row),
    Page("municipalities:contact_list", "contact_a", contact_row),
    Page("events:event_list", "contact_a", event_row),
    Page("events:event_list", "staff", event_row),
    Page("events:event_detail", "contact_a", own_registration_row, lambda w: {"pk": w.event.pk}),
    Page(
        "events:event_detail",
        "staff",
        network_registration_row,
        lambda w: {"pk": w.other_season_event.pk},
    ),
    Page("events:announcement_list", "contact_a", announcement_row),
    Page(
        "events:announcement_detail",
        "contact_a",
        attachment_row,
        lambda w: {"pk": w.other_announcement.pk},
    ),
    Page("events:calendar_feed_ics", "anonymous", feed_row, lambda w: {"token": w.feed_a.token}),
    Page("events:participants_csv", "staff", participant_row, lambda w: {"pk": w.event.pk}),
    Page("events:participants_xlsx", "staff", participant_row, lambda w: {"pk": w.event.pk}),
    Page("events:attendance_report", "staff", attendance_row, SEASON),
    Page(
        "municipalities:offer_detail",
        "contact_a",
        offer_theme_row,
        lambda w: {"pk": w.offer_a.pk},
        offer_setup,
    ),
    Page("municipalities:renewal_pipeline", "staff", offer_row, lambda w: {"slug": "2023-2024"}),
    Page("municipalities:renewal_xlsx", "staff", offer_row, lambda w: {"slug": "2023-2024"}),
    Page("workshops:workshop_list", "contact_a", own_workshop_row),
    Page("workshops:workshop_list", "consultant", network_workshop_row),
    Page("workshops:workshop_list", "staff", network_workshop_row),
    Page("workshops:workshop_propose", "contact_a", topic_row),
    Page(
        "workshops:workshop_detail",
        "consultant",
        workshop_detail_row,
        lambda w: {"pk": w.workshop_a.pk},
    ),
    Page("workshops:workshop_edit", "consultant", topic_row, lambda w: {"pk": w.workshop_a.pk}),
    Page("workshops:consultant_home", "consultant", membership_row),
    Page("workshops:season_overview", "staff", membership_row, SEASON),
    Page("workshops:season_overview_xlsx", "staff", membership_row, SEASON),
    Page("usage:matrix", "staff", usage_member_row, SEASON),
    Page("usage:matrix", "consultant", usage_member_row, SEASON),
    Page("usage:matrix_xlsx", "staff", usage_member_row, SEASON),
    Page("billing:invoice_list", "contact_a", own_invoice_row),
    Page("billing:invoice_list", "finance", network_invoice_row),
    Page(
        "billing:export_zip",
        "finance",
        network_invoice_row,
        lambda w: {"slug": w.season.slug, "year": 2021},
    ),
    Page("analysis:analysis_home", "staff", analysis_member_row),
    Page(
        "analysis:analysis_detail",
        "contact_a",
        indicator_row,
        lambda w: {"code": w.municipality_a.code},
        analysis_setup,
    ),
    Page(
        "analysis:analysis_pdf",
        "contact_a",
        indicator_row,
        lambda w: {"code": w.municipality_a.code},
        analysis_setup,
    ),
    Page("analysis:network_table", "staff", table_row, setup=table_setup),
    Page("analysis:network_table_xlsx", "staff", table_row, setup=table_setup),
    Page("analysis:network_overview", "staff", table_row, setup=overview_setup),
    Page("analysis:network_overview", "consultant", headline_row),
    Page("analysis:network_overview_xlsx", "staff", table_row, setup=overview_setup),
    Page("analysis:network_overview_xlsx", "consultant", headline_row),
    Page("feedback:season_results", "staff", feedback_survey_row, SEASON),
    Page(
        "feedback:survey_results",
        "staff",
        feedback_response_row,
        lambda w: {"pk": w.survey.pk},
        _feedback_setup,
    ),
    Page(
        "feedback:answer",
        "anonymous",
        feedback_question_row,
        lambda w: {"token": w.token},
        _feedback_setup,
    ),
]

ONE_OBJECT = "shows one object and no rows"
PORTAL_NOT_APPLICABLE = {
    "healthz": "no data",
    "login": "a form; no data",
    "otp_verify": "a form of the user's own device; no rows",
    "otp_setup": "a form of the user's own device; no rows",
    "password_change": "a form; no data",
    "password_change_done": "no data",
    "password_reset": "a form; no data",
    "password_reset_done": "no data",
    "password_reset_confirm": "a form; no data",
    "password_reset_complete": "no data",
    "municipalities:contact_create": "a blank form with no choices from the database",
    "municipalities:contact_update": f"a form that {ONE_OBJECT}",
    "municipalities:offer_letter": f"a PDF letter that {ONE_OBJECT} (themes as offer_detail)",
    "municipalities:invoicing_details": f"a form that {ONE_OBJECT} (the last 5 confirmations)",
    "events:event_ics": f"a calendar that {ONE_OBJECT}",
    "events:material_download": "one stored file",
    "events:attachment_download": "one stored file",
    "events:calendar_feed": f"{ONE_OBJECT} (the municipality's feed address)",
    "workshops:workshop_ics": f"a calendar that {ONE_OBJECT}",
    "workshops:deliverable_download": "one stored file",
    "billing:invoice_pdf": "one stored file",
    "billing:invoice_finvoice": "one stored file",
    "billing:batch_progress": f"{ONE_OBJECT} (the batch's counters)",
    "analysis:report_batch_progress": f"{ONE_OBJECT} (the batch's counters)",
    "analysis:report_download": "one stored file",
    "season_reports:progress": f"{ONE_OBJECT} (the batch's counters)",
    "season_reports:download": "one stored file",
}


def _is_page(name: str) -> bool:
    """A URL someone GETs with a 200 (a URL new to the permission matrix counts as one)."""
    if name not in MATRIX:
        return True
    _kwargs, method, expected, *_data = MATRIX[name]
    return method == "get" and 200 in expected.values()


def _page_names() -> set[str]:
    return {name for name in project_url_names() if _is_page(name)}


def test_every_portal_page_is_counted():
    counted = {page.name for page in PAGES}
    names = _page_names()
    missing = sorted(names - counted - set(PORTAL_NOT_APPLICABLE))
    stale = sorted((counted | set(PORTAL_NOT_APPLICABLE)) - names)
    assert not missing, f"portal pages without a row builder or a reason: {missing}"
    assert not stale, f"rows for URLs that do not exist (or are not GET): {stale}"


def _assert_constant(client, url: str, make: Callable[[int], object], shown) -> None:
    made = [make(0)]
    client.get(url)  # warms what is cached per process (content types, translations, …)
    _response, _body, one = get_counted(client, url)
    made += [make(i) for i in range(1, ROWS)]
    response, body, many = get_counted(client, url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    shown(response, body, made)
    assert len(one) == len(many), difference(one, many, ROWS)


@pytest.mark.parametrize("page", PAGES, ids=[page.id for page in PAGES])
def test_portal_page_queries_do_not_grow_with_rows(network, programme, page):
    w = Scene(network, programme)
    if page.setup:
        page.setup(w)
    url = reverse(page.name, kwargs=page.kwargs(w) if page.kwargs else None)
    client = client_for(network, page.persona)

    def shown(response, body, made) -> None:
        text = shown_text(response, body)
        markers = [marker for markers in made for marker in markers]
        hidden = [marker for marker in markers if marker not in text]
        assert not hidden, f"GET {url} does not show the rows {hidden}"

    _assert_constant(client, url, lambda i: page.row(w, i), shown)


# --- Admin change lists -------------------------------------------------------------------------


def _axes_fields(i: int) -> dict:
    return {
        "user_agent": "pytest",
        "ip_address": "127.0.0.1",
        "username": f"qx{i:02d}@example.fi",
        "http_accept": "*/*",
        "path_info": "/",
    }


def _season(i: int):
    return SeasonFactory(
        slug=f"q-{i:02d}",
        name_fi=f"QS{i:02d}",
        start_date=datetime.date(1950 + i, 1, 1),
        end_date=datetime.date(1951 + i, 12, 31),
    )


def _schedule(i: int) -> FeeSchedule:
    schedule = FeeSchedule.objects.create(season=_season(i))
    FeeTier.objects.create(schedule=schedule, min_population=0, annual_fee=Decimal("8000.00"))
    return schedule


def _workshop(w: Scene, i: int):
    return WorkshopFactory(membership=member(w, i), topic=topic(w, i), proposed_by=w.contact_a)


def _season_with_member(w: Scene, i: int):
    season = _season(i)
    MembershipFactory(municipality=w.municipality_a, season=season)
    return season


def _draft_line(w: Scene, i: int):
    invoice = Invoice.objects.create(
        kind="annual_fee", membership=member(w, i), year=2021, series=series()
    )
    return invoice.lines.create(
        position=1,
        description=f"QL{i:02d}",
        unit_price=Decimal("100.00"),
        net=Decimal("100.00"),
        vat_rate=Decimal("25.50"),
        supply_date=datetime.date(2021, 1, 1),
    )


def _task_result(i: int):
    from django_tasks_db.models import DBTaskResult, get_date_max

    return DBTaskResult.objects.create(
        args_kwargs={"args": [i], "kwargs": {}},
        task_path="billing.tasks.issue_batch",
        backend_name="default",
        run_after=get_date_max(),  # no run_after: the immediate backend of the tests refuses one
        exception_class_path="",
        traceback="",
    )


def _event(w: Scene, i: int):
    event = EventFactory(
        season=w.season,
        series=EventSeries.objects.create(season=w.season, title_fi=f"QS{i:02d}"),
    )
    RegistrationFactory(event=event, contact_person=w.contact_person_a)
    return event


def _axes(model_name: str):
    def make(w: Scene, i: int):
        from axes import models

        fields = _axes_fields(i)
        if model_name == "AccessAttempt":
            fields.update(get_data="", post_data="", failures_since_start=1)
        return getattr(models, model_name).objects.create(**fields)

    return make


def _device(model_path: str):
    def make(w: Scene, i: int):
        from django.apps import apps

        return apps.get_model(model_path).objects.create(user=UserFactory(), name=f"QD{i:02d}")

    return make


def _indicator(i: int) -> Indicator:
    """Sorted before the 76 indicators of the migrations (first page of the change list)."""
    return Indicator.objects.create(
        code=f"a-q{i:02d}", name_fi=f"QI{i:02d}", perspective=Perspective.FINANCES, unit="pct",
        source_fi="Testi", licence_fi="CC BY 4.0", position=0,
    )  # fmt: skip


def _source(i: int) -> Source:
    return Source.objects.create(code=f"q{i:02d}", name_fi=f"QS{i:02d}", licence_fi="–", priority=i)


def _indicator_value(w: Scene, i: int) -> IndicatorValue:
    """Values of the i-th member by two sources, one used and one not; either is a row."""
    owner, indicator = member(w, i).municipality, Indicator.objects.get(code="population")
    values = [
        IndicatorValue.objects.create(
            municipality=owner, indicator=indicator, year=2021, value=1000 + i,
            data_source=Source.objects.get(code=code), is_preferred=used,
        )
        for code, used in (("statistics-finland", True), ("municipality-own", False))
    ]  # fmt: skip
    return values[i % 2]


def _feedback_template(i: int):
    from feedback.services import template_ensure

    return template_ensure(season=_season(i))


def _feedback_survey(w: Scene, i: int):
    from .feedback.factories import bare_survey

    return bare_survey(event=PastEventFactory(season=w.season), title=f"QF{i:02d}")


def _feedback_invitation(w: Scene, i: int):
    from .feedback.factories import bare_invitation

    return bare_invitation(
        _feedback_survey(w, i), ContactPersonFactory(municipality=member(w, i).municipality)
    )


# label -> make the i-th row of the change list (returns the row's object)
ADMIN_ROWS: dict[str, Callable[[Scene, int], object]] = {
    "analysis.Indicator": lambda w, i: _indicator(i),
    "analysis.IndicatorValue": _indicator_value,
    "analysis.Neighbour": lambda w, i: Neighbour.objects.create(
        municipality=municipality(i), neighbour=w.municipality_a, confirmed=i % 2 == 0
    ),
    "analysis.Source": lambda w, i: _source(i),
    "auth.Group": lambda w, i: Group.objects.create(name=f"QG{i:02d}"),
    "axes.AccessAttempt": _axes("AccessAttempt"),
    "axes.AccessFailureLog": _axes("AccessFailureLog"),
    "axes.AccessLog": _axes("AccessLog"),
    "billing.BillingBatch": lambda w, i: BillingBatch.objects.create(
        season=_season(i), year=2021, created_by=w.staff
    ),
    "analysis.ReportBatch": lambda w, i: ReportBatch.objects.create(
        season=_season(i), created_by=w.staff
    ),
    "analysis.Report": lambda w, i: Report.objects.create(
        municipality=member(w, i).municipality, season=w.season, language="fi"
    ),
    "usage.SeasonReportBatch": lambda w, i: SeasonReportBatch.objects.create(
        season=_season(i), created_by=w.staff, membership=member(w, i) if i % 2 else None
    ),
    "usage.SeasonReport": lambda w, i: SeasonReport.objects.create(
        membership=member(w, i), language="sv" if i % 2 else "fi"
    ),
    "billing.FeeSchedule": lambda w, i: _schedule(i),
    "billing.FeeTier": lambda w, i: _schedule(i).tiers.get(),
    "billing.Invoice": lambda w, i: stored_invoice(member(w, i), number=f"9{i:06d}"),
    "billing.InvoiceLine": _draft_line,
    "billing.InvoiceSeries": lambda w, i: InvoiceSeries.objects.create(
        code=f"q{i:02d}", prefix=f"{10 + i}"
    ),
    "billing.TravelCost": lambda w, i: TravelCostFactory(
        membership=member(w, i), recorded_by=UserFactory()
    ),
    "billing.VatRate": lambda w, i: VatRate.objects.create(
        valid_from=datetime.date(1950 + i, 1, 1), rate=Decimal("24.00")
    ),
    "django_tasks_database.DBTaskResult": lambda w, i: _task_result(i),
    "feedback.SurveyTemplate": lambda w, i: _feedback_template(i),
    "feedback.Survey": lambda w, i: _feedback_survey(w, i),
    "feedback.Invitation": lambda w, i: _feedback_invitation(w, i),
    "events.Announcement": lambda w, i: AnnouncementFactory(season=_season_with_member(w, i)),
    "events.AnnouncementAttachment": lambda w, i: AnnouncementAttachmentFactory(
        announcement=AnnouncementFactory(season=_season_with_member(w, i))
    ),
    "events.CalendarFeed": lambda w, i: CalendarFeed.objects.create(
        municipality=municipality(i), created_by=UserFactory()
    ),
    "events.Event": _event,
    "events.EventMaterial": lambda w, i: EventMaterialFactory(
        event=PastEventFactory(season=_season_with_member(w, i))
    ),
    "events.EventSeries": lambda w, i: EventSeries.objects.create(
        season=_season(i), title_fi=f"QS{i:02d}"
    ),
    "events.Registration": lambda w, i: RegistrationFactory(
        event=EventFactory(season=w.season),
        contact_person=ContactPersonFactory(municipality=member(w, i).municipality),
    ),
    "municipalities.ContactPerson": lambda w, i: ContactPersonFactory(
        municipality=municipality(i), user=ContactUserFactory(municipality=municipality(i))
    ),
    "municipalities.Membership": member,
    "municipalities.Offer": lambda w, i: OfferFactory(municipality=municipality(i)),
    "municipalities.OfferFee": lambda w, i: OfferFactory(municipality=municipality(i)).fees.first(),
    "municipalities.InvoicingDetailsConfirmation": lambda w, i: (
        InvoicingDetailsConfirmation.objects.create(
            municipality=municipality(i),
            season=w.season,
            confirmed_by=UserFactory(),
            confirmed_at=timezone.now(),
            changes={"business_id": ["", "0158221-7"]} if i % 2 else {},
        )
    ),
    "municipalities.Municipality": lambda w, i: municipality(i),
    "municipalities.PopulationFigure": lambda w, i: PopulationFigureFactory(
        municipality=municipality(i)
    ),
    "municipalities.Season": _season_with_member,
    "municipalities.SeasonTheme": lambda w, i: SeasonThemeFactory(season=_season(i)),
    "municipalities.User": lambda w, i: ContactUserFactory(municipality=municipality(i)),
    "otp_static.StaticDevice": _device("otp_static.StaticDevice"),
    "outbox.Message": lambda w, i: message_queue(
        to=f"q{i:02d}@example.fi",
        subject=f"QM{i:02d}",
        text="…",
        kind="events.confirmed",
        about=RegistrationFactory(event=w.event, contact_person=ContactPersonFactory()),
    ),
    "otp_totp.TOTPDevice": _device("otp_totp.TOTPDevice"),
    "workshops.Comment": lambda w, i: CommentFactory(
        workshop=_workshop(w, i), author=UserFactory()
    ),
    "workshops.Deliverable": lambda w, i: DeliverableFactory(
        workshop=_workshop(w, i), uploaded_by=UserFactory()
    ),
    "workshops.QuotaGrant": lambda w, i: QuotaGrantFactory(
        membership=member(w, i), granted_by=UserFactory()
    ),
    "workshops.Workshop": _workshop,
    "workshops.WorkshopTopic": lambda w, i: WorkshopTopicFactory(season=_season(i)),
    "workshops.WorkshopTransition": lambda w, i: WorkshopTransition.objects.create(
        workshop=_workshop(w, i), from_status="proposed", to_status="planned", by=UserFactory()
    ),
}

ADMIN_NOT_APPLICABLE = {
    "billing.SellerSettings": "a singleton: the change list never has more than one row",
}

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
COUNTED_MODELS = [model for model in MODELS if model._meta.label not in ADMIN_NOT_APPLICABLE]


def test_every_admin_changelist_is_counted():
    labels = {model._meta.label for model in MODELS}
    missing = sorted(labels - set(ADMIN_ROWS) - set(ADMIN_NOT_APPLICABLE))
    stale = sorted((set(ADMIN_ROWS) | set(ADMIN_NOT_APPLICABLE)) - labels)
    assert not missing, f"registered admins without a row builder or a reason: {missing}"
    assert not stale, f"rows for models that are not registered: {stale}"


@pytest.mark.parametrize("model", COUNTED_MODELS, ids=lambda model: model._meta.label)
def test_admin_changelist_queries_do_not_grow_with_rows(network, programme, model):
    w = Scene(network, programme)
    make_row = ADMIN_ROWS[model._meta.label]
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    client = login(Client(), UserFactory(is_staff=True, is_superuser=True))

    def shown(response, _body, made) -> None:
        changelist = response.context["cl"]
        listed = {row.pk for row in changelist.result_list}
        hidden = [obj.pk for obj in made if obj.pk not in listed]
        assert not hidden, f"GET {url} does not list the rows {hidden}"

    _assert_constant(client, url, lambda i: make_row(w, i), shown)


# --- Admin history views ------------------------------------------------------------------------

HISTORY_MODELS = [
    model for model in COUNTED_MODELS if isinstance(admin.site._registry[model], SimpleHistoryAdmin)
]


def add_history_row(obj, i: int):
    """One more history record of `obj`, by another user (a copy of its first record)."""
    record = obj.history.order_by("history_id").first()
    record.history_id = None
    record.history_user = UserFactory(last_name=f"QH{i:02d}")
    record.history_change_reason = f"QH{i:02d}"
    record.save()
    return record


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda model: model._meta.label)
def test_admin_history_queries_do_not_grow_with_rows(network, programme, model):
    w = Scene(network, programme)
    obj = ADMIN_ROWS[model._meta.label](w, 0)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    client = login(Client(), UserFactory(is_staff=True, is_superuser=True))

    def shown(response, _body, made) -> None:
        listed = {record.pk for record in response.context["page_obj"].object_list}
        hidden = [record.pk for record in made if record.pk not in listed]
        assert not hidden, f"GET {url} does not list the history records {hidden}"

    _assert_constant(client, url, lambda i: add_history_row(obj, i), shown)


# --- The guard itself ---------------------------------------------------------------------------


def test_the_guard_blocks_a_relation_loaded_row_by_row(network):
    first, *others = Membership.objects.order_by("pk")
    assert others
    with pytest.raises(FieldFetchBlocked):
        first.municipality  # noqa: B018
    lone = Membership.objects.get(pk=network.membership_a.pk)
    assert lone.municipality == network.municipality_a  # one object may still load its own
