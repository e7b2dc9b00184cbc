"""Where invoice documents are stored: atomically, under MEDIA_ROOT/private.

A document is a voucher: it is either there whole or not at all. `AtomicFileSystemStorage`
writes to a temporary file in the target directory, flushes it to disk and renames it over the
name, so a full disk or a killed process leaves no partial (or 0-byte) file behind, only the old
state. The name is the invoice number, so a render that is repeated after a crash replaces the
file of the attempt that died instead of adding a second one, and removes the temporary file
such an attempt left behind.

The storage is the `invoice_documents` entry of `STORAGES` (a test swaps in one that fails).
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, cached_property, empty

ALIAS = "invoice_documents"

_UMASK = os.umask(0)
os.umask(_UMASK)


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage (default location MEDIA_ROOT/private) whose writes are atomic renames
    of a fully written temporary file; an existing file of the same name is replaced."""

    def __init__(self, location=None, *, durable: bool = True, **kwargs):
        # durable: fsync before the rename, so the file survives a power cut too (the test
        # settings turn it off for speed; atomicity does not depend on it)
        self.durable = durable
        kwargs.setdefault("allow_overwrite", True)
        kwargs.setdefault("base_url", None)
        super().__init__(location=location, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, os.path.join(settings.MEDIA_ROOT, "private"))

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        base = os.path.basename(full_path)
        _remove_abandoned_partials(directory, base)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=_partial_prefix(base))
        try:
            with os.fdopen(handle, "wb") as target:
                for chunk in content.chunks():
                    target.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                target.flush()
                if self.durable:
                    os.fsync(target.fileno())
            mode = self.file_permissions_mode
            os.chmod(temporary, mode if mode is not None else 0o666 & ~_UMASK)
            os.replace(temporary, full_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return os.path.relpath(full_path, self.location).replace("\\", "/")


PARTIAL = ".partial-"


def _partial_prefix(base: str, pid: int | None = None) -> str:
    """The temporary file of a write names its writer: host, process and the final name."""
    return f"{PARTIAL}{socket.gethostname()}-{pid or os.getpid()}-{base}-"


def _remove_abandoned_partials(directory: str, base: str) -> None:
    """A writer killed mid-write (SIGKILL) leaves its temporary file: remove those of this name
    whose writing process, on this host, is gone."""
    host = f"{PARTIAL}{socket.gethostname()}-"
    for entry in os.scandir(directory):
        if not entry.name.startswith(host):
            continue
        pid, _, rest = entry.name[len(host) :].partition("-")
        if not pid.isdigit() or not rest.startswith(f"{base}-") or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DocumentStorage(LazyObject):
    """`storages["invoice_documents"]`, looked up again after a settings change (tests)."""

    def _setup(self) -> None:
        self._wrapped = storages[ALIAS]


document_storage = DocumentStorage()


def get_document_storage() -> DocumentStorage:
    return document_storage


def _reset(*, setting: str, **kwargs) -> None:
    if setting in ("STORAGES", "MEDIA_ROOT"):
        document_storage._wrapped = empty


setting_changed.connect(_reset)
