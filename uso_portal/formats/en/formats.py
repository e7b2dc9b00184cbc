"""English dates and times as the portal writes them in Finland: 1.1.2021 09:00 (24-hour clock),
not Django's US 01/01/2021 9 a.m.

Only the display formats; every other format (and the input formats) falls back to Django's."""

SHORT_DATE_FORMAT = "j.n.Y"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = "j.n.Y H:i"
DATETIME_FORMAT = "N j, Y, H:i"
