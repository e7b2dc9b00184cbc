"""Settings and project-level behaviour: deploy checks, health check, security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "uso.example.fi",
    "CSRF_TRUSTED_ORIGINS": "https://uso.example.fi",
    "DATABASE_URL": "sqlite:///:memory:",
    "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.fi:587",
    "DJANGO_SETTINGS_MODULE": "uso_portal.settings",
}


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_console_email_fails_check_deploy():
    environment = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **environment)
    assert result.returncode != 0
    assert "mail.E001" in result.stderr + result.stdout


def test_default_secret_key_fails_check_deploy():
    environment = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **environment)
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_localisation_settings():
    assert settings.LANGUAGE_CODE == "fi"
    assert [code for code, _name in settings.LANGUAGES] == ["fi", "sv", "en"]
    assert settings.TIME_ZONE == "Europe/Helsinki"
    assert settings.USE_TZ


@pytest.mark.django_db
def test_healthz_answers_after_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_security_headers_and_csp_without_inline(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(client):
    html = client.get("/").text
    assert "<script>" not in html and "<script " not in html.replace('<script src="', "")
    assert " style=" not in html
    assert "<style" not in html


def test_postgres_connections_are_persistent_and_health_checked():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        DATABASE_URL="postgres://user@db.example.fi:5432/uso",
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "600", "True"], result.stderr


def test_email_url_configures_the_default_mailer():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; m = settings.MAILERS['default']; "
        "print(m['BACKEND'], m['OPTIONS']['host'], m['OPTIONS']['port'], m['OPTIONS']['use_tls'])",
        EMAIL_URL="smtp+tls://user:secret@smtp.example.fi:587",
    )
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.fi",
        "587",
        "True",
    ], result.stderr


@pytest.mark.django_db
def test_healthz_reports_a_stalled_task_worker(settings, django_assert_num_queries):
    import datetime

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client = Client()
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200
    # given a task that has waited far longer than a running worker would let it
    task = DBTaskResult.objects.create(
        task_path="billing.tasks.render_invoice_documents",
        args_kwargs={"args": [1], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        run_after=get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(seconds=settings.TASK_WORKER_MAX_WAIT + 60)
    )
    # then the health check fails, so the load balancer and monitoring notice
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"task worker stalled" in response.content


def test_json_logging_is_one_object_per_line():
    import json
    import logging

    from uso_portal.logging import JsonFormatter

    record = logging.LogRecord(
        "billing", logging.ERROR, __file__, 1, "issue %s failed", ("1000001",), None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "ERROR",
        "billing",
        "issue 1000001 failed",
    )
    assert entry["time"].endswith("+00:00")
