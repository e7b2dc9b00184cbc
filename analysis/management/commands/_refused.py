"""The one message of a refused import file, shared by the analysis' import commands."""

from pathlib import Path

from django.core.management.base import CommandError

from municipalities.importers import ImportRejected

SHOWN = 200


def refused(path: Path, rejected: ImportRejected) -> CommandError:
    lines = "\n".join(f"  {error}" for error in rejected.errors[:SHOWN])
    more = len(rejected.errors) - SHOWN
    tail = f"\n  … and {more} more" if more > 0 else ""
    return CommandError(
        f"{path} was refused; nothing was imported. {len(rejected.errors)} problem(s):\n"
        f"{lines}{tail}"
    )
