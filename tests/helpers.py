"""Builders and readers shared by tests of every feature.

Fixtures live in conftest files; anything a test imports by name lives here, so no test module
imports another test module or a conftest. Sections: signing in, loopback servers, reading
pages and mail, reading the database, the digest's clock and counts, separate processes.
"""
from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from html.parser import HTMLParser

from flask import g, has_app_context
from sqlalchemy import func, select
from sqlalchemy import text as sql

from storyboard.auth import sessions
from storyboard.db_helpers import dialect_name
from storyboard.extensions import db
from storyboard.models import AuditEntry, DeliveryStatus, DigestDelivery, DigestIssue, Person, Value

# Signing in.


def session_token_for(app, person: Person, remember: bool = False) -> str:
    """A new sign-in for `person`, as the sign-in form makes one; returns the session's token."""
    if has_app_context():
        token = sessions.start(person, remember=remember)
        db.session.commit()
        return token
    with app.app_context():
        token = sessions.start(db.session.get(Person, person.id), remember=remember)
        db.session.commit()
        return token


def sign_in_on(client, person: Person) -> Person:
    """Sign `person` in on any test client (the sign-in form itself is tested separately)."""
    with client.session_transaction() as session:
        session["_user_id"] = session_token_for(client.application, person)
        session["_fresh"] = True
    # Requests made inside an app-context fixture share its `g`, where Flask-Login caches the user.
    if has_app_context():
        g.pop("_login_user", None)
    return person


# Servers on loopback.


def free_port() -> int:
    # aiosmtpd 1.4.6 fails with port=0, so reserve a port first and hand it over.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SMTPRecorder:
    """Keeps every message a real aiosmtpd server accepted, and the connections it saw.

    `replies` makes the server refuse chosen recipients, e.g. {"a@x.com": "550 5.1.1 No such
    user"}; `on_message` runs (in the server's thread) for each message before it is accepted;
    while `hold` returns true the server waits before accepting, still serving other clients.
    """

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Message] = field(default_factory=list)
    replies: dict[str, str] = field(default_factory=dict)
    mail_from_reply: str | None = None  # e.g. "553 5.7.1 Sender not allowed" for every message
    peers: set = field(default_factory=set)
    on_message: object = None
    hold: object = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_from_reply:
            return self.mail_from_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.peers.add(session.peer)
        reply = self.replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        deadline = asyncio.get_running_loop().time() + 20
        while self.hold and self.hold() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        self.messages.append(message)
        if self.on_message:
            self.on_message(message)
        return "250 Message accepted for delivery"

    @property
    def sessions(self) -> int:
        """How many SMTP connections delivered at least one recipient."""
        return len(self.peers)


# Reading pages and mail.


class _Inputs(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name, self.values = name, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == self.name:
            self.values.append(attributes.get("value"))


def input_values(html: str, name: str) -> list[str]:
    """The `value` of every <input name=...> on a page, e.g. the nomination form's value boxes."""
    parser = _Inputs(name)
    parser.feed(html)
    return parser.values


def csrf_token_in(html: str) -> str:
    values = input_values(html, "csrf_token")
    assert values and values[0], "no csrf_token input on the page"
    return values[0]


def row(html: str, element_id: str) -> str:
    """The HTML of the table row with this id."""
    match = re.search(rf'<tr id="{re.escape(element_id)}">(.*?)</tr>\s*(?=<tr id=|</tbody>)', html, re.DOTALL)
    assert match, f"no row {element_id}"
    return match.group(1)


def text(response) -> str:
    return response.get_data(as_text=True)


def link_in(message) -> str:
    """The path of the first /auth/ link in a received email (invitations, password resets)."""
    part = message.get_payload(0) if message.is_multipart() else message
    body = part.get_payload(decode=True).decode()
    match = re.search(r"https://storyboard\.example\.com(/auth/\S+)", body)
    assert match, body
    return match.group(1)


def mail_text(message: Message) -> str:
    """A received message's headers and every decoded part, as one string to search."""
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if not part.is_multipart():
            parts.append(part.get_content())
    return "\n".join(parts)


# Reading the database.


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    """Audit entries, oldest first, optionally only one action."""
    db.session.expire_all()
    statement = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    return list(db.session.scalars(statement))


def status_trail(story_id: int) -> list[tuple[str, dict | None, dict | None]]:
    """The story's status changes as the audit log tells them: (action, before, after)."""
    return [(entry.action, entry.before, entry.after) for entry in audit_entries()
            if entry.entity_type == "story" and entry.entity_id == story_id
            and "status" in (entry.after or {})]


def value_names() -> list[str]:
    """Every value's name in list order, retired ones included."""
    db.session.expire_all()
    return list(db.session.scalars(select(Value.name).order_by(Value.position, Value.id)))


def value_by_slug(slug: str) -> Value:
    db.session.expire_all()
    return db.session.scalar(select(Value).where(Value.slug == slug))


def holds(value, secret: str) -> bool:
    """Whether a stored value holds `secret` anywhere: strings, JSON keys and items, bytes."""
    if isinstance(value, str):
        return secret in value
    if isinstance(value, bytes):
        return secret.encode() in value
    if isinstance(value, dict):
        return any(holds(key, secret) or holds(item, secret) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds(item, secret) for item in value)
    return False


def places_holding(secret: str, ignore_case: bool = False) -> set[str]:
    """Every table.column, across the whole of db.metadata, with a row that holds `secret`.

    It walks `db.metadata`, so a table added later is searched too without touching the tests.
    """
    db.session.expire_all()
    found = set()
    for table in db.metadata.sorted_tables:
        for stored in db.session.execute(select(table)).mappings():
            for column in table.columns:
                value = stored[column]
                if ignore_case:
                    value = _folded(value)
                if holds(value, secret.casefold() if ignore_case else secret):
                    found.add(f"{table.name}.{column.name}")
    return found


def _folded(value):
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, dict):
        return {_folded(key): _folded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_folded(item) for item in value]
    return value


def rows_holding(secret: str) -> int:
    """How many rows, across the whole of db.metadata, hold `secret` somewhere."""
    db.session.expire_all()
    return sum(
        any(holds(stored[column], secret) for column in table.columns)
        for table in db.metadata.sorted_tables
        for stored in db.session.execute(select(table)).mappings()
    )


def search_index_matches(secret: str) -> list[int]:
    """Story ids the database's own full-text index still finds for `secret`."""
    if dialect_name() == "sqlite":
        words = " ".join(part for part in secret.replace("@", " ").replace(".", " ").split())
        rows = db.session.execute(
            sql("SELECT rowid FROM story_fts WHERE story_fts MATCH :phrase"), {"phrase": f'"{words}"'}
        )
    else:
        rows = db.session.execute(
            sql("SELECT id FROM stories WHERE search_vector @@ plainto_tsquery('english', :q)"),
            {"q": secret},
        )
    return [found[0] for found in rows]


# The digest's clock and counts.

# Monday 30 November 2026, 07:00 in London (GMT), the default cut.
CUT = datetime(2026, 11, 30, 7, 0)
NOW = CUT + timedelta(minutes=5)
SENT = DeliveryStatus.SENT.value


def deliveries_by_status() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(DigestDelivery.status, func.count()).group_by(DigestDelivery.status))
    return dict(rows.all())


def delivery_for(email: str) -> DigestDelivery:
    db.session.expire_all()
    return db.session.scalar(select(DigestDelivery).join(Person).where(Person.email == email))


def issue_count() -> int:
    return db.session.scalar(select(func.count()).select_from(DigestIssue))


def recipients(messages) -> list[str]:
    return [message["To"] for message in messages]


def active_people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person).where(Person.active.is_(True)))


# Separate Storyboard processes.


def storyboard_env(database_url: str, tmp_path) -> dict[str, str]:
    """The environment of a separate Storyboard process on the test database."""
    return os.environ | {
        "STORYBOARD_SQLALCHEMY_DATABASE_URI": database_url,
        "STORYBOARD_SECRET_KEY": "test-secret-key",
        "STORYBOARD_EXTERNAL_URL": "https://storyboard.example.com",
        "STORYBOARD_INSTANCE_PATH": str(tmp_path / "instance"),
    }


def flask_command(database_url: str, tmp_path, *args: str, extra_env: dict | None = None,
                  **popen) -> subprocess.Popen:
    """`flask --app storyboard ...` in a separate process, on the test database."""
    env = storyboard_env(database_url, tmp_path) | (extra_env or {})
    flask = [sys.executable, "-m", "flask", "--app", "storyboard", *args]
    return subprocess.Popen(flask, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def mail_env(smtp_server, **settings) -> dict[str, str]:
    env = {"STORYBOARD_MAIL_SERVER": smtp_server.host, "STORYBOARD_MAIL_PORT": str(smtp_server.port)}
    return env | {f"STORYBOARD_{name}": str(value) for name, value in settings.items()}
