"""What `rq worker` runs: one app per worker process, built like the web app (instance config,
STORYBOARD_* settings), and the digest job inside it. It lives beside the app factory so that
no feature needs to import `create_app`."""
from __future__ import annotations

from flask import Flask

from storyboard import create_app

_app: Flask | None = None


def send_digest_batch(issue_id: int, now_text: str | None = None) -> dict[str, int]:
    """The RQ job digest ticks enqueue: claim one batch of the issue and send it."""
    global _app
    if _app is None:
        _app = create_app()
    from storyboard.digest.jobs import send_batch

    with _app.app_context():
        return send_batch(issue_id, now_text)


def deliver_chat_message(delivery_id: int | None = None) -> str | None:
    """The RQ job chat webhooks enqueue: claim the delivery (None: the first one due) and post it."""
    global _app
    if _app is None:
        _app = create_app()
    from storyboard.chat.delivery import send

    with _app.app_context():
        return send(delivery_id)
