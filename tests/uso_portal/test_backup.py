"""The documented backup procedure restores: dump the test database, restore it into a scratch
database and compare every table's row count (PostgreSQL only)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from municipalities.models import Municipality

from ..municipalities.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def current_database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgresql://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def ops(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    return subprocess.run(
        [sys.executable, "ops/backup.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_restores_with_every_count_equal(tmp_path, network):
    # given data in the database and a media file
    MembershipFactory.create_batch(3)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "receipt.pdf").write_bytes(b"%PDF-1.4 receipt")
    assert Municipality.objects.count() >= 5

    # when it is backed up and the dump is verified by restoring it
    backup = ops("backup", "--out", str(tmp_path / "backup"), tmp_path=tmp_path)
    verify = ops("verify", "--dump", str(tmp_path / "backup" / "db.dump"), tmp_path=tmp_path)

    # then the restore has the same rows in every table, and the media archive has the file
    assert backup.returncode == 0, backup.stderr
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "every count equal" in verify.stdout
    import tarfile

    with tarfile.open(tmp_path / "backup" / "media.tar.gz") as archive:
        assert "media/receipt.pdf" in archive.getnames()
