"""Every admin delete of the programme's and the municipalities' scoped models, by the per-object
delete view and by the bulk `delete_selected`, as a superuser (who has every permission) and as
network staff: each either goes through a service that keeps the invariants or is refused, and
the invariants hold afterwards (seats and waitlist order, workshop quota, no orphaned files, the
people told through the outbox). Billing's deletes are tested in tests/billing/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from analysis.models import Indicator, IndicatorValue, Source
from events.models import (
    Announcement,
    AnnouncementAttachment,
    Event,
    EventMaterial,
    Registration,
    RegistrationStatus,
)
from municipalities.models import ContactPerson, Membership
from outbox.models import Message
from tests.auth import login
from tests.plugins.fetch_mode import lazy_fetch_allowed
from usage.models import SeasonReport, SeasonReportBatch
from uso_portal.uploads import private_storage
from workshops.models import Comment, Deliverable, DeliverableKind, QuotaGrant, Workshop
from workshops.selectors import quota_for

from .events.factories import (
    AnnouncementAttachmentFactory,
    AnnouncementFactory,
    EventFactory,
    EventMaterialFactory,
    RegistrationFactory,
)
from .municipalities.factories import (
    ContactPersonFactory,
    ContactUserFactory,
    MembershipFactory,
    MunicipalityFactory,
    UserFactory,
)
from .workshops.factories import (
    CommentFactory,
    DeliverableFactory,
    QuotaGrantFactory,
    WorkshopFactory,
)


@dataclass
class Case:
    """An object to delete, and what must be true after the attempt."""

    name: str
    model: type
    make: Callable  # (network) -> (object, state for check)
    deleted: bool  # True: the delete goes through (via its service); False: refused
    check: Callable  # (network, obj, state) -> None


def _exists(obj) -> bool:
    return type(obj).objects.filter(pk=obj.pk).exists()


def _file_exists(field_file_name: str) -> bool:
    return private_storage.exists(field_file_name)


# --- the cases ----------------------------------------------------------------------------------


def full_event(network):
    """One seat, taken by A's contact; B's contact and a second A person wait in that order."""
    event = EventFactory(season=network.membership_a.season, capacity=1)
    seated = RegistrationFactory(event=event, contact_person=network.contact_person_a)
    first = RegistrationFactory(
        event=event, contact_person=network.contact_person_b, status=RegistrationStatus.WAITLISTED
    )
    second = RegistrationFactory(
        event=event,
        contact_person=ContactPersonFactory(municipality=network.municipality_a),
        status=RegistrationStatus.WAITLISTED,
    )
    return seated, {"event": event, "waiting": [first, second]}


def seats_unchanged(network, seated, state):
    seated.refresh_from_db()
    assert seated.status == RegistrationStatus.CONFIRMED
    statuses = [
        r.status
        for r in Registration.objects.filter(pk__in=[w.pk for w in state["waiting"]]).order_by(
            "registered_at", "pk"
        )
    ]
    assert statuses == [RegistrationStatus.WAITLISTED] * 2
    assert Message.objects.count() == 0


def event_with_registrations(network):
    _seated, state = full_event(network)
    return state["event"], {
        "registrations": Registration.objects.filter(event=state["event"]).count()
    }


def event_still_there(network, event, state):
    assert Registration.objects.filter(event=event).count() == state["registrations"]


def event_without_registrations(network):
    event = EventFactory(season=network.membership_a.season)
    material = EventMaterialFactory(event=event)
    return event, {"file": material.file.name}


def file_goes_with_its_row(network, obj, state):
    """No orphaned file, and no row without its file."""
    assert _file_exists(state["file"]) == _exists(obj)


def material(network):
    material = EventMaterialFactory(event=EventFactory(season=network.membership_a.season))
    return material, {"file": material.file.name}


def announcement(network):
    attachment = AnnouncementAttachmentFactory(
        announcement=AnnouncementFactory(season=network.membership_a.season)
    )
    return attachment.announcement, {"file": attachment.file.name}


def attachment(network):
    attachment = AnnouncementAttachmentFactory(
        announcement=AnnouncementFactory(season=network.membership_a.season)
    )
    return attachment, {"file": attachment.file.name}


def workshop(network):
    workshop = WorkshopFactory(membership=network.membership_a, proposed_by=network.contact_a)
    return workshop, {"remaining": quota_for(network.membership_a).remaining}


def quota_unchanged(network, workshop, state):
    assert (
        quota_for(Membership.objects.get(pk=network.membership_a.pk)).remaining
        == state["remaining"]
    )
    assert Message.objects.count() == 0


def material_deliverable(network):
    deliverable = DeliverableFactory(
        workshop=WorkshopFactory(membership=network.membership_a),
        kind=DeliverableKind.MATERIAL,
        uploaded_by=network.consultant,
    )
    return deliverable, {"file": deliverable.file.name}


def last_report(network):
    workshop = WorkshopFactory(
        membership=network.membership_a,
        status="reported",
        starts_at="2021-03-01T09:00Z",
        ends_at="2021-03-01T12:00Z",
    )
    report = DeliverableFactory(workshop=workshop, uploaded_by=network.consultant)
    return report, {"file": report.file.name}


def report_kept(network, report, state):
    assert _file_exists(state["file"])
    assert Deliverable.objects.filter(workshop=report.workshop_id, kind="report").exists()


def comment(network):
    return CommentFactory(workshop=WorkshopFactory(membership=network.membership_a)), {}


def grant(network):
    grant = QuotaGrantFactory(membership=network.membership_a, granted_by=network.staff)
    return grant, {"total": quota_for(network.membership_a).total}


def grant_kept(network, grant, state):
    assert quota_for(Membership.objects.get(pk=network.membership_a.pk)).total == state["total"]


def membership_with_registrations(network):
    RegistrationFactory(
        event=EventFactory(season=network.membership_b.season),
        contact_person=network.contact_person_b,
    )
    return network.membership_b, {}


def membership_without_anything(network):
    return MembershipFactory(municipality=MunicipalityFactory(code="701")), {}


def contact_with_login(network):
    user = ContactUserFactory(municipality=network.municipality_a, email="login@example.fi")
    return ContactPersonFactory(municipality=network.municipality_a, user=user), {"user": user}


def login_kept(network, contact, state):
    state["user"].refresh_from_db()
    assert state["user"].is_active


def contact_with_registrations(network):
    contact = ContactPersonFactory(municipality=network.municipality_a)
    RegistrationFactory(
        event=EventFactory(season=network.membership_a.season), contact_person=contact
    )
    return contact, {}


def plain_contact(network):
    return ContactPersonFactory(municipality=network.municipality_a), {}


def nothing(network, obj, state):
    return None


def _values(network):
    """A's population 2021 from Statistics Finland (used) and from the city (not used)."""
    indicator = Indicator.objects.get(code="population")
    return [
        IndicatorValue.objects.create(
            municipality=network.municipality_a, indicator=indicator, year=2021, value=value,
            data_source=Source.objects.get(code=code), is_preferred=used,
        )
        for code, value, used in (("statistics-finland", 33533, True),
                                  ("municipality-own", 33529, False))
    ]  # fmt: skip


def used_value(network):
    official, city = _values(network)
    return official, {"city": city}


def the_other_value_is_used(network, obj, state):
    """Whichever way it went, one value of the key is used: the official one while it exists."""
    state["city"].refresh_from_db()
    assert state["city"].is_preferred == (not _exists(obj))
    assert IndicatorValue.objects.filter(is_preferred=True).count() == 1


def source_with_values(network):
    source = Source.objects.create(code="q-paper", name_fi="Lehti", licence_fi="–", priority=5)
    value = _values(network)[1]
    value.data_source = source
    value.save()
    return source, {"value": value}


def values_kept(network, source, state):
    assert IndicatorValue.objects.filter(pk=state["value"].pk, data_source=source).exists()


def source_without_values(network):
    return Source.objects.create(code="q-unused", name_fi="Käyttämätön", licence_fi="–"), {}


def stored_season_report(network):
    from .test_permission_matrix import stored_season_report as stored

    report = stored(network.membership_a)
    return report, {"file": report.file}


def season_report_kept(network, report, state):
    from billing.storage import get_document_storage

    assert get_document_storage().exists(state["file"])  # a voucher of what the member got


def season_report_batch(network):
    from usage.models import SeasonReportBatch

    report, state = stored_season_report(network)
    batch = SeasonReportBatch.objects.create(
        season=network.membership_a.season, created_by=network.staff, status="finished"
    )
    report.batch = batch
    report.save()
    return batch, {**state, "report": report}


def batch_record_kept(network, batch, state):
    state["report"].refresh_from_db()
    assert state["report"].batch_id == batch.pk  # who produced the reports stays on record
    season_report_kept(network, batch, state)


CASES = [
    Case("registration", Registration, full_event, False, seats_unchanged),
    Case("event-with-registrations", Event, event_with_registrations, False, event_still_there),
    Case(
        "event-without-registrations",
        Event,
        event_without_registrations,
        True,
        file_goes_with_its_row,
    ),
    Case("event-material", EventMaterial, material, True, file_goes_with_its_row),
    Case("announcement", Announcement, announcement, True, file_goes_with_its_row),
    Case(
        "announcement-attachment", AnnouncementAttachment, attachment, True, file_goes_with_its_row
    ),
    Case("workshop", Workshop, workshop, False, quota_unchanged),
    Case("deliverable", Deliverable, material_deliverable, True, file_goes_with_its_row),
    Case("deliverable-last-report", Deliverable, last_report, False, report_kept),
    Case("comment", Comment, comment, False, nothing),
    Case("quota-grant", QuotaGrant, grant, False, grant_kept),
    Case(
        "membership-with-registrations", Membership, membership_with_registrations, False, nothing
    ),
    Case("membership-without-anything", Membership, membership_without_anything, True, nothing),
    Case("contact-with-login", ContactPerson, contact_with_login, False, login_kept),
    Case("contact-with-registrations", ContactPerson, contact_with_registrations, False, nothing),
    Case("contact-plain", ContactPerson, plain_contact, True, nothing),
    Case("indicator-value-used", IndicatorValue, used_value, True, the_other_value_is_used),
    Case("source-with-values", Source, source_with_values, False, values_kept),
    Case("source-without-values", Source, source_without_values, True, nothing),
    Case("season-report", SeasonReport, stored_season_report, False, season_report_kept),
    Case("season-report-batch", SeasonReportBatch, season_report_batch, False, batch_record_kept),
]
COVERED = {
    Registration,
    Event,
    EventMaterial,
    Announcement,
    AnnouncementAttachment,
    Workshop,
    Deliverable,
    Comment,
    QuotaGrant,
    Membership,
    ContactPerson,
    IndicatorValue,
    Source,
    SeasonReport,
    SeasonReportBatch,
}


def admin_client(network, who: str) -> Client:
    user = UserFactory(is_staff=True, is_superuser=True) if who == "superuser" else network.staff
    return login(Client(), user)


def delete(client: Client, obj, how: str):
    opts = obj._meta
    with lazy_fetch_allowed():  # Django's confirmation page lists related objects one by one
        if how == "view":
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
            client.get(url)
            return client.post(url, {"post": "yes"})
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        selection = {"action": "delete_selected", "_selected_action": [obj.pk]}
        client.post(url, selection)  # the confirmation page (or the refusal)
        return client.post(url, {**selection, "post": "yes"})


@pytest.mark.parametrize("who", ["superuser", "staff"])
@pytest.mark.parametrize("how", ["view", "bulk"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_admin_delete_keeps_the_invariants(
    network, case, how, who, django_capture_on_commit_callbacks
):
    # given
    obj, state = case.make(network)
    client = admin_client(network, who)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = delete(client, obj, how)

    # then
    assert response.status_code in (200, 302, 403), response.status_code
    if case.deleted and (who == "superuser" or client_can_delete(network, obj)):
        assert not _exists(obj), f"{case.name} was not deleted"
    else:
        assert _exists(obj), f"{case.name} was deleted"
    case.check(network, obj, state)


def client_can_delete(network, obj) -> bool:
    opts = obj._meta
    return network.staff.has_perm(f"{opts.app_label}.delete_{opts.model_name}")


def test_every_scoped_model_has_a_case():
    assert {case.model for case in CASES} == COVERED


# Deletable in the admin without an invariant to keep: nothing refers to them but what Django's
# own delete page lists (and protects), and no count, seat, quota or message depends on them.
FREE_TO_DELETE = {
    "events.EventSeries": "a name that groups events; PROTECT keeps a series with events",
    "events.CalendarFeed": "a private calendar link; deleting it revokes the link",
    "municipalities.SeasonTheme": "a theme's name and description",
    "municipalities.PopulationFigure": "master data, corrected by a new import",
    "municipalities.Municipality": "master data; PROTECT keeps any with members or contacts",
    "municipalities.Season": "PROTECT keeps a season with members, events or announcements",
    "municipalities.User": "a login; PROTECT keeps anybody who registered, recorded or decided",
    "workshops.WorkshopTopic": "a topic's name; PROTECT keeps a topic with workshops",
    "analysis.Indicator": "PROTECT keeps an indicator with values",
    "analysis.Neighbour": "a pair of bordering municipalities, imported again from its file",
    "auth.Group": "the roles are created by migrations; deleting one is a superuser's choice",
    "axes.AccessAttempt": "deleting a failed-login record lifts a lockout, on purpose",
    "axes.AccessFailureLog": "a log of failed logins",
    "axes.AccessLog": "a log of logins",
    "otp_totp.TOTPDevice": "a lost authenticator: the person enrols again at the next login",
    "otp_static.StaticDevice": "backup codes, made again with the next enrolment",
}


def test_every_admin_delete_is_walked_or_free_of_invariants(network):
    """A model the admin lets anybody delete is walked above (or in tests/billing), or named in
    FREE_TO_DELETE with the reason: the next admin cannot add a delete that bypasses a service."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    deletable = {
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_delete_permission(request)
    }
    walked = {model._meta.label for model in COVERED}
    billing = {label for label in deletable if label.startswith("billing.")}  # their own walk
    unexplained = deletable - walked - billing - set(FREE_TO_DELETE)
    assert not unexplained, f"walk their deletes or say why they are free: {sorted(unexplained)}"


# --- what replaces the refused deletes -------------------------------------------------------


def test_cancel_registration_promotes_in_order_and_tells_through_the_outbox(
    network, django_capture_on_commit_callbacks
):
    # given
    seated, state = full_event(network)
    first, second = state["waiting"]
    client = admin_client(network, "staff")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:events_registration_changelist"),
            {"action": "cancel_registrations", "_selected_action": [seated.pk]},
        )

    # then: the first waiting person has the seat, the second still waits; both told
    assert response.status_code == 302
    seated.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (seated.status, first.status, second.status) == ("cancelled", "confirmed", "waitlisted")
    told = set(Message.objects.values_list("recipient", "kind", "status"))
    assert told == {
        (seated.contact_person.email, "events.cancelled", "sent"),
        (first.contact_person.email, "events.promoted", "sent"),
    }


def test_cancel_workshops_frees_the_quota_and_tells_the_municipality(
    network, django_capture_on_commit_callbacks
):
    # given
    workshop = WorkshopFactory(membership=network.membership_a, proposed_by=network.contact_a)
    remaining = quota_for(network.membership_a).remaining
    client = admin_client(network, "staff")
    url = reverse("admin:workshops_workshop_changelist")
    selection = {"action": "cancel_workshops", "_selected_action": [workshop.pk]}

    # when: asked first, then confirmed
    asked = client.post(url, selection)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**selection, "confirmed": "yes"})

    # then
    assert asked.status_code == 200 and workshop.title in asked.content.decode()
    assert done.status_code == 302
    workshop.refresh_from_db()
    assert workshop.status == "cancelled"
    assert quota_for(Membership.objects.get(pk=network.membership_a.pk)).remaining == remaining + 1
    assert list(Message.objects.values_list("recipient", "kind")) == [
        (network.contact_a.email, "workshops.cancelled")
    ]


@pytest.mark.parametrize("permission", ["events.delete_registration", "workshops.delete_workshop"])
def test_no_role_holds_a_delete_right_that_the_admin_refuses(network, permission):
    """Registrations and workshops are cancelled, never deleted: no role's permissions say
    otherwise (events/0004, workshops/0004 took the right back from network staff)."""
    for user in (network.staff, network.consultant, network.finance):
        assert not user.has_perm(permission), (user.email, permission)
