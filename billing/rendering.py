"""Rendering an issued invoice's documents from its snapshot; no database access, so it can run
in worker processes (`billing_issue` renders on every core).

The worker processes never outlive the process that started them: each asks the kernel for
SIGKILL when its parent dies (Linux `prctl(PR_SET_PDEATHSIG)`) and exits at once if the parent
is already gone by then, so a `kill -9` of `billing_issue` leaves no renderer behind.
"""

from __future__ import annotations

import ctypes
import datetime
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from .documents import InvoiceDocument

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def render_pair(
    snapshot: dict[str, Any], *, message_id: str, timestamp: datetime.datetime | None
) -> tuple[bytes, bytes]:
    """(PDF, Finvoice XML) of a snapshot; the Finvoice is validated against the XSD."""
    from .finvoice import build_validated_finvoice
    from .pdf import render_invoice_pdf

    document = InvoiceDocument.from_snapshot(snapshot)
    pdf = render_invoice_pdf(document)
    xml = build_validated_finvoice(document, message_id=message_id, timestamp=timestamp)
    return pdf, xml


def render_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of rendering processes bound to this process's life.

    "spawn": fresh processes that never share the parent's database connection (they render
    from snapshots and touch no database).
    """
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_setup,
        initargs=(os.getpid(),),
    )


def die_with_parent(parent_pid: int) -> None:
    """Be killed by the kernel when the parent dies; exit now if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error))
    if os.getppid() != parent_pid:  # the parent died before the request above
        os._exit(1)


def worker_setup(parent_pid: int | None = None) -> None:
    """Initializer of a rendering worker process."""
    if parent_pid is not None:
        die_with_parent(parent_pid)
    import django

    django.setup()


def render_job(job: tuple[int, dict[str, Any], str, datetime.datetime | None]):
    """Process-pool job: (invoice id, snapshot, message id, timestamp) → (id, pdf, xml, error)."""
    invoice_id, snapshot, message_id, timestamp = job
    try:
        pdf, xml = render_pair(snapshot, message_id=message_id, timestamp=timestamp)
    except Exception as error:  # reported back and recorded on the invoice
        return invoice_id, None, None, f"{type(error).__name__}: {error}"
    return invoice_id, pdf, xml, ""
