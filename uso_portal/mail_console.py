"""A console e-mail backend for development (`make run`) that prints what a person reads.

Django's console backend prints the raw MIME message: a long line of the text part comes out
quoted-printable (`=` at each line end, `=3D` for `=`), so the second-factor enrolment link
printed by `make run` cannot be copied from the terminal. This one prints the headers that
matter, the decoded plain-text body with every line whole, and the names of the HTML part and
the attachments. Chosen instead of Django's when DEBUG is on and EMAIL_URL is `consolemail://`
(`uso_portal/settings.py`).
"""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")


class EmailBackend(DjangoConsoleBackend):
    def write_message(self, message) -> None:
        email = message.message()
        lines = [f"{name}: {email[name]}" for name in HEADERS if email[name]]
        text = email.get_body(preferencelist=("plain",))
        body = text.get_content() if text is not None else ""
        others = [
            part.get_filename() or part.get_content_type()
            for part in email.walk()
            if not part.is_multipart() and part is not text
        ]
        if others:
            lines.append(f"Also: {', '.join(others)}")
        self.stream.write("\n".join(lines) + "\n\n" + body.rstrip("\n") + "\n")
        self.stream.write("-" * 79 + "\n")
