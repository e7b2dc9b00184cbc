"""Helpers of the outbox tests: a mail server that is down (a closed port on 127.0.0.1) and a
real one (aiosmtpd) that counts what it receives."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy


def closed_port() -> int:
    """A TCP port of 127.0.0.1 that nobody listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_mailers(port: int) -> dict:
    """MAILERS of the real SMTP backend at 127.0.0.1:port (what EMAIL_URL=smtp://… makes)."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@contextmanager
def mail_server_down(settings):
    """The real SMTP backend pointed at a closed port while the block runs."""
    saved = settings.MAILERS
    settings.MAILERS = smtp_mailers(closed_port())
    try:
        yield
    finally:
        settings.MAILERS = saved


@dataclass
class Received:
    """What the SMTP server was given: one entry per message and RCPT."""

    envelopes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self) -> list:
        with self.lock:
            return [
                message_from_bytes(envelope.original_content, policy=policy.default)
                for envelope in self.envelopes
            ]

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(rcpt for envelope in self.envelopes for rcpt in envelope.rcpt_tos)


@contextmanager
def smtp_server(port: int | None = None):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 in a thread; yields (port, Received)."""
    from aiosmtpd.controller import Controller

    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=port or closed_port())
    controller.start()
    try:
        yield controller.port, received
    finally:
        controller.stop()


def send_outbox() -> None:
    """What the cron job does: send every due message."""
    from outbox.services import messages_send_due

    messages_send_due()
