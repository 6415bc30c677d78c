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


def test_a_subject_with_line_breaks_becomes_one_line_and_adds_no_header(app, ctx):
    message = mail.build_message("a@example.com", "Hi\r\nBcc: victim@example.com", "text")
    assert message["Subject"] == "Hi Bcc: victim@example.com"
    assert message["Bcc"] is None
    assert b"\nBcc:" not in bytes(message)


def test_a_long_subject_is_cut_at_a_word(app, ctx):
    subject = "HR asked for changes to “A title”: " + "please say more about the refund " * 20
    message = mail.build_message("a@example.com", subject, "text")
    assert len(message["Subject"]) <= mail.SUBJECT_MAX
    assert message["Subject"].startswith("HR asked for changes to “A title”: please say more")
    assert message["Subject"].endswith("…") and not message["Subject"].endswith(" …")


def test_recipient_addresses_with_line_breaks_are_still_refused(app, ctx):
    with pytest.raises(ValueError):
        mail.build_message("a@example.com\r\nBcc: victim@example.com", "Hi", "text")


def test_outbox_when_no_server_is_configured(app, ctx):
    mail.send([mail.build_message("a@example.com", "Stored", "text")])
    [path] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    assert b"Subject: Stored" in path.read_bytes()


def test_sending_nothing_opens_no_connection(app, ctx, smtp_server):
    assert mail.send([]) == 0
    assert smtp_server.messages == []
