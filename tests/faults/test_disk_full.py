"""The portal with a full disk: invoices are issued (their numbers are safe in the database),
their documents are "Rendering failed" with the reason (never "pending", never a partial or
0-byte file), the admin answers with its pages and messages (never a 500), and once there is
room again "Render missing or failed documents again" makes them.

Two full disks: a storage that raises ENOSPC on every write (as a full volume or a quota does),
and a real tmpfs of a few kilobytes mounted as MEDIA_ROOT, so the kernel refuses the write half
way through the file (mounting needs root; without it that test says why it is skipped).
"""

import errno
import io
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from billing import services
from billing.models import BatchStatus, BillingBatch, DocumentStatus, Invoice, InvoiceStatus
from billing.storage import AtomicFileSystemStorage, _partial_prefix

from ..billing.factories import billing_world
from ..billing.test_admin import act
from ..conftest import client_for

pytestmark = pytest.mark.django_db

NO_SPACE = os.strerror(errno.ENOSPC)  # "No space left on device"


class FullDiskStorage(AtomicFileSystemStorage):
    """Every write fails as on a full volume."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, NO_SPACE, self.path(name))


@pytest.fixture
def drafts(network):
    billing_world(network)
    services.billing_run(season=network.membership_a.season, year=2021)
    return network


def disk_is_full():
    return override_settings(
        STORAGES={
            **settings.STORAGES,
            "invoice_documents": {"BACKEND": f"{__name__}.FullDiskStorage"},
        }
    )


@pytest.fixture
def full_disk():
    with disk_is_full():
        yield


def stored_files() -> list[Path]:
    root = Path(AtomicFileSystemStorage().location) / "billing"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_issuing_in_the_admin_with_a_full_disk_answers_with_the_progress_not_a_500(
    drafts, django_capture_on_commit_callbacks
):
    # given finance issuing the season's drafts while the disk is full
    finance = client_for(drafts, "finance")
    selected = list(Invoice.objects.filter(status=InvoiceStatus.DRAFT))
    before = stored_files()

    # when
    with disk_is_full():
        with django_capture_on_commit_callbacks(execute=True):
            response = act(finance, "invoice", "issue", *selected)
        page = finance.get(response["Location"])

    # then the invoices are issued, their documents "Rendering failed" with the reason
    assert response.status_code == 302
    assert page.status_code == 200
    batch = BillingBatch.objects.get()
    assert (batch.status, batch.total, batch.rendered, batch.failed) == (
        BatchStatus.FINISHED,
        2,
        0,
        2,
    )
    for invoice in Invoice.objects.all():
        assert invoice.status == InvoiceStatus.ISSUED
        assert invoice.document_status == DocumentStatus.FAILED
        assert NO_SPACE in invoice.render_error
        assert not invoice.pdf and not invoice.finvoice
    assert NO_SPACE in page.text
    assert stored_files() == before

    # when there is room again and finance renders them again
    with django_capture_on_commit_callbacks(execute=True):
        act(finance, "invoice", "retry_documents", *Invoice.objects.all())

    # then
    for invoice in Invoice.objects.all():
        assert services.documents_problem(invoice) is None


def test_billing_issue_with_a_full_disk_reports_each_invoice_and_exits_1(drafts, full_disk):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "billing_issue",
            "--season=2021-2022",
            "--year=2021",
            "--workers=1",
            f"--as={drafts.finance.email}",
            stdout=out,
        )
    assert exit_.value.code == 1
    problems = [line for line in out.getvalue().splitlines() if line.startswith("PROBLEM")]
    assert len(problems) == 2 and all(NO_SPACE in line for line in problems)
    assert {invoice.document_status for invoice in Invoice.objects.all()} == {"failed"}


# --- A real full disk: a tiny tmpfs ------------------------------------------------------------


@pytest.fixture
def tiny_disk(settings):
    """A 256 KiB tmpfs as MEDIA_ROOT, filled up to its last 12 KiB."""
    mount_point = tempfile.mkdtemp(prefix="uso-full-disk-")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount_point],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        os.rmdir(mount_point)
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        settings.MEDIA_ROOT = mount_point
        free = os.statvfs(mount_point)
        room = free.f_bavail * free.f_frsize
        Path(mount_point, "filler").write_bytes(b"\0" * (room - 12 * 1024))
        yield Path(mount_point)
    finally:
        subprocess.run(["umount", "-l", mount_point], check=False)
        os.rmdir(mount_point)


def files_under(root: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(path.relative_to(root)), path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file() and path.name != "filler"
    )


def test_a_real_full_disk_leaves_rendering_failed_and_no_partial_file(drafts, tiny_disk):
    # given an issued invoice
    draft = Invoice.objects.filter(status=InvoiceStatus.DRAFT).first()
    invoice = services.invoice_issue(invoice=draft, actor=drafts.finance)

    # when its documents (a PDF of tens of kilobytes) are stored on the full disk
    with translation.override("en"):
        services.render_documents(invoice)

    # then the kernel's ENOSPC is recorded, and nothing is left half-written
    invoice.refresh_from_db()
    assert invoice.document_status == DocumentStatus.FAILED
    assert NO_SPACE in invoice.render_error
    assert files_under(tiny_disk) == []


def test_the_control_a_plain_storage_leaves_a_partial_file_on_the_same_disk(tiny_disk):
    # what the documents stored before: Django's FileSystemStorage writes in place
    plain = FileSystemStorage(location=tiny_disk / "private")
    with pytest.raises(OSError, match=NO_SPACE):
        plain.save("billing/pdf/1000001.pdf", io.BytesIO(b"%PDF" + b"x" * 64 * 1024))
    left = files_under(tiny_disk)
    assert [name for name, _size in left] == ["private/billing/pdf/1000001.pdf"]
    assert left[0][1] < 64 * 1024  # partial (or empty): the file a finance export would ship


def test_a_write_killed_half_way_leaves_a_temporary_file_the_next_write_removes(tmp_path):
    # given the temporary files of two writers of 1000001.pdf: one killed, one still writing
    storage = AtomicFileSystemStorage(location=tmp_path)
    folder = tmp_path / "billing" / "pdf"
    folder.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    killed = folder / f"{_partial_prefix('1000001.pdf', dead.pid)}x1"
    writing = folder / f"{_partial_prefix('1000001.pdf')}x2"
    other = folder / f"{_partial_prefix('1000002.pdf', dead.pid)}x3"
    for path in (killed, writing, other):
        path.write_bytes(b"%PDF half")

    # when the document is written again
    storage.save("billing/pdf/1000001.pdf", io.BytesIO(b"%PDF whole"))

    # then the dead writer's file of that name is gone; the live writer's and others' stay
    assert (folder / "1000001.pdf").read_bytes() == b"%PDF whole"
    assert not killed.exists()
    assert writing.exists() and other.exists()
