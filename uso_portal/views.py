"""Project-level views that belong to no domain app."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from uso_portal import leases


def background_work_problems() -> list[str]:
    """What is wrong with the background work, in one database round trip (which also proves
    that the database answers):

    - a ready task waiting longer than TASK_WORKER_MAX_WAIT: no worker picks tasks up;
    - a task running longer than TASK_LEASE: its worker died while running it;
    - a billing batch (or another app's batch, such as the analysis reports) running without
      a sign of life for BILLING_BATCH_LEASE: the same.
    """
    from billing.services.batches import abandoned_batches

    now = timezone.now()
    # abandoned batches: billing's and those of the apps registered in leases.BATCH_KINDS
    batch_parts = [abandoned_batches(now)] + [
        abandoned(now) for _name, abandoned, _resume in leases.BATCH_KINDS
    ]
    groups = [batch_parts]
    if leases.uses_database_backend():
        from django_tasks_db.models import DBTaskResult

        waiting, stuck = leases.overdue_tasks(now)
        groups += [[DBTaskResult.objects.filter(waiting)], [DBTaskResult.objects.filter(stuck)]]
    selects, params = [], []
    for group in groups:
        counted = []
        for queryset in group:
            sql, query_params = queryset.values("pk").query.sql_with_params()
            # the ORM's own SQL, its parameters passed apart: nothing typed by anyone
            counted.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")  # noqa: S608
            params += query_params
        selects.append(" + ".join(counted))
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        counts = [*cursor.fetchone(), 0, 0]
    batches, waiting, running = counts[:3]
    problems = []
    if batches:
        problems.append(f"batch abandoned: {batches} without a sign of life")
    if waiting:
        problems.append(f"task worker stalled: {waiting} waiting")
    if running:
        problems.append(f"task abandoned: {running} running longer than TASK_LEASE")
    return problems


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and benchmarks: one database round trip, a tiny body; 503 when
    background work has stalled or was abandoned by a worker that died."""
    if problems := background_work_problems():
        return HttpResponse(
            "".join(f"{problem}\n" for problem in problems), status=503, content_type="text/plain"
        )
    return HttpResponse("ok\n", content_type="text/plain")
