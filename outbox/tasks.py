"""The outbox's task (Django's Tasks API): send one message. Enqueued after the commit that
queued the message; again with `run_after` for a retry where the backend can defer."""

from django.tasks import task


@task
def send_message(message_id: int) -> str | None:
    from .services import message_send

    return message_send(message_id=message_id)
