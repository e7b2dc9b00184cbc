"""Finland-Swedish dates and times: 1.1.2021 kl. 9.00 as in Finnish, not Sweden's 2021-01-01 09:00
(Django's `sv`).

Only the display formats; every other format (and the input formats) falls back to Django's."""

SHORT_DATE_FORMAT = "j.n.Y"
TIME_FORMAT = "G.i"
SHORT_DATETIME_FORMAT = "j.n.Y G.i"
DATETIME_FORMAT = "j F Y G.i"
