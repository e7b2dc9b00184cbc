"""Grant the events app's permissions to the staff roles.

Network staff run the programme; consultants (FCG experts) help run events and mark attendance;
finance reads participation for reporting.
"""

from django.db import migrations

from municipalities.roles import ALL, VIEW, grant_permissions

GRANTS = {
    "network_staff": {
        "events.event": ALL,
        "events.eventseries": ALL,
        "events.eventmaterial": ALL,
        "events.registration": ALL,
        "events.announcement": ALL,
        "events.announcementattachment": ALL,
        "events.calendarfeed": ("view", "change"),
    },
    "consultant": {
        "events.event": ("view", "add", "change"),
        "events.eventseries": VIEW,
        "events.eventmaterial": ALL,
        "events.registration": ("view", "add", "change"),
        "events.announcement": ("view", "add", "change"),
        "events.announcementattachment": ALL,
    },
    "finance": {
        "events.event": VIEW,
        "events.registration": VIEW,
    },
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("municipalities", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
