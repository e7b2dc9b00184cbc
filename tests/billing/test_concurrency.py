"""On PostgreSQL: gapless numbers under 16 concurrent issuers with random rollbacks, and two
billing runs at once creating no duplicates."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from billing import services
from billing.models import Invoice, InvoiceKind, InvoiceLine
from municipalities.models import Membership

from ..municipalities.factories import MembershipFactory, MunicipalityFactory
from .factories import billable, billing_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Rollback(Exception):
    pass


def run_together(function, arguments):
    barrier = threading.Barrier(len(arguments))

    def worker(argument):
        try:
            barrier.wait()
            return function(argument)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(worker, arguments))


def test_sixteen_concurrent_issuers_with_rollbacks_leave_numbers_gapless(network):
    # given 16 members with a draft each
    billing_world(network)
    season = network.membership_a.season
    for n in range(14):
        membership = MembershipFactory(
            municipality=MunicipalityFactory(code=f"{700 + n}"), season=season
        )
        billable(membership.municipality, population=5000 + n, business_id="")
    services.billing_run(season=season, year=2021)
    drafts = list(Invoice.objects.filter(kind=InvoiceKind.ANNUAL_FEE))
    assert len(drafts) == 16
    random.seed(2021)
    doomed = {draft.pk for draft in random.sample(drafts, 5)}

    def issue(draft):
        try:
            with transaction.atomic():
                services.invoice_issue(invoice=draft, actor=network.finance)
                if draft.pk in doomed:
                    raise Rollback  # e.g. the request died after the number was taken
        except Rollback:
            return None
        return draft.pk

    # when all are issued at once and five roll back
    run_together(issue, drafts)

    # then the committed numbers are exactly 1..11 with no gap and no duplicate
    numbers = sorted(
        int(n) for n in Invoice.objects.exclude(number=None).values_list("number", flat=True)
    )
    assert numbers == list(range(1000001, 1000012))
    assert Invoice.objects.filter(pk__in=doomed, status="draft").count() == 5


def test_two_billing_runs_at_once_create_no_duplicates(network):
    billing_world(network)
    season = network.membership_a.season
    for n in range(8):
        membership = MembershipFactory(
            municipality=MunicipalityFactory(code=f"{800 + n}"), season=season
        )
        billable(membership.municipality, population=20000, business_id="")

    results = run_together(lambda _i: services.billing_run(season=season, year=2021), [1, 2])

    assert sum(result.fee_invoices_created for result in results) == 10
    assert Invoice.objects.filter(kind=InvoiceKind.ANNUAL_FEE).count() == 10
    assert InvoiceLine.objects.count() == 10
    assert Membership.objects.filter(season=season).count() == 10
