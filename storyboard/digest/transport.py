"""One SMTP connection per batch, and what each server reply means for a delivery."""
from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from storyboard import mail

# What a reply means for the delivery:
SENT = "sent"
RETRY = "retry"  # 4xx about this recipient, or a timeout: try again later, counting the attempt
BOUNCE = "bounce"  # 5xx to RCPT TO: the address does not work; raises the bounce score
REFUSED = "refused"  # 5xx to anything else (sender, content): not the recipient's fault
DEFER = "defer"  # no server, or 421: put the whole rest of the batch off, counting nothing


@dataclass(frozen=True)
class Outcome:
    kind: str
    code: int | None = None
    error: str | None = None


class Transport:
    """Opens the connection on first use and again if it drops; the outbox without a server."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None
        self.sessions = 0
        config = current_app.config
        self._outbox = None if config.get("MAIL_SERVER") else Path(config["OUTBOX_DIR"])

    def deliver(self, message: EmailMessage | bytes, sender: str | None = None, to: str | None = None) -> Outcome:
        """Send one message: an EmailMessage, or the bytes of one (CRLF line ends) with its
        envelope sender and recipient, which smtplib then sends as they are."""
        if self._outbox is not None:
            self._outbox.mkdir(parents=True, exist_ok=True)
            if isinstance(message, bytes):
                (self._outbox / f"{uuid.uuid4().hex}.eml").write_bytes(message)
            else:
                mail.write_to_outbox([message], self._outbox)
            return Outcome(SENT)
        try:
            if self._smtp is None:
                self._smtp = mail.connect()
                self.sessions += 1
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            return Outcome(DEFER, error=f"Could not reach the mail server: {error}")
        try:
            if isinstance(message, bytes):
                self._smtp.sendmail(sender, [to], message)
            else:
                self._smtp.send_message(message)
            return Outcome(SENT, 250)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            return self._answer(code, reply, about_recipient=True)
        except smtplib.SMTPResponseException as error:
            return self._answer(error.smtp_code, error.smtp_error, about_recipient=False)
        except (smtplib.SMTPException, OSError) as error:
            # A timeout or a dropped connection: the message may or may not have arrived, and
            # a retry reuses its Message-ID. The next message reconnects.
            self._drop()
            return Outcome(RETRY, error=f"{type(error).__name__}: {error}")

    def _answer(self, code: int, reply, about_recipient: bool) -> Outcome:
        if self._smtp is not None and self._smtp.sock is None:  # smtplib hangs up on 421
            self._smtp = None
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        if code == 421:  # the server is shutting the session: nothing about this person
            kind = DEFER
        elif 500 <= code < 600:
            kind = BOUNCE if about_recipient else REFUSED
        else:
            kind = RETRY
        return Outcome(kind, code, f"{code} {text}")

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            except OSError:
                pass
        self._smtp = None

    def close(self) -> int:
        """Say QUIT if the connection still stands; returns the sessions opened."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._drop()
        self._smtp = None
        return self.sessions
