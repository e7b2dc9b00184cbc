"""Writes of the municipalities app: imports, users, contact persons, memberships."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from uso_portal.db import transaction_lock

from .importers import ImportRejected, ParsedMunicipality, RowError
from .models import (
    ContactPerson,
    LanguageStatus,
    Membership,
    Municipality,
    PopulationFigure,
    Season,
    User,
)
from .roles import StaffRole

POPULATION_SOURCE = "Statistics Finland, population on 31 December (THL Sotkanet indicator 127)"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    populations_created: int = 0
    populations_updated: int = 0
    populations_unchanged: int = 0
    unverified_business_ids: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.created or self.updated or self.populations_created or self.populations_updated
        )


@transaction.atomic
def municipalities_import(
    *, rows: list[ParsedMunicipality], population_source: str = POPULATION_SOURCE
) -> ImportResult:
    """Upsert municipalities by code and their population figures; all or nothing."""
    transaction_lock("municipalities_import")
    result = ImportResult()
    existing = {m.code: m for m in Municipality.objects.order_by("code")}
    _check_business_ids_against_database(rows, existing)
    stored_ids = {m.pk: m.business_id for m in existing.values()}

    to_create: list[Municipality] = []
    to_update: list[Municipality] = []
    changed_fields: set[str] = set()
    now = timezone.now()
    for row in rows:
        municipality = existing.get(row.code)
        if municipality is None:
            municipality = Municipality(code=row.code, **row.fields)
            status = LanguageStatus(municipality.language_status)
            municipality.preferred_language = status.default_language
            to_create.append(municipality)
            existing[row.code] = municipality
            result.created += 1
            continue
        differing = {
            name for name, value in row.fields.items() if getattr(municipality, name) != value
        }
        if differing:
            for name in differing:
                setattr(municipality, name, row.fields[name])
            municipality.updated_at = now
            to_update.append(municipality)
            changed_fields |= differing
            result.updated += 1
        else:
            result.unchanged += 1
        if municipality.business_id and not municipality.business_id_verified:
            result.unverified_business_ids.append(municipality.code)

    # A file may move a business ID: to a new municipality, or between two (the check above
    # saw the final state). The database checks uniqueness row by row, so the IDs that change
    # are cleared first, then set, then the new municipalities take theirs.
    moving = [m.pk for m in to_update if m.business_id != stored_ids[m.pk]]
    if moving:
        Municipality.objects.filter(pk__in=moving).update(business_id="")
    # with history, so the audit trail shows what each import created or changed
    if to_update:
        bulk_update_with_history(to_update, Municipality, [*changed_fields, "updated_at"])
    bulk_create_with_history(to_create, Municipality)
    result.unverified_business_ids += [
        m.code for m in to_create if m.business_id and not m.business_id_verified
    ]
    result.unverified_business_ids.sort()
    _import_populations(rows, existing, population_source, result)
    return result


def _check_business_ids_against_database(
    rows: list[ParsedMunicipality], existing: dict[str, Municipality]
) -> None:
    final = {code: m.business_id for code, m in existing.items() if m.business_id}
    lines = {}
    for row in rows:
        final[row.code] = row.fields.get("business_id", final.get(row.code, ""))
        lines[row.code] = row.line
    holders: dict[str, list[str]] = defaultdict(list)
    for code, business_id in final.items():
        if business_id:
            holders[business_id].append(code)
    errors = [
        RowError(
            lines[code],
            "y_tunnus",
            f"business ID {business_id} already belongs to municipality "
            + ", ".join(other for other in codes if other != code),
        )
        for business_id, codes in holders.items()
        if len(codes) > 1
        for code in codes
        if code in lines
    ]
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.line))


def _import_populations(
    rows: list[ParsedMunicipality],
    municipalities: dict[str, Municipality],
    source: str,
    result: ImportResult,
) -> None:
    figures = {
        (figure.municipality_id, figure.reference_date): figure
        for figure in PopulationFigure.objects.filter(
            municipality__code__in=[row.code for row in rows]
        )
    }
    to_create: list[PopulationFigure] = []
    to_update: list[PopulationFigure] = []
    for row in rows:
        municipality = municipalities[row.code]
        for reference_date, population in row.populations.items():
            figure = figures.get((municipality.pk, reference_date))
            if figure is None:
                to_create.append(
                    PopulationFigure(
                        municipality=municipality,
                        reference_date=reference_date,
                        population=population,
                        source=source,
                    )
                )
            elif figure.population != population:
                figure.population = population
                figure.source = source
                to_update.append(figure)
            else:
                result.populations_unchanged += 1
    PopulationFigure.objects.bulk_create(to_create)
    PopulationFigure.objects.bulk_update(to_update, ["population", "source"])
    result.populations_created = len(to_create)
    result.populations_updated = len(to_update)


# --- Users and contact persons --------------------------------------------------------------


def staff_user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    roles: tuple[StaffRole, ...] = (),
    is_superuser: bool = False,
) -> User:
    """A network staff, consultant or finance user: staff status, rights from role groups."""
    user = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    return user


@transaction.atomic
def contact_person_create(
    *,
    municipality: Municipality,
    name: str,
    email: str = "",
    phone: str = "",
    title: str = "",
    role: str = ContactPerson._meta.get_field("role").default,
) -> ContactPerson:
    contact = ContactPerson(
        municipality=municipality,
        name=name,
        email=email.lower(),
        phone=phone,
        title=title,
        role=role,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_person_update(*, contact: ContactPerson, **changes) -> ContactPerson:
    for name, value in changes.items():
        setattr(contact, name, value.lower() if name == "email" else value)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_grant_portal_access(*, contact: ContactPerson, password: str | None = None) -> User:
    """Give a contact person a portal login linked to their municipality.

    Without a password the account gets an unusable one: the person sets their own through
    the password-reset e-mail.
    """
    if contact.user_id is not None:
        return contact.user
    if not contact.email:
        raise ValidationError(_("A portal login needs the contact person's e-mail address."))
    user = User.objects.filter(email__iexact=contact.email).first()
    if user is not None and user.municipality_id != contact.municipality_id:
        raise ValidationError(
            _("The e-mail address %(email)s already belongs to a user of another organisation.")
            % {"email": contact.email}
        )
    if user is None:
        first_name, _space, last_name = contact.name.partition(" ")
        user = User(
            email=contact.email,
            first_name=first_name,
            last_name=last_name,
            municipality=contact.municipality,
            language=contact.municipality.preferred_language,
        )
        user.set_password(password)
        user.full_clean()
        user.save()
    contact.user = user
    contact.save(update_fields=["user", "updated_at"])
    return user


# --- Seasons and memberships ----------------------------------------------------------------


def membership_create(
    *,
    municipality: Municipality,
    season: Season,
    joined_on: datetime.date,
    decision_reference: str = "",
    responsible_consultant: User | None = None,
    buyer_reference: str = "",
) -> Membership:
    if responsible_consultant is not None and not responsible_consultant.has_role(
        StaffRole.CONSULTANT
    ):
        raise ValidationError(
            {
                "responsible_consultant": _(
                    "The responsible consultant must have the consultant role."
                )
            }
        )
    membership = Membership(
        municipality=municipality,
        season=season,
        joined_on=joined_on,
        decision_reference=decision_reference,
        responsible_consultant=responsible_consultant,
        buyer_reference=buyer_reference,
    )
    membership.full_clean()
    membership.save()
    return membership


def user_logout_everywhere(*, user: User) -> None:
    """End every session of the user, on every device (this one included)."""
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)


# --- Deleting in the admin ------------------------------------------------------------------
# Rows other apps refer to are protected by their foreign keys (the admin lists them); these
# are the rules no foreign key can express.


def membership_delete_problems(membership: Membership) -> list[str]:
    """Why a membership cannot be deleted: its people are registered to the season's events
    (without it they would hold seats of a non-member). End it instead."""
    membership = Membership.objects.select_related("municipality", "season").get(pk=membership.pk)
    registered = (
        membership.municipality.registrations.filter(event__season_id=membership.season_id)
        .exclude(status="cancelled")
        .count()
    )
    if registered:
        return [
            _(
                "%(membership)s: %(count)d active registration(s) to the season's events; "
                "end the membership or cancel them first."
            )
            % {"membership": membership, "count": registered}
        ]
    return []


@transaction.atomic
def membership_delete(*, membership: Membership) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    problems = membership_delete_problems(membership)
    if problems:
        raise ValidationError(problems, code="has_registrations")
    membership.delete()


def contact_person_delete_problems(contact: ContactPerson) -> list[str]:
    """Why a contact person cannot be deleted: their portal login would stay active."""
    if User.objects.filter(pk=contact.user_id, is_active=True).exists():
        return [
            _(
                "%(name)s has an active portal login; deactivate the login (Users) or mark the "
                "person inactive instead."
            )
            % {"name": contact.name}
        ]
    return []


@transaction.atomic
def contact_person_delete(*, contact: ContactPerson) -> None:
    contact = ContactPerson.objects.select_for_update().get(pk=contact.pk)
    problems = contact_person_delete_problems(contact)
    if problems:
        raise ValidationError(problems, code="has_login")
    contact.delete()
