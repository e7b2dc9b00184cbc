"""Which persona sees which municipality's objects: one table (VISIBLE), asserted on the models'
rule (`visible_to`), on every portal list and detail page of a scoped model, on every admin change
list, change page and history page, and on the admin's foreign-key choices and autocompletes.

The world: municipalities A (Ylöjärvi) and B (Orivesi), whose responsible consultant is
`consultant`, and C (Valkeakoski), whose responsible consultant is `consultant_c`, each with one
row of every scoped model (`tests.conftest.one_of_each`). R are rows of C that `consultant`
recorded, uploaded or wrote (a registration, a travel cost, a workshop step, a file, a comment, a
grant); D is a draft invoice of C, with its line. A model that reaches a municipality without a
rule, a row in VISIBLE or a scoped admin fails `test_every_scoped_model_has_a_rule_and_a_row`.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook
from simple_history.models import HistoricalChanges

from billing.models import Invoice, TravelCost
from municipalities.models import Municipality, User
from municipalities.scoping import RULES, MunicipalityScopedQuerySet, is_scoped
from tests.auth import login
from uso_portal.history import HistoryAdmin
from uso_portal.scoped_admin import ScopedAdminMixin

from .billing.factories import series
from .conftest import one_of_each
from .events.factories import RegistrationFactory
from .municipalities.factories import ContactPersonFactory, UserFactory
from .workshops.factories import CommentFactory, DeliverableFactory, QuotaGrantFactory

PERSONAS = (
    "anonymous",
    "contact_a",
    "contact_b",
    "contact_c",
    "consultant",
    "consultant_c",
    "staff",
    "finance",
    "superuser",
)
STAFF = ("consultant", "consultant_c", "staff", "finance", "superuser")

OWN = {"contact_a": "A", "contact_b": "B", "contact_c": "C"}
OWN_R = {**OWN, "contact_c": "CR"}
RESPONSIBLE = {"consultant": "AB", "consultant_c": "C"}
RESPONSIBLE_R = {"consultant": "ABR", "consultant_c": "CR"}
PUBLIC = dict.fromkeys(("consultant", "consultant_c", "staff", "finance"), "ABC")  # master data

# label → persona → the letters of the world's rows the persona sees (absent: none). The
# superuser sees every row. Consultants without a model's view permission see none of its rows.
VISIBLE: dict[str, dict[str, str]] = {
    "municipalities.Municipality": {**OWN, **PUBLIC},
    "municipalities.PopulationFigure": {**OWN, **PUBLIC},
    "municipalities.Membership": {**OWN, **RESPONSIBLE, "staff": "ABC", "finance": "ABC"},
    "municipalities.ContactPerson": {**OWN, **RESPONSIBLE, "staff": "ABC", "finance": "ABC"},
    "municipalities.Offer": {**OWN, **RESPONSIBLE, "staff": "ABC", "finance": "ABC"},
    "municipalities.OfferFee": {**OWN, **RESPONSIBLE, "staff": "ABC", "finance": "ABC"},
    # consultants: no permission
    "municipalities.InvoicingDetailsConfirmation": {**OWN, "staff": "ABC", "finance": "ABC"},
    "events.Registration": {**OWN_R, **RESPONSIBLE_R, "staff": "ABCR", "finance": "ABCR"},
    "events.CalendarFeed": {**OWN, "staff": "ABC"},  # consultants and finance: no permission
    "workshops.Workshop": {**OWN, **RESPONSIBLE, "staff": "ABC"},  # finance: no permission
    "workshops.WorkshopTransition": {**OWN_R, **RESPONSIBLE_R, "staff": "ABCR"},
    "workshops.Deliverable": {**OWN_R, **RESPONSIBLE_R, "staff": "ABCR"},
    "workshops.Comment": {**OWN_R, **RESPONSIBLE_R, "staff": "ABCR"},
    "workshops.QuotaGrant": {**OWN_R, "staff": "ABCR"},  # consultants: no permission
    "billing.TravelCost": {**OWN_R, **RESPONSIBLE_R, "staff": "ABCR", "finance": "ABCR"},
    "billing.Invoice": {**OWN, "staff": "ABCD", "finance": "ABCD"},  # contacts: no drafts
    "billing.InvoiceLine": {**OWN, "staff": "ABCD", "finance": "ABCD"},
    "analysis.IndicatorValue": {**OWN, **RESPONSIBLE, "staff": "ABC"},  # the analyses
    "analysis.Report": {**OWN, **RESPONSIBLE, "staff": "ABC"},  # finance: no permission
    "usage.SeasonReport": {**OWN, **RESPONSIBLE, "staff": "ABC"},  # finance: no permission
    # workshops' surveys and their answers; invitations: consultants and finance no permission
    "feedback.Survey": {**OWN, **RESPONSIBLE, "staff": "ABC"},
    "feedback.Invitation": {**OWN, "staff": "ABC"},
    "feedback.Response": {**OWN, **RESPONSIBLE, "staff": "ABC"},
}

# Models that reach a municipality through their foreign keys but are not scoped, and why.
NOT_SCOPED = {
    "municipalities.User": "logins: network staff manage users by permission; contacts see none",
    "analysis.Neighbour": "public geography (which municipalities border which), like Municipality",
    "usage.SeasonReportBatch": "network staff's batch of a season (by permission); its reports "
    "are scoped",
}


def expected(label: str, persona: str, world: World) -> set[str]:
    if persona == "superuser":
        return set(world.rows[label])
    return set(VISIBLE[label].get(persona, ""))


@dataclass
class World:
    users: dict[str, User]
    rows: dict[str, dict[str, object]]  # label → letter → row
    event: object

    def letters(self, label: str, objects) -> set[str]:
        """The letters of the world's rows among `objects` (other fixtures' rows ignored)."""
        pks = {obj.pk for obj in objects}
        return {letter for letter, row in self.rows[label].items() if row.pk in pks}

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            login(client, self.users[persona])
        return client


@pytest.fixture
def world(network, programme, municipality_c) -> World:
    recorder = UserFactory(email="recorder@example.fi")  # records A's and B's rows: no persona
    event = programme.event
    by_letter = {
        "A": one_of_each(
            network.membership_a,
            ContactPersonFactory(municipality=network.municipality_a, name="Aila Aaltonen"),
            by=recorder,
            event=event,
            number="1000980",
            existing={
                "billing.Invoice": programme.invoice_a,
                "events.CalendarFeed": programme.feed_a,
            },
        ),
        "B": one_of_each(
            network.membership_b,
            ContactPersonFactory(municipality=network.municipality_b, name="Bertta Bäckman"),
            by=recorder,
            event=event,
            number="1000562",
        ),
        "C": municipality_c.rows,
    }
    c = municipality_c.rows
    consultant = network.consultant
    draft = Invoice.objects.create(
        kind="travel_costs", membership=municipality_c.membership, year=2021, series=series()
    )
    by_letter["R"] = {
        "events.Registration": RegistrationFactory(
            event=event,
            contact_person=ContactPersonFactory(
                municipality=municipality_c.municipality, name="Rolf Ruotsalainen"
            ),
            registered_by=consultant,
        ),
        "workshops.WorkshopTransition": c["workshops.Workshop"].transitions.create(
            from_status="planned", to_status="scheduled", by=consultant
        ),
        "workshops.Deliverable": DeliverableFactory(
            workshop=c["workshops.Workshop"], uploaded_by=consultant, title="Rolfin muistio"
        ),
        "workshops.Comment": CommentFactory(
            workshop=c["workshops.Workshop"], author=consultant, body="Rolfin kommentti"
        ),
        "workshops.QuotaGrant": QuotaGrantFactory(
            membership=municipality_c.membership, granted_by=consultant
        ),
        "billing.TravelCost": TravelCost.objects.create(
            membership=municipality_c.membership,
            date=datetime.date(2021, 5, 4),
            traveller="Rolf Ruotsalainen",
            description="Rolfin junaliput",
            net_amount="46.30",
            recorded_by=consultant,
        ),
    }
    by_letter["D"] = {
        "billing.Invoice": draft,
        "billing.InvoiceLine": draft.lines.create(
            position=1,
            description="Matkakulut Valkeakoski",
            unit_price="46.30",
            net="46.30",
            vat_rate="25.50",
            supply_date=datetime.date(2021, 5, 4),
        ),
    }
    rows: dict[str, dict[str, object]] = {label: {} for label in RULES}
    for letter, made in by_letter.items():
        for label, row in made.items():
            rows[label][letter] = row
    users = {
        "contact_a": network.contact_a,
        "contact_b": network.contact_b,
        "contact_c": municipality_c.contact,
        "consultant": consultant,
        "consultant_c": municipality_c.consultant,
        "staff": network.staff,
        "finance": network.finance,
        "superuser": UserFactory(email="root@example.fi", is_staff=True, is_superuser=True),
    }
    return World(users=users, rows=rows, event=event)


def model_of(label: str):
    return apps.get_model(label)


# --- The rule ------------------------------------------------------------------------------------


def test_the_rule_shows_each_persona_its_rows(world):
    """One world for every model (building it is most of the time): every mismatch is listed."""
    wrong = []
    for label in VISIBLE:
        for persona in PERSONAS:
            user = world.users.get(persona) or _anonymous()
            shown = world.letters(label, model_of(label).objects.visible_to(user))
            if shown != expected(label, persona, world):
                wrong.append(f"{label} {persona}: {sorted(shown)}")
    assert not wrong, wrong


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


# --- The admin -----------------------------------------------------------------------------------

ADMIN_LABELS = [label for label in VISIBLE if model_of(label) in admin.site._registry]


def _admin_url(label: str, view: str, *args) -> str:
    opts = model_of(label)._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.mark.parametrize("label", ADMIN_LABELS)
def test_the_admin_lists_and_opens_what_the_rule_shows(world, label):
    model = model_of(label)
    history = isinstance(admin.site._registry[model], HistoryAdmin)
    for persona in STAFF:
        client, user = world.client(persona), world.users[persona]
        seen = expected(label, persona, world)
        response = client.get(_admin_url(label, "changelist"))
        if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            assert response.status_code == 403, persona
            assert not seen, f"{persona} sees {label} rows without the view permission?"
            continue
        assert response.status_code == 200, persona
        listed = response.context["cl"].result_list
        assert world.letters(label, listed) == seen, f"{persona}: change list"
        for letter, row in world.rows[label].items():
            views = ["change", "history"] if history else ["change"]
            for view in views:
                page = client.get(_admin_url(label, view, row.pk))
                if letter in seen:
                    assert page.status_code == 200, f"{persona} {view} {letter}"
                    _assert_inlines_scoped(world, persona, page, f"{persona} {view} {letter}")
                else:  # as Django answers for an object that does not exist
                    assert page.status_code == 302, f"{persona} {view} {letter}"
                    assert page.url == reverse("admin:index"), f"{persona} {view} {letter}"


def _assert_inlines_scoped(world, persona: str, page, where: str) -> None:
    """The inline rows of a change page are the ones the rule shows (C's municipality page
    opens for `consultant`, as master data, without C's memberships or contacts)."""
    for inline in (page.context or {}).get("inline_admin_formsets", []):
        model = inline.formset.model
        if is_scoped(model):
            label = model._meta.label
            shown = world.letters(label, inline.formset.get_queryset())
            assert shown <= expected(label, persona, world), f"{where}: inline {label}"


def test_the_history_of_a_deleted_row_is_only_for_who_sees_every_row(world):
    # given: C's workshop is gone; its history remains
    workshop = world.rows["workshops.Workshop"]["C"]
    url = _admin_url("workshops.Workshop", "history", workshop.pk)
    workshop.deliverables.all().delete()
    workshop.feedback_survey.delete()
    workshop.delete()

    # then
    assert world.client("consultant").get(url).status_code == 302
    assert world.client("consultant_c").get(url).status_code == 302  # cannot be checked: refused
    assert world.client("staff").get(url).status_code == 200


def _request(user) -> object:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _relation_fields(model):
    return [
        field
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and not field.auto_created and field.editable
    ]


def _admins_and_inlines():
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin
        for inline_class in model_admin.inlines:
            yield inline_class.model, inline_class(model, admin.site)


@pytest.mark.parametrize("persona", ["consultant", "consultant_c", "finance"])
def test_foreign_key_choices_are_the_related_models_visible_rows(world, persona):
    """Every admin's and inline's choice of a scoped model (selects and autocompletes)."""
    request = _request(world.users[persona])
    checked = []
    for model, model_admin in _admins_and_inlines():
        for field in _relation_fields(model):
            related = field.related_model._meta.label
            if not is_scoped(field.related_model):
                continue
            formfield = model_admin.formfield_for_dbfield(field, request)
            if formfield is None:
                continue
            choices = formfield.queryset
            seen = expected(related, persona, world)
            assert world.letters(related, choices) <= seen, f"{model.__name__}.{field.name}"
            checked.append(f"{model.__name__}.{field.name}")
    assert "TravelCost.membership" in checked and "Workshop.membership" in checked


def test_a_consultant_cannot_record_a_cost_for_another_municipality(world):
    # given
    client = world.client("consultant")
    c_membership = world.rows["municipalities.Membership"]["C"]
    data = {
        "date": "2021-04-20",
        "traveller": "Aino Asiantuntija",
        "description": "Junaliput",
        "net_amount": "84.60",
    }

    # when
    refused = client.post(
        _admin_url("billing.TravelCost", "add"), {**data, "membership": c_membership.pk}
    )
    accepted = client.post(
        _admin_url("billing.TravelCost", "add"),
        {**data, "membership": world.rows["municipalities.Membership"]["A"].pk},
    )

    # then
    assert refused.status_code == 200
    assert "membership" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    assert not TravelCost.objects.filter(membership=c_membership, traveller=data["traveller"])


def test_the_autocomplete_offers_only_visible_memberships(world):
    url = reverse("admin:autocomplete")
    query = {"app_label": "billing", "model_name": "travelcost", "field_name": "membership"}
    for persona, letters in (("consultant", "AB"), ("consultant_c", "C"), ("staff", "ABC")):
        response = world.client(persona).get(url, {**query, "term": ""})
        assert response.status_code == 200, persona
        ids = {int(result["id"]) for result in response.json()["results"]}
        memberships = model_of("municipalities.Membership").objects.filter(pk__in=ids)
        assert world.letters("municipalities.Membership", memberships) == set(letters), persona


def test_list_filters_over_a_scoped_relation_list_only_visible_rows(world):
    class CostsByMembership(ScopedAdminMixin, admin.ModelAdmin):
        list_filter = ["membership", "status", ("workshop", admin.RelatedFieldListFilter)]

    costs = CostsByMembership(TravelCost, admin.site)
    request = _request(world.users["consultant_c"])
    assert costs.get_list_filter(request) == [
        ("membership", RelatedOnlyFieldListFilter),
        "status",
        ("workshop", RelatedOnlyFieldListFilter),
    ]
    field = TravelCost._meta.get_field("membership")
    choices = RelatedOnlyFieldListFilter(field, request, {}, TravelCost, costs, "membership")
    memberships = model_of("municipalities.Membership").objects.filter(
        pk__in=[pk for pk, _label in choices.lookup_choices]
    )
    assert world.letters("municipalities.Membership", memberships) == {"C"}


# --- The portal ----------------------------------------------------------------------------------


def _html(response) -> str:
    return response.content.decode()


def _csv(response) -> str:
    return response.content.decode("utf-8-sig")


def _xlsx(response) -> str:
    workbook = load_workbook(io.BytesIO(response.content))
    cells = (cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row)
    return "\n".join(str(cell.value) for cell in cells if cell.value is not None)


def _first_sheet(response) -> str:
    """The rows of a workbook whose other sheets name sources (e.g. "City of Ylöjärvi")."""
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def _register(response) -> str:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = archive.read("register.csv").decode("utf-8-sig")
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        return "\n".join(",".join(row) for row in rows)


def _person(registration) -> str:
    return registration.contact_person.name


@dataclass(frozen=True)
class ListPage:
    """A portal page listing a scoped model's rows; `shows` overrides VISIBLE where the page
    chooses fewer rows than the rule allows; `refused` are the personas the page refuses."""

    name: str
    label: str
    marker: Callable[[object], str]
    kwargs: Callable[[World], dict] | None = None
    shows: dict[str, str] | None = None
    refused: dict[str, int] | None = None
    text: Callable = _html


CONTACTS_ONLY = {persona: 403 for persona in STAFF}
STAFF_ONLY = {"anonymous": 302, "contact_a": 403, "contact_b": 403, "contact_c": 403}
ON_EVENT = lambda w: {"pk": w.event.pk}  # noqa: E731
SEASON = lambda w: {"slug": w.event.season.slug}  # noqa: E731
NAME = lambda row: row.municipality.name_fi  # noqa: E731
ISSUED_ONLY = {"staff": "ABC", "finance": "ABC", "superuser": "ABC"}  # no drafts listed
ANALYSIS_LINK = lambda value: reverse(  # noqa: E731
    "analysis:analysis_detail", args=[value.municipality.code]
)

LIST_PAGES = [
    ListPage(
        "municipalities:contact_list",
        "municipalities.ContactPerson",
        lambda person: person.name,
        refused=CONTACTS_ONLY,
    ),
    ListPage("events:event_detail", "events.Registration", _person, ON_EVENT),
    ListPage(
        "events:participants_csv",
        "events.Registration",
        _person,
        ON_EVENT,
        refused=STAFF_ONLY,
        text=_csv,
    ),
    ListPage(
        "events:participants_xlsx",
        "events.Registration",
        _person,
        ON_EVENT,
        refused=STAFF_ONLY,
        text=_xlsx,
    ),
    ListPage(
        "events:attendance_report",
        "municipalities.Membership",
        NAME,
        SEASON,
        refused=STAFF_ONLY,
        text=_xlsx,
    ),
    ListPage("workshops:workshop_list", "workshops.Workshop", lambda workshop: workshop.title),
    ListPage(
        "municipalities:renewal_pipeline",
        "municipalities.Offer",
        NAME,
        SEASON,
        refused=STAFF_ONLY,
    ),
    ListPage(
        "municipalities:renewal_xlsx",
        "municipalities.Offer",
        NAME,
        SEASON,
        refused=STAFF_ONLY,
        text=_xlsx,
    ),
    ListPage(
        "workshops:consultant_home",
        "municipalities.Membership",
        NAME,
        shows={"consultant": "AB", "consultant_c": "C"},  # "my municipalities" only: not staff's
        refused={"anonymous": 302, **dict.fromkeys(OWN, 403)},
    ),
    ListPage(
        "workshops:season_overview",
        "municipalities.Membership",
        NAME,
        SEASON,
        shows={"staff": "ABC", "superuser": "ABC"},
        refused={**STAFF_ONLY, "consultant": 403, "consultant_c": 403, "finance": 403},
    ),
    ListPage(
        "workshops:season_overview_xlsx",
        "municipalities.Membership",
        NAME,
        SEASON,
        shows={"staff": "ABC", "superuser": "ABC"},
        refused={**STAFF_ONLY, "consultant": 403, "consultant_c": 403, "finance": 403},
        text=_xlsx,
    ),
    ListPage(
        "billing:invoice_list",
        "billing.Invoice",
        lambda invoice: invoice.number or "never shown",
        shows={**OWN, **ISSUED_ONLY},
        refused={"anonymous": 302, "consultant": 403, "consultant_c": 403},
    ),
    ListPage(
        "billing:export_zip",
        "billing.Invoice",
        lambda invoice: invoice.number or "never shown",
        lambda w: {"slug": w.event.season.slug, "year": 2021},
        shows=ISSUED_ONLY,
        refused={**STAFF_ONLY, "consultant": 403, "consultant_c": 403},
        text=_register,
    ),
    ListPage(
        "analysis:analysis_home",
        "analysis.IndicatorValue",
        ANALYSIS_LINK,
        refused={"anonymous": 302, **dict.fromkeys(OWN, 302), "finance": 403},
    ),
    ListPage(
        "analysis:network_table",
        "analysis.IndicatorValue",
        ANALYSIS_LINK,
        refused={"anonymous": 302, **dict.fromkeys(OWN, 403), "finance": 403},
    ),
    ListPage(
        "analysis:network_table_xlsx",
        "analysis.IndicatorValue",
        NAME,
        refused={"anonymous": 302, **dict.fromkeys(OWN, 403), "finance": 403},
        text=_xlsx,
    ),
    ListPage(
        "analysis:network_overview",
        "analysis.IndicatorValue",
        ANALYSIS_LINK,
        refused={"anonymous": 302, **dict.fromkeys(OWN, 403), "finance": 403},
    ),
    ListPage(
        "analysis:network_overview_xlsx",
        "analysis.IndicatorValue",
        NAME,
        refused={"anonymous": 302, **dict.fromkeys(OWN, 403), "finance": 403},
        text=_first_sheet,
    ),
    ListPage(
        "usage:matrix",
        "municipalities.Membership",
        NAME,
        SEASON,
        refused={**STAFF_ONLY, "finance": 403},
    ),
    ListPage(
        "usage:matrix_xlsx",
        "municipalities.Membership",
        NAME,
        SEASON,
        refused={**STAFF_ONLY, "finance": 403},
        text=_xlsx,
    ),
    ListPage(
        "feedback:season_results",
        "feedback.Survey",
        lambda survey: survey.title,
        SEASON,
        refused={**dict.fromkeys(OWN, 403), "finance": 403},
    ),
]


@pytest.mark.parametrize("page", LIST_PAGES, ids=[page.name for page in LIST_PAGES])
def test_each_list_page_shows_each_persona_the_rows_the_rule_shows(world, page):
    url = reverse(page.name, kwargs=page.kwargs(world) if page.kwargs else None)
    rows = world.rows[page.label]
    for persona in PERSONAS:
        response = world.client(persona).get(url)
        refused = {"anonymous": 302, **(page.refused or {})}.get(persona)
        if refused:
            assert response.status_code == refused, persona
            continue
        assert response.status_code == 200, persona
        text = page.text(response)
        shown = {letter for letter, row in rows.items() if page.marker(row) in text}
        if page.shows is not None:
            wanted = set(page.shows.get(persona, ""))
        else:
            wanted = expected(page.label, persona, world)
        assert shown == wanted, persona


@dataclass(frozen=True)
class DetailPage:
    """A portal URL of one scoped object: 200 where the rule shows it, 404 elsewhere. A POST
    (it would change the object) is only sent by the personas who must get the 404."""

    name: str
    label: str
    kwargs: Callable[[object], dict]
    refused: dict[str, int] | None = None
    letters: str = "ABC"
    post: dict | None = None


DETAIL_PAGES = [
    DetailPage("workshops:workshop_detail", "workshops.Workshop", lambda row: {"pk": row.pk}),
    DetailPage("workshops:workshop_ics", "workshops.Workshop", lambda row: {"pk": row.pk}),
    DetailPage(
        "workshops:deliverable_download",
        "workshops.Deliverable",
        lambda row: {"pk": row.pk},
        letters="ABCR",
    ),
    DetailPage("workshops:workshop_edit", "workshops.Workshop", lambda row: {"pk": row.pk}),
    DetailPage(
        "workshops:workshop_transition",
        "workshops.Workshop",
        lambda row: {"pk": row.pk},
        post={"to": "cancelled"},
    ),
    DetailPage(
        "workshops:comment_add",
        "workshops.Workshop",
        lambda row: {"pk": row.pk},
        post={"body": "x"},
    ),
    DetailPage(
        "workshops:deliverable_upload", "workshops.Workshop", lambda row: {"pk": row.pk}, post={}
    ),
    DetailPage(
        "events:registration_cancel",
        "events.Registration",
        lambda row: {"pk": row.pk},
        refused=CONTACTS_ONLY,
        letters="ABCR",
        post={},
    ),
    DetailPage(
        "billing:invoice_finvoice",
        "billing.Invoice",
        lambda row: {"pk": row.pk},
        refused={**dict.fromkeys(OWN, 403), "consultant": 403, "consultant_c": 403},
    ),
    DetailPage(
        "billing:invoice_pdf",
        "billing.Invoice",
        lambda row: {"pk": row.pk},
        refused={"consultant": 403, "consultant_c": 403},
    ),
    DetailPage(
        "analysis:analysis_detail",
        "analysis.IndicatorValue",
        lambda row: {"code": row.municipality.code},
    ),
    DetailPage(
        "analysis:report_download",
        "analysis.Report",
        lambda row: {"code": row.municipality.code, "pk": row.pk},
    ),
    DetailPage("season_reports:download", "usage.SeasonReport", lambda row: {"pk": row.pk}),
    DetailPage("municipalities:offer_detail", "municipalities.Offer", lambda row: {"pk": row.pk}),
    DetailPage("municipalities:offer_letter", "municipalities.Offer", lambda row: {"pk": row.pk}),
    DetailPage(
        "municipalities:offer_detail",
        "municipalities.Offer",
        lambda row: {"pk": row.pk},
        post={"answer": "interested"},
    ),
    DetailPage(
        "feedback:survey_results",
        "feedback.Survey",
        lambda row: {"pk": row.pk},
        refused={**dict.fromkeys(OWN, 403), "finance": 403},
    ),
    DetailPage(
        "municipalities:contact_update",
        "municipalities.ContactPerson",
        lambda row: {"pk": row.pk},
        refused=CONTACTS_ONLY,
    ),
]


@pytest.mark.parametrize("page", DETAIL_PAGES, ids=[page.name for page in DETAIL_PAGES])
def test_each_detail_page_opens_what_the_rule_shows_and_is_404_otherwise(world, page):
    for persona in PERSONAS[1:]:
        client = world.client(persona)
        for letter in page.letters:
            url = reverse(page.name, kwargs=page.kwargs(world.rows[page.label][letter]))
            visible = letter in expected(page.label, persona, world)
            refused = (page.refused or {}).get(persona)
            if page.post is not None:
                if not visible and not refused:
                    assert client.post(url, page.post).status_code == 404, f"{persona} {letter}"
                continue
            status = client.get(url).status_code
            if refused:
                assert status == refused, f"{persona} {letter}"
            else:
                assert status == (200 if visible else 404), f"{persona} {letter}"


# URLs that show no municipality's rows, and why (a new URL must be classified).
NOT_SCOPED_PAGES = {
    **dict.fromkeys(
        (
            "healthz",
            "set_language",
            "login",
            "logout",
            "password_change",
            "password_change_done",
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            "otp_verify",
            "otp_setup",
            "otp_enrol",
            "municipalities:logout_everywhere",
        ),
        "the user's own account",
    ),
    "municipalities:dashboard": "panels of the selectors checked here (workshops, invoices, …)",
    "municipalities:contact_create": "a form for the contact's own municipality",
    "municipalities:invoicing_details": "the contact's own municipality's details (tests/"
    "municipalities/test_renewal_invoicing.py)",
    "events:event_list": "the network's programme (events are not a municipality's)",
    "events:event_ics": "one event of the programme",
    "events:event_register": "registers the contact's own people (checked in tests/events)",
    "events:material_download": "material of the programme",
    "events:announcement_list": "the network's announcements",
    "events:announcement_detail": "the network's announcements",
    "events:attachment_download": "the network's announcements",
    "events:calendar_feed": "the contact's own municipality's feed",
    "events:calendar_feed_ics": "a feed by its secret token",
    "workshops:workshop_propose": "a membership by its rule (tests/workshops)",
    "analysis:analysis_pdf": "the lookup of analysis:analysis_detail (municipality_for)",
    "billing:batch_progress": "a season's billing batch (network-wide)",
    "analysis:report_batch_progress": "a season's batch of analysis reports (network-wide)",
    "season_reports:progress": "a season's batch of season reports (network-wide)",
    "feedback:answer": "one invitation by its signed token, no login (tests/feedback)",
    "feedback:survey_send": "surveys the network's programme; staff only (tests/feedback)",
}


def test_every_portal_url_is_checked_or_says_why_not():
    from .test_permission_matrix import project_url_names

    checked = {page.name for page in (*LIST_PAGES, *DETAIL_PAGES)}
    names = project_url_names()
    missing = sorted(names - checked - set(NOT_SCOPED_PAGES))
    stale = sorted((checked | set(NOT_SCOPED_PAGES)) - names)
    assert not missing, f"portal URLs neither checked here nor in NOT_SCOPED_PAGES: {missing}"
    assert not stale, f"rows for URLs that do not exist: {stale}"


# --- Nothing can be forgotten ---------------------------------------------------------------------

PROJECT_APPS = (
    "municipalities", "events", "workshops", "billing", "analysis", "feedback", "usage",
)  # fmt: skip


def _reaches_municipality(model, depth: int = 4, seen=()) -> bool:
    """Whether a chain of foreign keys leads from `model` to a municipality (not via users)."""
    if model is Municipality:
        return True
    if depth == 0 or (model is User and seen) or model in seen:
        return False
    return any(
        _reaches_municipality(field.related_model, depth - 1, (*seen, model))
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is not None
    )


def _project_models():
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            if not issubclass(model, HistoricalChanges):
                yield model


def test_every_scoped_model_has_a_rule_and_a_row():
    scoped = {
        model._meta.label for model in _project_models() if hasattr(model, "MUNICIPALITY_PATH")
    }
    reaching = {model._meta.label for model in _project_models() if _reaches_municipality(model)}
    assert not reaching - scoped - set(NOT_SCOPED), (
        "models that reach a municipality without MUNICIPALITY_PATH (or a reason in NOT_SCOPED): "
        f"{sorted(reaching - scoped - set(NOT_SCOPED))}"
    )
    assert scoped == set(RULES), "MUNICIPALITY_PATH and scoping.RULES name different models"
    assert scoped == set(VISIBLE), "every scoped model needs a row in VISIBLE"
    for label in scoped:
        assert isinstance(model_of(label).objects.all(), MunicipalityScopedQuerySet), label


def test_the_world_has_rows_of_every_scoped_model(world):
    for label in RULES:
        assert {"A", "B", "C"} <= set(world.rows[label]), label


def test_every_admin_of_a_scoped_model_or_with_scoped_choices_is_scoped():
    for model, model_admin in _admins_and_inlines():
        scoped_choices = any(is_scoped(field.related_model) for field in _relation_fields(model))
        if is_scoped(model) or scoped_choices:
            assert isinstance(model_admin, ScopedAdminMixin), type(model_admin).__name__
