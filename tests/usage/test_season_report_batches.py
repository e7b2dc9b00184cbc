"""The members' season reports as one background batch: started by staff in the admin, one
member's on demand, followed on the progress page, resumed without duplicates after a killed
worker, and downloaded by the municipality's contacts only."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from billing.services.batches import sweep
from billing.storage import get_document_storage
from usage.models import SeasonReport, SeasonReportBatch
from usage.reports import batches
from usage.reports.selectors import latest_season_report_for, season_report_url
from uso_portal.batches import BatchStatus, DocumentStatus

from ..conftest import client_for

pytestmark = pytest.mark.django_db

ADD = "admin:usage_seasonreportbatch_add"


def first_page(report: SeasonReport) -> str:
    with get_document_storage().open(report.file, "rb") as stream:
        return PdfReader(io.BytesIO(stream.read())).pages[0].extract_text()


def add_batch(network, persona="staff", **data):
    season = network.membership_a.season
    form = {"season": season.pk, "membership": "", **data}
    return client_for(network, persona).post(reverse(ADD), form)


def test_staff_produce_every_members_report_in_its_language(
    network, django_capture_on_commit_callbacks
):
    # given B reads Swedish
    network.municipality_b.preferred_language = "sv"
    network.municipality_b.save()

    # when staff add a batch of the season in the admin
    with django_capture_on_commit_callbacks(execute=True):
        response = add_batch(network)

    # then the batch ran to the end and each member has its report in its language
    batch = SeasonReportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("season_reports:progress", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.ready, batch.failed) == ("finished", 2, 2, 0)
    reports = {r.membership_id: r for r in SeasonReport.objects.all()}
    a, b = reports[network.membership_a.pk], reports[network.membership_b.pk]
    assert (a.language, b.language) == ("fi", "sv")
    assert "Kausiraportti" in first_page(a) and "Ylöjärvi" in first_page(a)
    assert "Säsongsrapport" in first_page(b) and "Orivesi" in first_page(b)

    # and the progress page shows it complete
    page = client_for(network, "staff").get(response["Location"])
    assert page.status_code == 200 and 'value="100"' in page.content.decode()
    assert page.context["batch"].ready == 2


def test_one_members_report_on_demand_leaves_the_others_alone(
    network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_batch(network, membership=network.membership_b.pk)
    batch = SeasonReportBatch.objects.get()
    assert (batch.membership_id, batch.total, batch.ready) == (network.membership_b.pk, 1, 1)
    assert [r.membership_id for r in SeasonReport.objects.all()] == [network.membership_b.pk]


def test_a_second_batch_waits_for_the_running_one(network):
    running = SeasonReportBatch.objects.create(
        season=network.membership_a.season, created_by=network.staff, status=BatchStatus.RUNNING
    )
    response = add_batch(network)
    assert response.status_code == 200 and f"#{running.pk}" in response.content.decode()
    assert SeasonReportBatch.objects.count() == 1 and not SeasonReport.objects.exists()


def test_only_staff_with_the_permission_start_batches(network):
    for persona in ("consultant", "finance", "contact_a"):
        assert add_batch(network, persona).status_code in (302, 403), persona
    assert not SeasonReportBatch.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_workers_batch_resumes_where_it_stopped_without_duplicates(network, settings):
    # given a batch whose worker rendered A's report and died before B's
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    batch = batches.season_report_batch_start(
        season=network.membership_a.season, actor=network.staff
    )
    done, left = batches.RUNNER.left_of(batch)
    assert batches.RUNNER.render_document(done) == ""
    batches.RUNNER.refresh_counts(batch, renew=True)  # as a run does after each report
    SeasonReportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RUNNING,
        attempts=1,
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    done.refresh_from_db()
    progress_url = reverse("season_reports:progress", args=[batch.pk])

    # then /healthz and the progress page say the worker stopped; 1 of 2 is ready
    assert Client().get("/healthz").status_code == 503
    page = client_for(network, "staff").get(progress_url)
    assert page.context["abandoned"] is True and page.context["batch"].ready == 1

    # when the stale-lease sweep queues it again for a worker
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert [resumed.pk for resumed in sweep().batches] == [batch.pk]

    # then B's report is rendered, A's not a second time, and nothing is doubled
    batch.refresh_from_db()
    assert (batch.status, batch.ready, batch.failed, batch.attempts) == ("finished", 2, 0, 2)
    assert SeasonReport.objects.get(pk=done.pk).rendered_at == done.rendered_at
    assert SeasonReport.objects.get(pk=left.pk).status == DocumentStatus.READY
    assert SeasonReport.objects.count() == 2
    folder = f"season-reports/{network.membership_a.season.slug}"
    assert sorted(get_document_storage().listdir(folder)[1]) == ["562.pdf", "980.pdf"]
    assert Client().get("/healthz").status_code == 200
    htmx = client_for(network, "staff").get(progress_url, headers={"HX-Request": "true"})
    assert "<h1>" not in htmx.content.decode() and 'value="100"' in htmx.content.decode()


def test_the_contact_downloads_their_latest_report_and_no_other_municipalitys(
    network, django_capture_on_commit_callbacks
):
    assert latest_season_report_for(network.membership_a) is None
    with django_capture_on_commit_callbacks(execute=True):
        add_batch(network)
    report = latest_season_report_for(network.membership_a)
    assert report.membership_id == network.membership_a.pk
    url = season_report_url(report)

    response = client_for(network, "contact_a").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "kausiraportti-980-" in response["Content-Disposition"]
    for persona in ("contact_b", "finance"):
        assert client_for(network, persona).get(url).status_code == 404, persona
    assert client_for(network, "consultant").get(url).status_code == 200  # responsible

    # the admin lists the reports with their download links
    listing = client_for(network, "staff").get(reverse("admin:usage_seasonreport_changelist"))
    assert url in listing.content.decode()


def test_a_deleted_report_takes_its_file_along(network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add_batch(network, membership=network.membership_a.pk)
    report = SeasonReport.objects.get()
    assert get_document_storage().exists(report.file)
    with django_capture_on_commit_callbacks(execute=True):
        report.delete()
    assert not get_document_storage().exists(report.file)
