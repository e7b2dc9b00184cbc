"""The one error of the PxWeb importer: a table refused, with a one-line reason."""

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class TableRefused(Exception):
    """The table is not imported; nothing was changed. `str()` is one printable line."""

    def __init__(self, reason: str):
        line = CONTROL.sub(" ", str(reason)).strip()
        super().__init__(line if len(line) <= 300 else f"{line[:299]}…")
