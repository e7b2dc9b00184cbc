"""Files of programme objects in the admin: a replaced file and the file of a row deleted in an
inline go from the storage after commit (nothing orphaned), through the services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from uso_portal.uploads import private_storage

from ..conftest import client_for
from .factories import PDF_BYTES, AnnouncementAttachmentFactory, EventMaterialFactory

pytestmark = pytest.mark.django_db


def test_replacing_a_material_file_removes_the_old_one(
    network, programme, django_capture_on_commit_callbacks
):
    # given
    material = EventMaterialFactory(event=programme.event)
    old = material.file.name
    url = reverse("admin:events_eventmaterial_change", args=[material.pk])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(network, "staff").post(
            url,
            {
                "event": programme.event.pk,
                "title": "Uusi versio",
                "file": SimpleUploadedFile("uusi.pdf", PDF_BYTES, "application/pdf"),
            },
        )

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    material.refresh_from_db()
    assert material.file.name != old
    assert private_storage.exists(material.file.name)
    assert not private_storage.exists(old)


def test_an_attachment_deleted_in_its_announcement_takes_its_file(
    network, django_capture_on_commit_callbacks
):
    # given
    attachment = AnnouncementAttachmentFactory(announcement__season=network.membership_a.season)
    announcement = attachment.announcement
    stored = attachment.file.name
    url = reverse("admin:events_announcement_change", args=[announcement.pk])
    prefix = "attachments"

    # when the staff tick "delete" on the inline row and save
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(network, "staff").post(
            url,
            {
                "season": announcement.season_id,
                "kind": announcement.kind,
                "title_fi": announcement.title_fi,
                "body_fi": announcement.body_fi or "Teksti",
                f"{prefix}-TOTAL_FORMS": "1",
                f"{prefix}-INITIAL_FORMS": "1",
                f"{prefix}-0-id": attachment.pk,
                f"{prefix}-0-announcement": announcement.pk,
                f"{prefix}-0-title": attachment.title,
                f"{prefix}-0-DELETE": "on",
            },
        )

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not announcement.attachments.exists()
    assert not private_storage.exists(stored)
