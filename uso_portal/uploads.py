"""Uploaded files: checked for type and size, stored outside the static root.

Files live under `MEDIA_ROOT/private/` and are never served by a URL of their own: each app
serves them through a view that checks the user's right to the object first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.forms import ClearableFileInput
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _


class PrivateStorage(LazyObject):
    """FileSystemStorage under MEDIA_ROOT/private, without a public base URL."""

    def _setup(self) -> None:
        self._wrapped = FileSystemStorage(location=f"{settings.MEDIA_ROOT}/private", base_url=None)


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage


@dataclass(frozen=True)
class FileKind:
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...]  # any of these at the start of the file
    content_type: str


ZIP = (b"PK\x03\x04",)
FILE_KINDS = {
    "pdf": FileKind((".pdf",), (b"%PDF-",), "application/pdf"),
    "png": FileKind((".png",), (b"\x89PNG\r\n\x1a\n",), "image/png"),
    "jpeg": FileKind((".jpg", ".jpeg"), (b"\xff\xd8\xff",), "image/jpeg"),
    "docx": FileKind(
        (".docx",), ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "xlsx": FileKind(
        (".xlsx",), ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "pptx": FileKind(
        (".pptx",), ZIP, "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
DOCUMENTS = ("pdf", "docx", "xlsx", "pptx", "png", "jpeg")
RECEIPTS = ("pdf", "png", "jpeg")


def kind_of(name: str) -> FileKind | None:
    suffix = PurePath(name).suffix.lower()
    return next((kind for kind in FILE_KINDS.values() if suffix in kind.extensions), None)


@deconstructible
class UploadValidator:
    """Accept only the given file kinds (by extension and by content) up to a size limit."""

    def __init__(self, kinds: tuple[str, ...] = DOCUMENTS, max_megabytes: int | None = None):
        self.kinds = tuple(kinds)
        self.max_megabytes = max_megabytes

    def __call__(self, file) -> None:
        limit = self.max_megabytes or settings.UPLOAD_MAX_MEGABYTES
        if file.size > limit * 1024 * 1024:
            raise ValidationError(
                _("The file is too large (%(size).1f MB); the limit is %(limit)d MB."),
                code="file_too_large",
                params={"size": file.size / 1024 / 1024, "limit": limit},
            )
        kind = kind_of(file.name)
        allowed = [FILE_KINDS[name] for name in self.kinds]
        extensions = ", ".join(ext for k in allowed for ext in k.extensions)
        if kind is None or kind not in allowed:
            raise ValidationError(
                _("Files of this type are not accepted. Accepted types: %(extensions)s."),
                code="file_type",
                params={"extensions": extensions},
            )
        position = file.tell() if hasattr(file, "tell") else 0
        file.seek(0)
        head = file.read(16)
        file.seek(position)
        if not any(head.startswith(signature) for signature in kind.signatures):
            raise ValidationError(
                _("The file's content does not match its name (%(name)s)."),
                code="file_content",
                params={"name": PurePath(file.name).name},
            )

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, UploadValidator)
            and self.kinds == other.kinds
            and self.max_megabytes == other.max_megabytes
        )


class PrivateFileInput(ClearableFileInput):
    """File input for private files: names the current file without linking to storage
    (which serves nothing); admins link to the permission-checked download view instead."""

    template_name = "includes/private_file_input.html"


def serve_private(field_file, *, filename: str = "", content_type: str | None = None):
    """A download of a private file, for a view that has already checked the user's right to it.

    A missing or empty file is a 404, never a server error.
    """
    from django.http import FileResponse, Http404

    if not field_file:
        raise Http404("The file is not ready yet.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error
    name = filename or field_file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


def delete_after_commit(stored) -> None:
    """Remove a stored file once the transaction that dropped its row commits (never before:
    a rollback keeps the row, which still needs the file)."""
    name, storage = stored.name, stored.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
