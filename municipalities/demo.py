"""Demo data of the municipalities app, and the registry other apps extend `load_demo` with.

Every demo person is fictional, with an `example.fi` address. Every step is idempotent: running
`load_demo` again changes nothing that is already there.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from .demo_dates import DemoCalendar, season_slug, season_years
from .importers import parse_municipalities_csv
from .models import (
    ContactPerson,
    ContactRole,
    Membership,
    Municipality,
    Season,
    SeasonTheme,
    User,
)
from .roles import StaffRole
from .services import ImportResult, contact_grant_portal_access, municipalities_import

MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "municipalities.csv"
DEMO_PASSWORD = "uso-demo-2021"  # noqa: S105 (demo data, printed by load_demo)
SEASON_SLUG = "2021-2022"

# The members of the demo season (municipality codes), Ylöjärvi first.
DEMO_MEMBER_CODES = (
    "980 562 186 494 444 729 543 710 434 061 075 092 111 178 179 "
    "245 272 286 297 320 398 491 535 564 609 636 687 698 851 889"
).split()

SEASON_THEMES = [
    (
        "Kestävä kuntajohtaminen",
        "Hållbart kommunalt ledarskap",
        "Sustainable municipal leadership",
        True,
    ),
    ("Strateginen johtaminen", "Strategiskt ledarskap", "Strategic leadership", False),
    ("Toimiva kaksoisjohtaminen", "Fungerande dubbelt ledarskap", "Working dual leadership", False),
]

STAFF_USERS = [
    # email, first name, last name, roles, superuser
    ("admin@example.fi", "Ilona", "Ylläpitäjä", (), True),
    ("staff@example.fi", "Elina", "Rantanen", (StaffRole.NETWORK_STAFF,), False),
    ("consultant@example.fi", "Aino", "Laaksonen", (StaffRole.CONSULTANT,), False),
    ("consultant2@example.fi", "Mikko", "Harju", (StaffRole.CONSULTANT,), False),
    ("consultant3@example.fi", "Sanna", "Koivisto", (StaffRole.CONSULTANT,), False),
    ("finance@example.fi", "Pekka", "Salo", (StaffRole.FINANCE,), False),
]

FIRST_NAMES = [
    "Anna",
    "Juha",
    "Kaisa",
    "Timo",
    "Laura",
    "Markku",
    "Heidi",
    "Petri",
    "Riikka",
    "Jari",
    "Tiina",
    "Antti",
    "Minna",
    "Sami",
    "Paula",
    "Ville",
    "Hanna",
    "Jukka",
    "Outi",
    "Kari",
]
LAST_NAMES = [
    "Mäkelä",
    "Heikkinen",
    "Lehtonen",
    "Salonen",
    "Niemi",
    "Hakala",
    "Laine",
    "Ketola",
    "Toivonen",
    "Kallio",
    "Peltola",
    "Aaltonen",
    "Huttunen",
    "Rinne",
    "Vesterinen",
    "Lindqvist",
]


@dataclass
class DemoContext:
    all_municipalities: bool = False
    # The day the demo is built for: the current season contains it (see demo_dates.py).
    today: datetime.date = field(default_factory=timezone.localdate)
    # Render the issued invoices' PDFs (tests that only count invoices skip the seconds it takes).
    render_documents: bool = True
    lines: list[str] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)


DemoStep = Callable[[DemoContext], None]
_steps: list[tuple[int, str, DemoStep]] = []


def register_demo_step(order: int, name: str) -> Callable[[DemoStep], DemoStep]:
    """Decorator for an app's idempotent demo step; steps run in `order`."""

    def decorator(step: DemoStep) -> DemoStep:
        if name not in {registered for _order, registered, _step in _steps}:
            _steps.append((order, name, step))
            _steps.sort(key=lambda item: item[0])
        return step

    return decorator


def demo_steps() -> list[tuple[int, str, DemoStep]]:
    return list(_steps)


def import_bundled_municipalities() -> ImportResult:
    with MUNICIPALITIES_CSV.open("rb") as stream:
        return municipalities_import(rows=parse_municipalities_csv(stream))


@functools.cache
def demo_password_hash() -> str:
    """One hash for every demo user: hashing is deliberately slow, and 309 of them add up."""
    return make_password(DEMO_PASSWORD)


def contact_email(municipality: Municipality) -> str:
    return f"contact.{municipality.code}@example.fi"


def _person_name(code: str, salt: int) -> tuple[str, str]:
    number = int(code) * 7 + salt * 13
    return FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[(number // 3) % len(LAST_NAMES)]


@register_demo_step(10, "municipalities")
def load_municipalities_demo(context: DemoContext) -> None:
    result = import_bundled_municipalities()
    context.say(
        f"Municipalities: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged; population figures: {result.populations_created} created."
    )
    users = _staff_users()
    season = _season()
    consultants = [users[email] for email, *_rest in STAFF_USERS if email.startswith("consultant")]
    members = demo_members(context)
    created = 0
    for index, municipality in enumerate(members):
        _billing_details(municipality)
        _membership_row, was_created = _membership(
            municipality, season, consultants[index % 3], index
        )
        created += was_created
        _contacts(municipality)
    context.say(f"Season {season.slug}: {len(members)} members ({created} new).")
    context.logins.append(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, first, last, roles, superuser in STAFF_USERS:
        role = "superuser" if superuser else ", ".join(str(r.label) for r in roles)
        context.logins.append(f"  {email:<28} {first} {last} – {role}")
    context.logins.append(
        "  contact.<code>@example.fi    municipal contact person of each member, "
        "e.g. contact.980@example.fi (Ylöjärvi), contact.562@example.fi (Orivesi)"
    )


def demo_members(context: DemoContext) -> list[Municipality]:
    """The demo's members (or every municipality), Ylöjärvi first."""
    members = (
        Municipality.objects.all()
        if context.all_municipalities
        else Municipality.objects.filter(code__in=DEMO_MEMBER_CODES)
    )
    return sorted(members, key=lambda m: (m.code != "980", m.code))


def current_season(context: DemoContext) -> Season | None:
    """The season of the living demo (None when the historic season itself is current)."""
    slug = season_slug(context.today)
    if slug <= SEASON_SLUG:
        return None
    return Season.objects.filter(slug=slug).first()


@register_demo_step(50, "current season")
def load_current_season(context: DemoContext) -> None:
    """The season running on `context.today`, with the same members as the historic one.

    Its programme, workshops and invoices come from the other apps' "current season" steps;
    everything is dated relative to `context.today` (municipalities/demo_dates.py)."""
    calendar = DemoCalendar.on(context.today)
    first, last = season_years(context.today)
    slug = season_slug(context.today)
    if slug <= SEASON_SLUG:
        context.say(f"Current season: the historic season {SEASON_SLUG} itself.")
        return
    season, _created = Season.objects.get_or_create(
        slug=slug,
        defaults={
            "name_fi": f"USO-kausi {first}–{last}",
            "name_sv": f"USO {first}–{last}",
            "name_en": f"USO season {first}–{last}",
            "start_date": calendar.start,
            "end_date": calendar.end,
        },
    )
    for position, (name_fi, name_sv, name_en, lead) in enumerate(SEASON_THEMES):
        SeasonTheme.objects.get_or_create(
            season=season,
            name_fi=name_fi,
            defaults={
                "name_sv": name_sv,
                "name_en": name_en,
                "is_lead_theme": lead,
                "position": position,
            },
        )
    emails = [email for email, *_rest in STAFF_USERS if email.startswith("consultant")]
    by_email = {user.email: user for user in User.objects.filter(email__in=emails)}
    consultants = [by_email[email] for email in emails]  # as in the historic season
    created = 0
    members = demo_members(context)
    for index, municipality in enumerate(members):
        created += _current_membership(municipality, season, consultants[index % 3], index)
    context.say(
        f"Current season {season.slug} (for {context.today:%d.%m.%Y}): {len(members)} members "
        f"({created} new)."
    )
    load_next_season(season)


def _current_membership(
    municipality: Municipality, season: Season, consultant: User, index: int
) -> bool:
    """A membership decided by the board in the autumn before the season (fictional § numbers)."""
    joined = season.start_date - datetime.timedelta(days=17 + (index * 3) % 45)
    if municipality.code == "980":
        decision, buyer_reference = (
            f"KAUPHALL {joined.day}.{joined.month}.{joined.year} § 341",
            "1106",
        )
    else:
        board = "KH" if municipality.kind == "city" else "KUNH"
        decision = f"{board} {joined.day}.{joined.month}.{joined.year} § {110 + index * 7}"
        buyer_reference = str(1000 + index * 11)
    _membership, was_created = Membership.objects.get_or_create(
        municipality=municipality,
        season=season,
        defaults={
            "joined_on": joined,
            "decision_reference": decision,
            "responsible_consultant": consultant,
            "buyer_reference": buyer_reference,
        },
    )
    return was_created


def load_next_season(current: Season) -> Season:
    """The next season, in preparation: only its Season row for now.

    The hook of the renewal work (issue 13, "Renewal and joining"): offers to the current
    members and to prospects are to be added here, from `current`. Idempotent."""
    first = current.end_date.year + 1
    season, _created = Season.objects.get_or_create(
        slug=f"{first}-{first + 1}",
        defaults={
            "name_fi": f"USO-kausi {first}–{first + 1}",
            "name_sv": f"USO {first}–{first + 1}",
            "name_en": f"USO season {first}–{first + 1}",
            "start_date": datetime.date(first, 1, 1),
            "end_date": datetime.date(first + 1, 12, 31),
            "theme_seminar_quota": current.theme_seminar_quota,
            "trustee_training_quota": current.trustee_training_quota,
            "foresight_session_quota": current.foresight_session_quota,
            "workshops_per_member": current.workshops_per_member,
        },
    )
    return season


def _staff_users() -> dict[str, User]:
    users = {}
    for email, first, last, roles, superuser in STAFF_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, first_name=first, last_name=last, is_staff=True)
            user.is_superuser = superuser
            user.password = demo_password_hash()
            user.save()
        user.groups.add(*Group.objects.filter(name__in=[role.value for role in roles]))
        users[email] = user
    return users


def _season() -> Season:
    season, _created = Season.objects.get_or_create(
        slug=SEASON_SLUG,
        defaults={
            "name_fi": "USO-kausi 2021–2022",
            "name_sv": "USO 2021–2022",
            "name_en": "USO season 2021–2022",
            "start_date": datetime.date(2021, 1, 1),
            "end_date": datetime.date(2022, 12, 31),
        },
    )
    for position, (name_fi, name_sv, name_en, lead) in enumerate(SEASON_THEMES):
        SeasonTheme.objects.get_or_create(
            season=season,
            name_fi=name_fi,
            defaults={
                "name_sv": name_sv,
                "name_en": name_en,
                "is_lead_theme": lead,
                "position": position,
            },
        )
    return season


def _billing_details(municipality: Municipality) -> None:
    if municipality.billing_street_address:
        return
    if municipality.code == "980":
        municipality.billing_street_address = "Kuruntie 14"
        municipality.billing_postal_code = "33470"
    else:
        municipality.billing_street_address = (
            "PL 1 (kirjaamo)"
            if municipality.language_status.startswith(("fi", "bilingual_fi"))
            else "PB 1 (registratur)"
        )
        municipality.billing_postal_code = f"{10000 + int(municipality.code) * 89 % 89999:05d}"
    municipality.billing_post_office = municipality.name_fi.upper()
    if municipality.business_id:
        # The OVT address is by definition 0037 + the business ID; the operator is fictional.
        municipality.einvoice_address = "0037" + municipality.business_id.replace("-", "")
        municipality.einvoice_operator = "DEMOFIHH"
    municipality.save()


def _membership(
    municipality: Municipality, season: Season, consultant: User, index: int
) -> tuple[Membership, bool]:
    if municipality.code == "980":
        decision, joined, buyer_reference = (
            "KAUPHALL 14.12.2020 § 357",
            datetime.date(2020, 12, 14),
            "1106",
        )
    else:
        joined = datetime.date(2020, 11, 16) + datetime.timedelta(days=(index * 3) % 45)
        board = "KH" if municipality.kind == "city" else "KUNH"
        decision = f"{board} {joined.day}.{joined.month}.{joined.year} § {100 + index * 7}"
        buyer_reference = str(1000 + index * 11)
    return Membership.objects.get_or_create(
        municipality=municipality,
        season=season,
        defaults={
            "joined_on": joined,
            "decision_reference": decision,
            "responsible_consultant": consultant,
            "buyer_reference": buyer_reference,
        },
    )


def _contacts(municipality: Municipality) -> None:
    email = contact_email(municipality)
    contact = ContactPerson.objects.filter(municipality=municipality, email=email).first()
    if contact is None:
        first, last = _person_name(municipality.code, 1)
        contact = ContactPerson.objects.create(
            municipality=municipality,
            name=f"{first} {last}",
            email=email,
            phone="+358 40 000 0000",
            title="Hallintojohtaja" if municipality.kind == "city" else "Kunnansihteeri",
            role=ContactRole.CONTACT_PERSON,
        )
    if contact.user_id is None:
        user = contact_grant_portal_access(contact=contact)
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    billing_email = f"billing.{municipality.code}@example.fi"
    if not ContactPerson.objects.filter(municipality=municipality, email=billing_email).exists():
        first, last = _person_name(municipality.code, 2)
        ContactPerson.objects.create(
            municipality=municipality,
            name=f"{first} {last}",
            email=billing_email,
            title="Talouspäällikkö",
            role=ContactRole.BILLING_CONTACT,
        )


@register_demo_step(90, "next season: renewal")
def load_renewal(context: DemoContext) -> None:
    """Offers of the next season to the current members and a few prospects, some answered
    (after the billing steps: an offer states the fee by the carried-over schedule)."""
    from . import renewal_demo

    season = current_season(context)
    if season is None:
        context.say("Renewal: no current season after the historic one; no offers.")
        return
    renewal_demo.load(season, load_next_season(season), say=context.say)
