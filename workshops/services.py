"""Writes of the workshops app: proposals within the quota, the workflow, deliverables,
comments and extra-workshop grants.

The quota holds under concurrency: a proposal locks its membership row before counting, so two
simultaneous proposals for the last slot are serialised and the second is told the quota is used.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.models import Membership, MembershipStatus, User
from uso_portal.uploads import delete_after_commit

from . import emails
from .models import (
    Comment,
    Deliverable,
    DeliverableKind,
    QuotaGrant,
    Workshop,
    WorkshopStatus,
    WorkshopTransition,
)
from .selectors import can_manage, quota_for

S = WorkshopStatus
TRANSITIONS: dict[str, set[str]] = {
    S.PROPOSED: {S.PLANNED, S.CANCELLED},
    S.PLANNED: {S.SCHEDULED, S.CANCELLED},
    S.SCHEDULED: {S.HELD, S.CANCELLED},
    S.HELD: {S.REPORTED},
    S.REPORTED: set(),
    S.CANCELLED: set(),
}
# Fields a municipality may still edit while its proposal waits for the consultant.
PROPOSAL_FIELDS = {"kind", "topic", "topic_other", "audiences", "title", "goals", "description"}
SCHEDULE_FIELDS = {"starts_at", "ends_at", "place", "online_link"}
EDITABLE_FIELDS = PROPOSAL_FIELDS | SCHEDULE_FIELDS | {"expected_participants"}


def _is_contact_of(user: User, membership: Membership) -> bool:
    return user.is_active and user.municipality_id == membership.municipality_id


def _check_actor(user: User, workshop: Workshop | None, membership: Membership) -> bool:
    """True for a manager (responsible consultant or network staff), False for the municipality's
    own contact; anybody else is refused."""
    if workshop is not None and can_manage(user, workshop):
        return True
    if workshop is None and can_manage(user, Workshop(membership=membership)):
        return True
    if _is_contact_of(user, membership):
        return False
    raise PermissionDenied("Not this municipality's workshop.")


def _check_topic(topic, membership: Membership) -> None:
    if topic is not None and topic.season_id != membership.season_id:
        raise ValidationError({"topic": _("The topic is not one of this season's topics.")})


def quota_used_error(total: int) -> ValidationError:
    return ValidationError(
        _("All %(total)d workshops of the season are in use (cancelled ones do not count).")
        % {"total": total},
        code="quota_used",
    )


@transaction.atomic
def workshop_propose(*, membership: Membership, actor: User, **fields) -> Workshop:
    """Propose a workshop; refused when the membership's workshops are used up."""
    _check_actor(actor, None, membership)
    membership = (
        Membership.objects.select_for_update().select_related("season").get(pk=membership.pk)
    )
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("The membership has ended; no new workshops."), code="ended")
    quota = quota_for(membership)
    if quota.remaining <= 0:
        raise quota_used_error(quota.total)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not workshop fields: {unknown}")
    _check_topic(fields.get("topic"), membership)
    workshop = Workshop(
        membership=membership,
        responsible_consultant=membership.responsible_consultant,
        proposed_by=actor,
        status=S.PROPOSED,
        **fields,
    )
    workshop.full_clean()
    workshop.save()
    WorkshopTransition.objects.create(workshop=workshop, to_status=S.PROPOSED, by=actor)
    emails.notify(workshop, "proposed", actor=actor)
    return workshop


@transaction.atomic
def workshop_update(*, workshop: Workshop, actor: User, **changes) -> Workshop:
    """Edit a workshop's details: the municipality while it is a proposal, the consultant and
    staff until it is held. A new time or place reaches calendars (SEQUENCE grows)."""
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    manager = _check_actor(actor, workshop, workshop.membership)
    allowed = EDITABLE_FIELDS if manager else PROPOSAL_FIELDS
    open_statuses = {S.PROPOSED, S.PLANNED, S.SCHEDULED} if manager else {S.PROPOSED}
    if workshop.status not in open_statuses:
        raise ValidationError(
            _("A workshop that is %(status)s can no longer be edited.")
            % {"status": workshop.get_status_display().lower()},
            code="not_editable",
        )
    refused = set(changes) - allowed
    if refused:
        raise PermissionDenied(f"cannot change {sorted(refused)}")
    _check_topic(changes.get("topic"), workshop.membership)
    rescheduled = any(
        getattr(workshop, name) != value
        for name, value in changes.items()
        if name in SCHEDULE_FIELDS
    )
    for name, value in changes.items():
        setattr(workshop, name, value)
    if rescheduled and workshop.status == S.SCHEDULED:
        workshop.sequence += 1
    workshop.full_clean()
    workshop.save()
    return workshop


def _check_transition(workshop: Workshop, to_status: str, *, manager: bool) -> None:
    current = WorkshopStatus(workshop.status)
    if to_status not in TRANSITIONS[current]:
        raise ValidationError(
            _("A workshop cannot move from “%(from)s” to “%(to)s”.")
            % {"from": current.label, "to": WorkshopStatus(to_status).label},
            code="illegal_transition",
        )
    if not manager and to_status != S.CANCELLED:
        raise ValidationError(
            _("Only the responsible consultant or the network's staff can do that."),
            code="not_allowed",
        )
    if to_status == S.SCHEDULED and not (workshop.starts_at and workshop.ends_at):
        raise ValidationError(_("Set the date and time before scheduling."), code="no_time")
    if to_status == S.SCHEDULED and not (workshop.place or workshop.online_link):
        raise ValidationError(
            _("Set the place or the online link before scheduling."), code="no_place"
        )
    if to_status == S.HELD and workshop.starts_at > timezone.now():
        raise ValidationError(
            _("A workshop is marked held once it has started."), code="not_started"
        )
    if (
        to_status == S.REPORTED
        and not workshop.deliverables.filter(kind=DeliverableKind.REPORT).exists()
    ):
        raise ValidationError(
            _("Upload the report before marking the workshop reported."), code="no_report"
        )


@transaction.atomic
def workshop_transition(
    *, workshop: Workshop, to_status: str, actor: User, note: str = "", **schedule
) -> Workshop:
    """Move a workshop along its workflow; illegal steps are refused with a clear message.

    `schedule` (starts_at, ends_at, place, online_link) may accompany the move to scheduled.
    """
    workshop = Workshop.objects.select_for_update().select_related("membership").get(pk=workshop.pk)
    manager = _check_actor(actor, workshop, workshop.membership)
    if schedule:
        if set(schedule) - SCHEDULE_FIELDS or not manager:
            raise PermissionDenied("only scheduling fields, by the consultant or staff")
        for name, value in schedule.items():
            setattr(workshop, name, value)
    _check_transition(workshop, to_status, manager=manager)
    previous = workshop.status
    workshop.status = to_status
    if to_status == S.CANCELLED and previous == S.SCHEDULED:
        workshop.sequence += 1
    workshop.full_clean()
    workshop.save()
    WorkshopTransition.objects.create(
        workshop=workshop, from_status=previous, to_status=to_status, by=actor, note=note
    )
    emails.notify(workshop, to_status, actor=actor, note=note)
    return workshop


@transaction.atomic
def deliverable_add(*, workshop: Workshop, actor: User, kind: str, title: str, file) -> Deliverable:
    if not can_manage(actor, workshop):
        raise PermissionDenied("Only the consultant or staff upload deliverables.")
    if workshop.status == S.CANCELLED:
        raise ValidationError(_("A cancelled workshop has no deliverables."), code="cancelled")
    deliverable = Deliverable(
        workshop=workshop, kind=kind, title=title, file=file, uploaded_by=actor
    )
    deliverable.full_clean()
    deliverable.save()
    emails.notify(workshop, "deliverable", actor=actor, note=title)
    return deliverable


@transaction.atomic
def comment_add(*, workshop: Workshop, actor: User, body: str) -> Comment:
    _check_actor(actor, workshop, workshop.membership)
    comment = Comment(workshop=workshop, author=actor, body=body.strip())
    comment.full_clean()
    comment.save()
    emails.notify(workshop, "comment", actor=actor, note=comment.body)
    return comment


@transaction.atomic
def quota_grant(*, membership: Membership, extra: int, reason: str, actor: User) -> QuotaGrant:
    """Give a membership extra workshops; recorded with who, when and why."""
    if actor.municipality_id is not None or not actor.has_perm("workshops.add_quotagrant"):
        raise PermissionDenied("Only staff grant extra workshops.")
    grant = QuotaGrant(membership=membership, extra=extra, reason=reason.strip(), granted_by=actor)
    grant.full_clean()
    grant.save()
    return grant


def deliverable_delete_problems(deliverable: Deliverable) -> list[str]:
    """Why `deliverable` cannot be deleted: the only report of a reported workshop."""
    workshop = Workshop.objects.get(pk=deliverable.workshop_id)
    if (
        deliverable.kind == DeliverableKind.REPORT
        and workshop.status == S.REPORTED
        and not workshop.deliverables.filter(kind=DeliverableKind.REPORT)
        .exclude(pk=deliverable.pk)
        .exists()
    ):
        return [
            _("“%(title)s” is the report of the reported workshop “%(workshop)s”.")
            % {"title": deliverable.title, "workshop": workshop.title}
        ]
    return []


@transaction.atomic
def deliverable_delete(*, deliverable: Deliverable, actor: User) -> None:
    """Delete a deliverable and, after commit, its file; a reported workshop keeps a report."""
    workshop = Workshop.objects.select_for_update().get(pk=deliverable.workshop_id)
    if not can_manage(actor, workshop):
        raise PermissionDenied("Only the consultant or staff delete deliverables.")
    problems = deliverable_delete_problems(deliverable)
    if problems:
        raise ValidationError(problems, code="last_report")
    delete_after_commit(deliverable.file)
    deliverable.delete()
