"""Database helpers shared by the apps."""

import zlib

from django.db import connection


def transaction_lock(name: str) -> None:
    """Serialise a job across processes until the current transaction ends.

    On PostgreSQL this takes a transaction-level advisory lock keyed by `name`; SQLite allows one
    writer at a time anyway. Call it inside `transaction.atomic()`.
    """
    if connection.vendor == "postgresql":
        key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit key
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
