"""Outgoing mail: messages built with EmailMessage, sent over SMTP or written to the outbox.

With no MAIL_SERVER configured (the embedded default) every message is written as an .eml
file in OUTBOX_DIR, so Storyboard runs on a laptop with no mail server at all.
"""
from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template

from storyboard.text import shorten

# Subjects longer than this are cut at a word: mail clients show about this much anyway.
SUBJECT_MAX = 150


def build_message(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A message with a plain-text part and, when given, an HTML alternative after it.

    The subject is made one line and cut to SUBJECT_MAX: it is often built from a title or a
    curator's note, and EmailMessage refuses header values with line breaks (no injection, but
    an error page). The body keeps the text whole, line breaks included.
    """
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = shorten(subject, SUBJECT_MAX)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=_sender_domain())
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def build_from_templates(
    to: str, subject: str, template: str, with_html: bool = False, **context
) -> EmailMessage:
    """Render `email/<template>.txt`, and `email/<template>.html` when asked, into a message."""
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context) if with_html else None
    return build_message(to, subject, text, html)


def send(messages: Iterable[EmailMessage]) -> int:
    """Send messages over one SMTP connection, or write them to the outbox. Returns the count."""
    messages = list(messages)
    if not messages:
        return 0
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return write_to_outbox(messages, Path(config["OUTBOX_DIR"]))
    with connect() as smtp:
        for message in messages:
            smtp.send_message(message)
    return len(messages)


def connect() -> smtplib.SMTP:
    """An SMTP connection to MAIL_SERVER, with STARTTLS and login as configured."""
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except (OSError, smtplib.SMTPException):
        smtp.close()
        raise
    return smtp


def write_to_outbox(messages: list[EmailMessage], outbox: Path) -> int:
    """Write each message as an .eml file (the embedded default, with no mail server)."""
    outbox.mkdir(parents=True, exist_ok=True)
    for message in messages:
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
    return len(messages)


def _sender_domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rsplit("@", 1)[-1].rstrip(">").strip() or "localhost"
