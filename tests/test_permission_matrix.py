"""Every URL of the portal, for every persona: the expected status code.

A URL that is not in MATRIX fails `test_every_url_is_in_the_matrix`: adding a view means deciding
who may see it. Expected codes: 200 shown, 302 redirect (anonymous → login), 403 forbidden,
404 another municipality's object, 405 wrong method. Which objects each persona sees on the
list pages (and which objects' pages answer 200 or 404) is asserted from one table, for a third
municipality C as well, in test_visibility.py.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import PERSONAS, client_for

LOGIN = "login"
A, B = "contact_a", "contact_b"
STAFFS = ("consultant", "staff", "finance")


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, code)


def logged_in(code: int, *, anonymous: int = 302) -> dict[str, int]:
    return {**everyone(code), "anonymous": anonymous}


def contacts_only(*, own: int = 200, other: int = 200) -> dict[str, int]:
    return {"anonymous": 302, A: own, B: other, **dict.fromkeys(STAFFS, 403)}


STAFF_403 = {"anonymous": 302, A: 403, B: 403, **dict.fromkeys(STAFFS, 200)}


def member_object(*, staff: int = 200, finance: int | None = None) -> dict[str, int]:
    """A's object in a season B is not a member of: B gets 404."""
    row = {"anonymous": 302, A: 200, B: 404, **dict.fromkeys(STAFFS, staff)}
    if finance is not None:
        row["finance"] = finance
    return row


# A's workshop: its contacts, its responsible consultant and network staff; not finance.
WORKSHOP_A = {"anonymous": 302, A: 200, B: 404, "consultant": 200, "staff": 200, "finance": 404}
BILLING_STAFF = {"anonymous": 302, A: 403, B: 403, "consultant": 403, "staff": 200, "finance": 200}
ANALYSIS_A = {"anonymous": 302, A: 200, B: 404, "consultant": 200, "staff": 200, "finance": 404}
ANALYSTS = {"anonymous": 302, A: 403, B: 403, "consultant": 200, "staff": 200, "finance": 403}
SEES_ALL = {"anonymous": 302, A: 403, B: 403, "consultant": 403, "staff": 200, "finance": 403}


def report_batch(w):
    from analysis.models import ReportBatch

    return ReportBatch.objects.create(season=w.membership_a.season, created_by=w.staff)


def stored_report(membership):
    """A ready analysis report of the membership's municipality, its file stored."""
    from django.core.files.base import ContentFile

    from analysis.models import Report, ReportStatus
    from billing.storage import get_document_storage

    name = get_document_storage().save(
        f"analysis/test/{membership.municipality.code}.pdf", ContentFile(b"%PDF-1.7 test")
    )
    return Report.objects.create(
        municipality=membership.municipality,
        season=membership.season,
        language="fi",
        status=ReportStatus.READY,
        file=name,
    )


def season_report_batch(w):
    from usage.models import SeasonReportBatch

    return SeasonReportBatch.objects.create(season=w.membership_a.season, created_by=w.staff)


def stored_season_report(membership):
    """A ready season report of the membership, its file stored."""
    from django.core.files.base import ContentFile

    from billing.storage import get_document_storage
    from usage.models import SeasonReport
    from uso_portal.batches import DocumentStatus

    name = get_document_storage().save(
        f"season-reports/test/{membership.municipality.code}.pdf", ContentFile(b"%PDF-1.7 test")
    )
    report = SeasonReport.objects.filter(membership=membership).first()
    return report or SeasonReport.objects.create(
        membership=membership, language="fi", status=DocumentStatus.READY, file=name
    )


def offer_a(w):
    """A's offer of the next season (B is not offered it: 404); made once per test."""
    from municipalities.models import Offer

    from .municipalities.factories import OfferFactory

    existing = Offer.objects.filter(municipality=w.municipality_a).first()
    return existing or OfferFactory(municipality=w.municipality_a)


OFFER_A = {"anonymous": 302, A: 200, B: 404, **dict.fromkeys(STAFFS, 200)}
RENEWAL_STAFF = {"anonymous": 302, A: 403, B: 403, **dict.fromkeys(STAFFS, 200)}


def workshop_survey(w):
    """The feedback survey of A's workshop (its responsible consultant is `consultant`)."""
    from feedback.models import Survey

    from .feedback.factories import bare_survey

    return Survey.objects.filter(workshop=w.workshop_a).first() or bare_survey(
        workshop=w.workshop_a
    )


def feedback_token(w):
    """The link of A's contact person's invitation to the survey of A's workshop."""
    from feedback.services import token_for

    from .feedback.factories import bare_invitation

    return token_for(bare_invitation(workshop_survey(w), w.contact_person_a))


# name -> (kwargs from the world (network + programme), method, expected per persona[, data])
MATRIX = {
    "healthz": (None, "get", everyone(200)),
    "set_language": (None, "post", everyone(302)),
    "login": (None, "get", {**everyone(302), "anonymous": 200}),
    "logout": (None, "get", everyone(405)),
    "password_change": (None, "get", logged_in(200)),
    "password_change_done": (None, "get", logged_in(200)),
    "password_reset": (None, "get", everyone(200)),
    "password_reset_done": (None, "get", everyone(200)),
    "password_reset_confirm": (
        lambda w: {"uidb64": "MQ", "token": "invalid-token"},
        "get",
        everyone(200),
    ),
    "password_reset_complete": (None, "get", everyone(200)),
    # Second factor: staff only (contacts log in with a password alone).
    "otp_verify": (None, "get", {**STAFF_403, A: 404, B: 404}),
    "otp_setup": (None, "get", {**STAFF_403, A: 404, B: 404}),
    "otp_enrol": (lambda w: {"token": "not-a-link"}, "get", logged_in(404)),
    "municipalities:dashboard": (None, "get", logged_in(200)),
    "municipalities:contact_list": (None, "get", contacts_only()),
    "municipalities:contact_create": (None, "get", contacts_only()),
    "municipalities:contact_update": (
        lambda w: {"pk": w.contact_person_a.pk},
        "get",
        contacts_only(own=200, other=404),
    ),
    "municipalities:logout_everywhere": (None, "post", everyone(302)),
    "municipalities:offer_detail": (lambda w: {"pk": offer_a(w).pk}, "get", OFFER_A),
    "municipalities:offer_letter": (lambda w: {"pk": offer_a(w).pk}, "get", OFFER_A),
    "municipalities:invoicing_details": (None, "get", contacts_only()),
    "municipalities:renewal_pipeline": (
        lambda w: {"slug": offer_a(w).season.slug},
        "get",
        RENEWAL_STAFF,
    ),
    "municipalities:renewal_xlsx": (
        lambda w: {"slug": offer_a(w).season.slug},
        "get",
        RENEWAL_STAFF,
    ),
    "events:event_list": (None, "get", logged_in(200)),
    "events:event_detail": (lambda w: {"pk": w.other_season_event.pk}, "get", member_object()),
    "events:event_ics": (lambda w: {"pk": w.other_season_event.pk}, "get", member_object()),
    "events:event_register": (
        lambda w: {"pk": w.other_season_event.pk},
        "post",
        contacts_only(own=422, other=404),
    ),
    "events:registration_cancel": (  # a plain post without `confirmed` asks first
        lambda w: {"pk": w.registration_a.pk},
        "post",
        contacts_only(own=200, other=404),
    ),
    "events:material_download": (lambda w: {"pk": w.other_material.pk}, "get", member_object()),
    "events:announcement_list": (None, "get", logged_in(200)),
    "events:announcement_detail": (
        lambda w: {"pk": w.other_announcement.pk},
        "get",
        member_object(finance=404),
    ),
    "events:attachment_download": (
        lambda w: {"pk": w.other_attachment.pk},
        "get",
        member_object(finance=404),
    ),
    "events:calendar_feed": (None, "get", contacts_only()),
    "events:calendar_feed_ics": (lambda w: {"token": w.feed_a.token}, "get", everyone(200)),
    "events:participants_csv": (lambda w: {"pk": w.event.pk}, "get", STAFF_403),
    "events:participants_xlsx": (lambda w: {"pk": w.event.pk}, "get", STAFF_403),
    "events:attendance_report": (lambda w: {"slug": "2021-2022"}, "get", STAFF_403),
    "workshops:workshop_list": (None, "get", logged_in(200)),
    "workshops:workshop_propose": (
        None,
        "get",
        {"anonymous": 302, A: 200, B: 200, **dict.fromkeys(STAFFS, 404)},
    ),
    "workshops:workshop_detail": (lambda w: {"pk": w.workshop_a.pk}, "get", WORKSHOP_A),
    "workshops:workshop_edit": (lambda w: {"pk": w.workshop_a.pk}, "get", WORKSHOP_A),
    "workshops:workshop_ics": (lambda w: {"pk": w.workshop_a.pk}, "get", WORKSHOP_A),
    "workshops:workshop_transition": (
        lambda w: {"pk": w.workshop_a.pk},
        "post",
        {**WORKSHOP_A, A: 302, "consultant": 302, "staff": 302},
        {"to": "cancelled"},
    ),
    "workshops:comment_add": (
        lambda w: {"pk": w.workshop_a.pk},
        "post",
        {**WORKSHOP_A, A: 302, "consultant": 302, "staff": 302},
        {"body": "Hyvä ehdotus"},
    ),
    "workshops:deliverable_upload": (
        lambda w: {"pk": w.workshop_a.pk},
        "post",
        {**WORKSHOP_A, A: 403, "consultant": 422, "staff": 422},
    ),
    "workshops:deliverable_download": (lambda w: {"pk": w.deliverable_a.pk}, "get", WORKSHOP_A),
    "workshops:consultant_home": (
        None,
        "get",
        {"anonymous": 302, A: 403, B: 403, **dict.fromkeys(STAFFS, 200)},
    ),
    "workshops:season_overview": (lambda w: {"slug": "2021-2022"}, "get", SEES_ALL),
    "billing:invoice_list": (
        None,
        "get",
        {"anonymous": 302, A: 200, B: 200, "consultant": 403, "staff": 200, "finance": 200},
    ),
    "billing:invoice_pdf": (
        lambda w: {"pk": w.invoice_a.pk},
        "get",
        {"anonymous": 302, A: 200, B: 404, "consultant": 403, "staff": 200, "finance": 200},
    ),
    "billing:invoice_finvoice": (lambda w: {"pk": w.invoice_a.pk}, "get", BILLING_STAFF),
    "billing:export_zip": (lambda w: {"slug": "2021-2022", "year": 2021}, "get", BILLING_STAFF),
    "billing:batch_progress": (lambda w: {"pk": w.batch.pk}, "get", BILLING_STAFF),
    "analysis:analysis_home": (
        None,
        "get",
        {"anonymous": 302, A: 302, B: 302, "consultant": 200, "staff": 200, "finance": 403},
    ),
    "analysis:analysis_detail": (lambda w: {"code": "980"}, "get", ANALYSIS_A),
    "analysis:analysis_pdf": (lambda w: {"code": "980"}, "get", ANALYSIS_A),
    "analysis:network_table": (None, "get", ANALYSTS),
    "analysis:network_table_xlsx": (None, "get", ANALYSTS),
    "analysis:report_batch_progress": (lambda w: {"pk": report_batch(w).pk}, "get", SEES_ALL),
    "analysis:report_download": (
        lambda w: {"code": "980", "pk": stored_report(w.membership_a).pk},
        "get",
        ANALYSIS_A,
    ),
    "analysis:network_overview": (None, "get", ANALYSTS),
    "analysis:network_overview_xlsx": (None, "get", ANALYSTS),
    "workshops:season_overview_xlsx": (lambda w: {"slug": "2021-2022"}, "get", SEES_ALL),
    # A person's signed link opens their form for whoever holds it, logged in or not.
    "feedback:answer": (lambda w: {"token": feedback_token(w)}, "get", everyone(200)),
    "feedback:season_results": (lambda w: {"slug": "2021-2022"}, "get", ANALYSTS),
    "feedback:survey_results": (lambda w: {"pk": workshop_survey(w).pk}, "get", ANALYSTS),
    "feedback:survey_send": (lambda w: {"slug": "2021-2022"}, "post", {**SEES_ALL, "staff": 302}),
    # network staff and consultants (their own municipalities' rows); not finance
    "usage:matrix": (lambda w: {"slug": "2021-2022"}, "get", ANALYSTS),
    "usage:matrix_xlsx": (lambda w: {"slug": "2021-2022"}, "get", ANALYSTS),
    # The season reports: a member's own for its contacts, its consultant and network staff.
    "season_reports:download": (
        lambda w: {"pk": stored_season_report(w.membership_a).pk},
        "get",
        ANALYSIS_A,
    ),
    "season_reports:progress": (lambda w: {"pk": season_report_batch(w).pk}, "get", SEES_ALL),
}


class World:
    """Attribute look-up over the network and the programme fixtures."""

    def __init__(self, *parts):
        self.parts = parts

    def __getattr__(self, name):
        for part in self.parts:
            if hasattr(part, name):
                return getattr(part, name)
        raise AttributeError(name)


EXCLUDED_NAMESPACES = {"admin"}  # Django's admin has its own permission system and tests


def project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in EXCLUDED_NAMESPACES:
                    continue
                inner = pattern.namespace or namespace
                if pattern.namespace and namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_is_in_the_matrix():
    names = project_url_names()
    missing, stale = sorted(names - set(MATRIX)), sorted(set(MATRIX) - names)
    assert not missing and not stale, f"URLs without a MATRIX row: {missing}; stale rows: {stale}"


CASES = [(name, persona) for name in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_permission_matrix(network, programme, name, persona):
    kwargs_for, method, expected, *data = MATRIX[name]
    world = World(network, programme)
    url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
    client = client_for(network, persona)

    payload = data[0] if data else ({"language": "fi", "next": "/"} if method == "post" else {})
    response = getattr(client, method)(url, payload)

    assert response.status_code == expected[persona], f"{persona} {method.upper()} {url}"
    if response.status_code == 302 and persona == "anonymous" and name not in ("set_language",):
        assert response.url.startswith(reverse(LOGIN))
