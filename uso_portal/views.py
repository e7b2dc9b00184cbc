"""Project-level views that belong to no domain app."""

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

DB_BACKEND = "django_tasks_db.DatabaseBackend"


def stale_tasks() -> int:
    """Tasks waiting longer than TASK_WORKER_MAX_WAIT: a missing worker heartbeat.

    With the database task backend, a running `db_worker` picks every ready task within seconds;
    tasks still waiting after the limit mean the worker is down. Otherwise `SELECT 1`. One query
    either way, which also proves the database answers.
    """
    if settings.TASKS["default"]["BACKEND"] != DB_BACKEND:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return 0
    from django_tasks_db.models import DBTaskResult, get_date_max

    limit = timezone.now() - datetime.timedelta(seconds=settings.TASK_WORKER_MAX_WAIT)
    overdue = Q(run_after=get_date_max(), enqueued_at__lt=limit) | Q(run_after__lt=limit)
    return DBTaskResult.objects.filter(status="READY").filter(overdue).count()


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and benchmarks: one database round trip, a tiny body; 503 when the
    task worker has stopped picking up work."""
    waiting = stale_tasks()
    if waiting:
        return HttpResponse(
            f"task worker stalled: {waiting} waiting\n", status=503, content_type="text/plain"
        )
    return HttpResponse("ok\n", content_type="text/plain")
