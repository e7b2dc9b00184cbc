"""Finland-Swedish dates: 1.1.2021 as in Finnish, not Sweden's 2021-01-01 (Django's `sv`).

Only the display formats; every other format (and the input formats) falls back to Django's."""

SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y H:i"
