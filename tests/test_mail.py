"""The mail module against a real SMTP server, and the outbox fallback."""
from pathlib import Path

import pytest

from storyboard import mail


def test_one_connection_sends_every_message(app, ctx, smtp_server):
    messages = [mail.build_message(f"p{i}@example.com", f"Hello {i}", "Body text", "<p>Body</p>") for i in range(3)]
    assert mail.send(messages) == 3
    assert [m["To"] for m in smtp_server.messages] == ["p0@example.com", "p1@example.com", "p2@example.com"]
    received = smtp_server.messages[0]
    assert received.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in received.get_payload()]
    assert parts == ["text/plain", "text/html"]  # plain text first, HTML last
    assert received["Message-ID"].endswith("@localhost>")


def test_header_injection_is_refused(app, ctx):
    with pytest.raises(ValueError):
        mail.build_message("a@example.com", "Hi\r\nBcc: victim@example.com", "text")


def test_outbox_when_no_server_is_configured(app, ctx):
    mail.send([mail.build_message("a@example.com", "Stored", "text")])
    [path] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    assert b"Subject: Stored" in path.read_bytes()


def test_sending_nothing_opens_no_connection(app, ctx, smtp_server):
    assert mail.send([]) == 0
    assert smtp_server.messages == []
