"""All members' analysis reports as one background batch: started in the admin, followed on its
progress page, resumable after a killed worker, one failing report never stops the others, a
full disk loses nothing, and each report is downloadable by whom the analysis rule allows."""

import datetime
import errno
import io
import os

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from analysis import batches, reports
from analysis.models import Report, ReportBatch, ReportBatchStatus, ReportStatus
from billing.services.batches import sweep
from billing.storage import AtomicFileSystemStorage, get_document_storage

from ..conftest import client_for

pytestmark = pytest.mark.django_db

NO_SPACE = os.strerror(errno.ENOSPC)


class FullDiskStorage(AtomicFileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, NO_SPACE, self.path(name))


def pdf_text(report: Report) -> str:
    with get_document_storage().open(report.file, "rb") as stream:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(stream.read())).pages)


def start(network, client=None):
    """Start the season's batch as network staff through the admin's add form."""
    client = client or client_for(network, "staff")
    season = network.membership_a.season
    return client.post(reverse("admin:analysis_reportbatch_add"), {"season": season.pk})


def test_staff_start_the_batch_in_the_admin_and_every_member_gets_its_report(
    network, django_capture_on_commit_callbacks
):
    network.membership_b.municipality.preferred_language = "sv"
    network.membership_b.municipality.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = start(network)
    batch = ReportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("analysis:report_batch_progress", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.ready, batch.failed) == ("finished", 2, 2, 0)
    rows = Report.objects.select_related("municipality")
    by_code = {report.municipality.code: report for report in rows}
    a, b = network.membership_a.municipality, network.membership_b.municipality
    assert by_code[a.code].language == "fi" and by_code[b.code].language == "sv"
    for municipality in (a, b):
        report = by_code[municipality.code]
        assert report.status == ReportStatus.READY and report.size > 1000
        assert municipality.name in pdf_text(report)

    page = client_for(network, "staff").get(response["Location"])
    assert page.status_code == 200
    assert page.context["batch"].ready == 2
    assert 'value="100"' in page.content.decode()  # the progress bar is full


def test_the_contact_downloads_their_report_and_nobody_else_s(
    network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(network)
    report_a = Report.objects.get(municipality=network.membership_a.municipality)
    url = reverse("analysis:report_download", args=[report_a.municipality.code, report_a.pk])
    response = client_for(network, "contact_a").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(network, "contact_b").get(url).status_code == 404
    assert client_for(network, "finance").get(url).status_code == 404
    # the admin lists the reports with their download links for staff
    listing = client_for(network, "staff").get(reverse("admin:analysis_report_changelist"))
    assert url in listing.content.decode()


def test_a_second_batch_of_the_season_is_refused_while_one_runs(network):
    season = network.membership_a.season
    running = ReportBatch.objects.create(
        season=season, created_by=network.staff, status=ReportBatchStatus.RUNNING
    )
    with pytest.raises(ValidationError, match=f"#{running.pk}"):
        batches.report_batch_start(season=season, actor=network.staff)
    response = start(network)
    assert response.status_code == 200  # the form again, with the reason
    assert f"#{running.pk}" in response.content.decode()
    assert ReportBatch.objects.count() == 1 and not Report.objects.exists()


def test_one_failing_report_does_not_stop_the_others_and_is_rendered_again_on_resume(
    network, monkeypatch, django_capture_on_commit_callbacks
):
    real = reports.report_pdf_for
    broken = network.membership_a.municipality

    def fails_for_a(municipality, season, language=None):
        if municipality.pk == broken.pk:
            raise RuntimeError("chart data broken")
        return real(municipality, season, language)

    monkeypatch.setattr(reports, "report_pdf_for", fails_for_a)
    with django_capture_on_commit_callbacks(execute=True):
        start(network)
    batch = ReportBatch.objects.get()
    assert (batch.status, batch.ready, batch.failed) == ("finished", 1, 1)
    assert broken.name in batch.message and "chart data broken" in batch.message
    failed = Report.objects.get(municipality=broken)
    assert failed.status == ReportStatus.FAILED and "chart data broken" in failed.error
    other = Report.objects.exclude(municipality=broken).get()
    first_render = other.rendered_at

    # when the cause is fixed and staff resume the batch in the admin
    monkeypatch.setattr(reports, "report_pdf_for", real)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(network, "staff").post(
            reverse("admin:analysis_reportbatch_changelist"),
            {"action": "resume", "_selected_action": [batch.pk]},
        )
    batch.refresh_from_db()
    assert (batch.status, batch.ready, batch.failed, batch.attempts) == ("finished", 2, 0, 2)
    assert Report.objects.get(pk=failed.pk).status == ReportStatus.READY
    assert Report.objects.get(pk=other.pk).rendered_at == first_render  # not rendered twice


def test_a_full_disk_fails_the_reports_and_keeps_the_earlier_versions(
    network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(network)
    earlier = {report.pk: (report.file, pdf_text(report)) for report in Report.objects.all()}
    ReportBatch.objects.update(status=ReportBatchStatus.FINISHED)
    full = {**settings.STORAGES, "invoice_documents": {"BACKEND": f"{__name__}.FullDiskStorage"}}
    with override_settings(STORAGES=full), django_capture_on_commit_callbacks(execute=True):
        start(network)
    batch = ReportBatch.objects.order_by("-pk").first()
    assert (batch.status, batch.ready, batch.failed) == ("finished", 0, 2)
    assert NO_SPACE in batch.message
    for report in Report.objects.all():  # the earlier version is still there and readable
        assert report.status == ReportStatus.READY and NO_SPACE in report.error
        assert (report.file, pdf_text(report)) == earlier[report.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_whose_worker_died_is_reported_and_resumed_where_it_stopped(network, settings):
    # given a batch whose worker rendered the first report, then died
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    batch = batches.report_batch_start(season=network.membership_a.season, actor=network.staff)
    first, second = batches.left_of(batch)
    assert batches.render_report(first) == ""
    ReportBatch.objects.filter(pk=batch.pk).update(
        status=ReportBatchStatus.RUNNING,
        attempts=1,
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    first.refresh_from_db()

    # then /healthz says so and the progress page explains it
    health = Client().get("/healthz")
    assert health.status_code == 503 and b"batch abandoned: 1" in health.content
    page = client_for(network, "staff").get(
        reverse("analysis:report_batch_progress", args=[batch.pk])
    )
    assert page.context["abandoned"] is True

    # when the stale-lease sweep runs and a worker takes the batch again
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    result = sweep()
    assert [resumed.pk for resumed in result.batches] == [batch.pk]

    # then it finishes: the second report rendered, the first not twice
    batch.refresh_from_db()
    assert (batch.status, batch.ready, batch.failed, batch.attempts) == ("finished", 2, 0, 2)
    assert Report.objects.get(pk=first.pk).rendered_at == first.rendered_at
    assert Report.objects.get(pk=second.pk).status == ReportStatus.READY
    assert Client().get("/healthz").status_code == 200


def test_consultants_and_finance_cannot_start_batches(network):
    for persona in ("consultant", "finance"):
        assert start(network, client_for(network, persona)).status_code == 403
    assert not ReportBatch.objects.exists()


def test_the_contacts_dashboard_links_the_stored_report_once_it_is_ready(
    network, django_capture_on_commit_callbacks
):
    contact = client_for(network, "contact_a")
    assert "reports/" not in contact.get(reverse("municipalities:dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        start(network)
    report = Report.objects.get(municipality=network.membership_a.municipality)
    page = contact.get(reverse("municipalities:dashboard")).content.decode()
    url = reverse("analysis:report_download", args=[report.municipality.code, report.pk])
    assert f'href="{url}"' in page
    assert contact.get(url).status_code == 200


def test_a_new_version_replaces_the_old_file_and_a_deleted_report_takes_its_file(
    network, django_capture_on_commit_callbacks
):
    storage = get_document_storage()
    with django_capture_on_commit_callbacks(execute=True):
        start(network)
    report = Report.objects.get(municipality=network.membership_a.municipality)
    first = report.file
    storage.save(first + ".keep", io.BytesIO(b"a file of someone else"))  # not touched
    assert batches.render_report(report) == ""
    report.refresh_from_db()
    assert storage.exists(report.file)
    if report.file != first:  # the storage gave the new version another name
        assert not storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        report.delete()
    assert not storage.exists(report.file)
    assert storage.exists(first + ".keep")
