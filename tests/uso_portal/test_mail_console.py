"""`make run` prints each e-mail's text decoded: a long link is printed whole, ready to copy."""

import io
import subprocess
import sys

from django.core.mail import EmailMultiAlternatives

from uso_portal.mail_console import EmailBackend

LINK = "http://127.0.0.1:8123/account/two-factor/setup/" + "eyJ1c2VyIjo0Mn0:1vQxYz:" * 6 + "a=b"


def printed(message) -> str:
    stream = io.StringIO()
    assert EmailBackend(stream=stream).send_messages([message]) == 1
    return stream.getvalue()


def test_a_long_link_is_printed_whole():
    # given an e-mail whose text has a link longer than a quoted-printable line (76)
    message = EmailMultiAlternatives(
        subject="Kaksivaiheisen tunnistautumisen käyttöönotto",
        body=f"Ota sovellus käyttöön tästä linkistä:\n{LINK}\n\nTerveisin USO",
        from_email="uso@example.fi",
        to=["staff@example.fi"],
    )
    message.attach_alternative(f'<p><a href="{LINK}">{LINK}</a></p>', "text/html")
    message.attach("ohje.txt", "ohje", "text/plain")
    # when it is printed
    output = printed(message)
    # then the link is on one line, as it is, and the text is decoded (no =3D, no soft breaks)
    assert LINK in output.splitlines()
    assert "=3D" not in output and "=\n" not in output
    assert "Subject: Kaksivaiheisen tunnistautumisen käyttöönotto" in output
    assert "To: staff@example.fi" in output
    assert "Ota sovellus käyttöön tästä linkistä:" in output
    # and the other parts are named, not dumped
    assert "Also: text/html, ohje.txt" in output
    assert "<p>" not in output


def test_make_run_uses_it_and_production_does_not():
    code = (
        "from django.conf import settings; import django; django.setup();"
        "print(settings.MAILERS['default']['BACKEND'])"
    )

    def backend(**env) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={"DJANGO_SETTINGS_MODULE": "uso_portal.settings", "PATH": "/usr/bin", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert backend(DEBUG="true") == "uso_portal.mail_console.EmailBackend"
    assert backend(DEBUG="false") == "django.core.mail.backends.console.EmailBackend"
    smtp = backend(DEBUG="true", EMAIL_URL="smtp://mail.example.fi:25")
    assert smtp == "django.core.mail.backends.smtp.EmailBackend"
