"""Reports, materials and planning notes of a workshop: who downloads, who uploads, what is
refused, and who comments."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from municipalities.roles import StaffRole
from tests.auth import login
from workshops.models import Comment, Deliverable, WorkshopStatus

from ..conftest import client_for
from ..events.factories import PDF_BYTES
from ..municipalities.factories import StaffUserFactory
from .factories import DeliverableFactory, ScheduledWorkshopFactory, WorkshopFactory

MEGABYTE = 1024 * 1024


def client_of(network, persona: str) -> Client:
    """`client_for`, plus a consultant who is not responsible for A or B."""
    if persona != "other_consultant":
        return client_for(network, persona)
    return login(Client(), StaffUserFactory(role=StaffRole.CONSULTANT))


def detail_url(workshop) -> str:
    return reverse("workshops:workshop_detail", args=[workshop.pk])


@pytest.fixture
def workshop(network):
    return ScheduledWorkshopFactory(membership=network.membership_a, proposed_by=network.contact_a)


@pytest.fixture
def deliverable(network, workshop) -> Deliverable:
    return DeliverableFactory(workshop=workshop, uploaded_by=network.consultant)


# --- Download ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("contact_a", 200),
        ("contact_b", 404),
        ("consultant", 200),
        ("other_consultant", 404),
        ("staff", 200),
        ("finance", 404),
    ],
)
def test_download_per_persona(network, deliverable, persona, status):
    # when
    url = reverse("workshops:deliverable_download", args=[deliverable.pk])
    response = client_of(network, persona).get(url)

    # then
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Disposition"].startswith("attachment;")
        assert deliverable.filename in response["Content-Disposition"]
        response.close()


def test_anonymous_download_goes_to_login(network, deliverable):
    url = reverse("workshops:deliverable_download", args=[deliverable.pk])
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_file_missing_from_storage_is_not_found(network, deliverable):
    # given
    deliverable.file.storage.delete(deliverable.file.name)

    # when
    url = reverse("workshops:deliverable_download", args=[deliverable.pk])
    response = client_for(network, "contact_a").get(url)

    # then
    assert response.status_code == 404


# --- Upload -----------------------------------------------------------------------------------


def upload(client, workshop, name="raportti.pdf", content=PDF_BYTES, **fields):
    data = {"kind": "report", "title": "Loppuraportti", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(reverse("workshops:deliverable_upload", args=[workshop.pk]), data)


@pytest.mark.parametrize("persona", ["consultant", "staff"])
def test_manager_uploads_a_file(network, workshop, persona, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(network, persona), workshop, kind="material", title="Kalvot")

    # then
    assert response.status_code == 302
    assert response.url == detail_url(workshop)
    deliverable = Deliverable.objects.get()
    assert (deliverable.workshop, deliverable.kind, deliverable.title) == (
        workshop,
        "material",
        "Kalvot",
    )
    assert deliverable.uploaded_by == getattr(network, persona)
    with deliverable.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    assert [message.to for message in mail.outbox] == [[network.contact_a.email]]


@pytest.mark.parametrize(("persona", "status"), [("contact_a", 403), ("contact_b", 404)])
def test_contacts_do_not_upload(network, workshop, persona, status):
    response = upload(client_for(network, persona), workshop)
    assert response.status_code == status
    assert not Deliverable.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("x.exe", b"MZ\x90\x00" + PDF_BYTES, "file_type"),
        ("raportti.pdf.exe", PDF_BYTES, "file_type"),
        ("raportti.pdf", b"<!doctype html><script>alert(1)</script>", "file_content"),
    ],
)
def test_wrong_type_is_refused(network, workshop, name, content, code):
    # when
    response = upload(client_for(network, "consultant"), workshop, name=name, content=content)

    # then
    assert response.status_code == 422
    form = response.context["deliverable_form"]
    assert [error.code for error in form.errors.as_data()["file"]] == [code]
    assert form.errors["file"][0] in response.content.decode()
    assert not Deliverable.objects.exists()


@override_settings(UPLOAD_MAX_MEGABYTES=1)
def test_too_large_file_is_refused(network, workshop):
    # given
    content = PDF_BYTES + b"0" * MEGABYTE

    # when
    response = upload(client_for(network, "consultant"), workshop, content=content)

    # then
    assert response.status_code == 422
    form = response.context["deliverable_form"]
    assert [error.code for error in form.errors.as_data()["file"]] == ["file_too_large"]
    assert not Deliverable.objects.exists()


def test_a_file_of_exactly_the_limit_is_accepted(network, workshop):
    content = PDF_BYTES + b"0" * (MEGABYTE - len(PDF_BYTES))
    with override_settings(UPLOAD_MAX_MEGABYTES=1):
        response = upload(client_for(network, "consultant"), workshop, content=content)
    assert response.status_code == 302
    assert Deliverable.objects.get().file.size == MEGABYTE


def test_cancelled_workshop_refuses_uploads(network):
    # given
    workshop = WorkshopFactory(
        membership=network.membership_a,
        proposed_by=network.contact_a,
        status=WorkshopStatus.CANCELLED,
    )

    # when
    response = upload(client_for(network, "consultant"), workshop)

    # then: refused, and the consultant is told why
    assert response.status_code == 422
    form = response.context["deliverable_form"]
    assert [error.code for error in form.non_field_errors().as_data()] == ["cancelled"]
    assert not Deliverable.objects.exists()
    assert form.non_field_errors()[0] in response.content.decode()


# --- Comments ---------------------------------------------------------------------------------


def comment(client, workshop, body):
    return client.post(reverse("workshops:comment_add", args=[workshop.pk]), {"body": body})


@pytest.mark.parametrize("persona", ["contact_a", "consultant", "staff"])
def test_both_sides_comment(network, workshop, persona):
    # when
    response = comment(client_for(network, persona), workshop, "  Sopiiko tiistai klo 9?\n")

    # then
    assert response.status_code == 302
    assert response.url == detail_url(workshop)
    saved = Comment.objects.get()
    assert (saved.workshop, saved.author) == (workshop, getattr(network, persona))
    assert saved.body == "Sopiiko tiistai klo 9?"
    page = client_for(network, "contact_a").get(detail_url(workshop))
    assert "Sopiiko tiistai klo 9?" in page.content.decode()


@pytest.mark.parametrize("body", ["", "  \n\t "])
def test_empty_comment_is_refused(network, workshop, body):
    response = comment(client_for(network, "contact_a"), workshop, body)
    assert response.status_code == 422
    assert "body" in response.context["comment_form"].errors
    assert not Comment.objects.exists()


@pytest.mark.parametrize("persona", ["contact_b", "other_consultant", "finance"])
def test_outsiders_cannot_comment(network, workshop, persona):
    response = comment(client_of(network, persona), workshop, "Hei")
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_anonymous_cannot_comment(network, workshop):
    response = comment(Client(), workshop, "Hei")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Comment.objects.exists()
