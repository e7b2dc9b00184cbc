"""The workshop quota: five per member, cancelled ones free a slot, staff grants raise it."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from workshops import services
from workshops.models import Workshop, WorkshopStatus
from workshops.selectors import quota_for

from .factories import ScheduledWorkshopFactory, WorkshopFactory, WorkshopTopicFactory

PROPOSAL = {
    "kind": "workshop",
    "title": "Strategiatyöpaja",
    "topic_other": "Strategia",
    "audiences": ["officials"],
}


def propose(network, **overrides):
    return services.workshop_propose(
        membership=network.membership_a, actor=network.contact_a, **{**PROPOSAL, **overrides}
    )


@pytest.mark.django_db
def test_exactly_five_workshops_count(network):
    # given four workshops in different counted states and one cancelled
    WorkshopFactory(membership=network.membership_a, status=WorkshopStatus.PROPOSED)
    WorkshopFactory(membership=network.membership_a, status=WorkshopStatus.PLANNED)
    for status in (WorkshopStatus.HELD, WorkshopStatus.REPORTED):
        ScheduledWorkshopFactory(membership=network.membership_a, status=status)
    WorkshopFactory(membership=network.membership_a, status=WorkshopStatus.CANCELLED)
    assert quota_for(network.membership_a).used == 4
    # when the fifth is proposed, it is accepted; the sixth is refused
    propose(network)
    with pytest.raises(ValidationError) as refused:
        propose(network, title="Kuudes")
    assert refused.value.code == "quota_used"
    assert not Workshop.objects.filter(title="Kuudes").exists()
    quota = quota_for(network.membership_a)
    assert (quota.total, quota.used, quota.remaining) == (5, 5, 0)


@pytest.mark.django_db
def test_cancelling_frees_a_slot(network):
    workshops = [propose(network, title=f"Työpaja {n}") for n in range(5)]
    services.workshop_transition(
        workshop=workshops[0], to_status="cancelled", actor=network.contact_a
    )
    assert quota_for(network.membership_a).remaining == 1
    propose(network, title="Korvaava")
    assert quota_for(network.membership_a).remaining == 0


@pytest.mark.django_db
def test_staff_grant_raises_the_quota_and_is_recorded(network):
    for n in range(5):
        propose(network, title=f"Työpaja {n}")
    grant = services.quota_grant(
        membership=network.membership_a, extra=2, reason="Valtuustoseminaari", actor=network.staff
    )
    assert (grant.granted_by, grant.reason) == (network.staff, "Valtuustoseminaari")
    assert quota_for(network.membership_a).total == 7
    propose(network, title="Kuudes")
    propose(network, title="Seitsemäs")
    with pytest.raises(ValidationError):
        propose(network, title="Kahdeksas")


@pytest.mark.django_db
def test_only_staff_grant_and_a_reason_is_required(network):
    for actor in (network.contact_a, network.consultant, network.finance):
        with pytest.raises(PermissionDenied):
            services.quota_grant(membership=network.membership_a, extra=1, reason="x", actor=actor)
    with pytest.raises(ValidationError):
        services.quota_grant(
            membership=network.membership_a, extra=1, reason="  ", actor=network.staff
        )
    with pytest.raises(ValidationError):
        services.quota_grant(
            membership=network.membership_a, extra=0, reason="Ei mitään", actor=network.staff
        )


@pytest.mark.django_db
def test_the_season_quota_is_data(network):
    season = network.membership_a.season
    season.workshops_per_member = 2
    season.save()
    propose(network, title="1")
    propose(network, title="2")
    with pytest.raises(ValidationError):
        propose(network, title="3")


@pytest.mark.django_db
def test_quotas_are_per_membership(network):
    for n in range(5):
        propose(network, title=f"A{n}")
    services.workshop_propose(membership=network.membership_b, actor=network.contact_b, **PROPOSAL)
    assert quota_for(network.membership_b).used == 1


@pytest.mark.django_db
def test_proposal_rules(network):
    other_topic = WorkshopTopicFactory(
        season__slug="2019-2020", season__start_date="2019-01-01", season__end_date="2020-12-31"
    )
    with pytest.raises(ValidationError):
        propose(network, topic=other_topic, topic_other="")
    with pytest.raises(ValidationError):
        propose(network, audiences=[])
    with pytest.raises(ValidationError):
        propose(network, audiences=["aliens"])
    with pytest.raises(PermissionDenied):
        services.workshop_propose(
            membership=network.membership_b, actor=network.contact_a, **PROPOSAL
        )
    network.membership_a.status = "ended"
    network.membership_a.ended_on = "2021-12-31"
    network.membership_a.save()
    with pytest.raises(ValidationError) as ended:
        propose(network)
    assert ended.value.code == "ended"


@pytest.mark.django_db
def test_consultant_proposes_for_their_municipality(network):
    workshop = services.workshop_propose(
        membership=network.membership_a, actor=network.consultant, **PROPOSAL
    )
    assert workshop.proposed_by == network.consultant
    assert workshop.responsible_consultant == network.consultant


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_proposals_for_the_last_slot(network):
    # given four of five in use
    for n in range(4):
        propose(network, title=f"Työpaja {n}")
    barrier = threading.Barrier(2)

    def attempt(title):
        try:
            barrier.wait()
            propose(network, title=title)
            return "ok"
        except ValidationError as error:
            return error.code
        finally:
            connection.close()

    # when two people propose at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(attempt, ["Ehdotus 1", "Ehdotus 2"]))

    # then one succeeds and the other is told the quota is used
    assert results == ["ok", "quota_used"]
    assert Workshop.objects.filter(membership=network.membership_a).count() == 5
