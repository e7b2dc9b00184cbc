"""Back up the portal and prove the backup restores.

    python ops/backup.py backup  --out DIR            # pg_dump (custom format) + media tarball
    python ops/backup.py verify  --dump DIR/db.dump   # restore into a scratch database, compare
    python ops/backup.py restore --dump DIR/db.dump --into postgres://…/new [--media MEDIA.tar.gz]

Uses DATABASE_URL (PostgreSQL) and MEDIA_ROOT like the portal. `verify` creates a scratch
database next to the source, restores the dump into it, compares the row count of every table
with the source and drops the scratch database; it exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point to PostgreSQL")
    return url.replace("postgres://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }


def backup(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={out / 'db.dump'}", database_url()], check=True
    )
    media = Path(os.environ.get("MEDIA_ROOT", "media"))
    with tarfile.open(out / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    print(f"backup written to {out} (db.dump, media.tar.gz)")


def restore(dump: Path, into: str, media: Path | None) -> None:
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={into}", str(dump)], check=True
    )
    if media is not None:
        target = Path(os.environ.get("MEDIA_ROOT", "media")).parent
        with tarfile.open(media) as archive:
            archive.extractall(target, filter="data")
    print(f"restored {dump} into {urlsplit(into).path.lstrip('/')}")


def verify(dump: Path) -> int:
    source = database_url()
    scratch = f"restore_check_{uuid.uuid4().hex[:8]}"
    admin = with_database(source, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{scratch}"')
    try:
        restore(dump, with_database(source, scratch), None)
        before, after = table_counts(source), table_counts(with_database(source, scratch))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    differences = {
        t: (before.get(t), after.get(t))
        for t in before.keys() | after.keys()
        if before.get(t) != after.get(t)
    }
    rows = sum(before.values())
    if differences:
        for table, (expected, restored) in sorted(differences.items()):
            print(f"DIFFERENT {table}: source {expected}, restored {restored}")
        return 1
    print(f"restore verified: {len(before)} tables, {rows} rows, every count equal")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("backup").add_argument("--out", type=Path, required=True)
    check = sub.add_parser("verify")
    check.add_argument("--dump", type=Path, required=True)
    back = sub.add_parser("restore")
    back.add_argument("--dump", type=Path, required=True)
    back.add_argument("--into", required=True)
    back.add_argument("--media", type=Path)
    options = parser.parse_args()
    if options.command == "backup":
        backup(options.out)
    elif options.command == "verify":
        sys.exit(verify(options.dump))
    else:
        restore(options.dump, options.into, options.media)


if __name__ == "__main__":
    main()
