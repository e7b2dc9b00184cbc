"""Uploads are checked for type (by name and by content) and size, and stored privately."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from events.models import EventMaterial
from uso_portal.uploads import RECEIPTS, UploadValidator

from ..conftest import client_for
from ..events.factories import PDF_BYTES, PastEventFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content"),
    [("report.pdf", PDF_BYTES), ("photo.PNG", PNG), ("slides.pptx", ZIP), ("table.xlsx", ZIP)],
)
def test_accepted_documents(name, content):
    UploadValidator()(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("script.exe", b"MZ\x90\x00", "file_type"),
        ("page.html", b"<html></html>", "file_type"),
        ("no-extension", PDF_BYTES, "file_type"),
        ("fake.pdf", b"<html>not a pdf</html>", "file_content"),
        ("fake.docx", PDF_BYTES, "file_content"),
    ],
)
def test_refused_documents(name, content, code):
    with pytest.raises(ValidationError) as error:
        UploadValidator()(SimpleUploadedFile(name, content))
    assert error.value.code == code


def test_receipts_accept_fewer_kinds():
    with pytest.raises(ValidationError):
        UploadValidator(RECEIPTS)(SimpleUploadedFile("receipt.xlsx", ZIP))


@override_settings(UPLOAD_MAX_MEGABYTES=1)
def test_size_limit():
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as error:
        UploadValidator()(big)
    assert error.value.code == "file_too_large"


@pytest.mark.django_db
def test_private_files_are_outside_the_static_root_and_never_served_directly(network, settings):
    # given a stored material
    material = PastEventFactory(season=network.membership_a.season).materials.create(
        title="Diat", file=SimpleUploadedFile("diat.pdf", PDF_BYTES)
    )
    assert material.file.path.startswith(f"{settings.MEDIA_ROOT}/private/")
    assert not material.file.path.startswith(str(settings.BASE_DIR / "static"))
    # when anybody, even staff, asks for the storage URL, nothing answers
    assert client_for(network, "staff").get(material.file.url).status_code == 404
    # then only the permission-checked view serves it: the file itself, not any 200
    download = client_for(network, "staff").get(
        reverse("events:material_download", args=[material.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


@pytest.mark.django_db
def test_admin_upload_of_a_wrong_file_is_explained_and_not_saved(network):
    event = PastEventFactory(season=network.membership_a.season)
    response = client_for(network, "staff").post(
        reverse("admin:events_eventmaterial_add"),
        {"event": event.pk, "title": "Vaarallinen", "file": SimpleUploadedFile("x.pdf", b"MZ\x90")},
    )
    assert response.status_code == 200
    assert "file" in response.context["adminform"].form.errors
    assert not EventMaterial.objects.exists()
