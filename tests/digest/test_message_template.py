"""The digest encoded once per issue and addressed per person: what a real SMTP server receives
is valid MIME, and each person's message holds their own parts and nobody else's, however long
their address or link and whatever their name. Expectations are written out here, never read
from message_template.py."""
from __future__ import annotations

import hashlib
import hmac
import quopri
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
from sqlalchemy import event

from storyboard.digest.email import build_digest_message
from storyboard.digest.issues import issue_content
from storyboard.digest.message_template import DigestTemplate, encode_value
from storyboard.digest.subscriptions import unsubscribe_token
from storyboard.digest.tick import tick
from storyboard.digest.visits import via_token
from storyboard.extensions import db
from storyboard.models import DigestDelivery, DigestIssue, Person
from tests.helpers import NOW, SENT, active_people, deliveries_by_status, mail_text

# A company whose site sits under a long path: every unsubscribe link is well over 76 characters.
EXTERNAL = "https://storyboard.example.com/intranet/people-and-culture/recognition-programme/storyboard"
LONG_ADDRESS = ("alexandra.konstantinopoulou-montgomery-smythe@"
                "customer-experience.northern-region.operations.example.co.uk")
NON_ASCII_NAME = "Zoë Ångström-Þórsdóttir 李小龍"
SECRET = b"test-secret-key"


def message_id_for(issue_key: str, person_id: int, domain: str) -> str:
    digest = hmac.new(SECRET, f"{issue_key}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"<{digest[:32]}@{domain}>"


def body(message, kind: str) -> str:
    """A part as a reader's mail client shows it (line ends as "\\n", however they came)."""
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


@pytest.fixture
def long_links(app):
    app.config.update(EXTERNAL_URL=EXTERNAL, COMPANY_NAME="Ångström & Søn",
                      MAIL_DEFAULT_SENDER="Storyboard för Zoë <storyboard@example.com>")


def test_each_person_gets_their_own_parts_and_nobody_elses(app, ctx, long_links, fresh_story, make_person,
                                                          smtp_server):
    fresh_story(title="Zoë’s café run — saved the day")
    make_person(email="zoe@example.com", name=NON_ASCII_NAME)
    make_person(email=LONG_ADDRESS, name="Alexandra Montgomery-Smythe")
    make_person(email="sam@example.com", name="Sam Patel")
    tick(NOW)
    assert deliveries_by_status() == {SENT: active_people()}
    issue = db.session.scalars(db.select(DigestIssue)).one()
    people = {person.email: person for person in db.session.scalars(db.select(Person))}
    deliveries = {row.person_id: row.id for row in db.session.scalars(db.select(DigestDelivery))}
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(people)

    own = {}  # each person's unsubscribe link, via token and Message-ID, written out here
    for email, person in people.items():
        own[email] = (f"{EXTERNAL}/digest/unsubscribe/{unsubscribe_token(person)}",
                      via_token(deliveries[person.id]),
                      message_id_for(issue.issue_key, person.id, "example.com"))
    for message in smtp_server.messages:
        email = message["To"]
        link, via, message_id = own[email]
        assert len(link) > 76
        assert message["From"] == "Storyboard för Zoë <storyboard@example.com>"
        assert message["Subject"] == "Ångström & Søn Storyboard: Zoë’s café run — saved the day"
        assert message["List-Id"] == '"Ångström & Søn Storyboard digest" <digest.example.com>'
        assert message["Message-ID"] == message_id
        assert message["List-Unsubscribe"] == f"<{link}>"
        text, html = body(message, "plain"), body(message, "html")
        assert "Zoë’s café run — saved the day" in text and "Zoë’s café run — saved the day" in html
        assert f"Unsubscribe: {link}\n" in text
        assert f'href="{link}"' in html
        story_links = re.findall(rf'href="({EXTERNAL}/stories/\d+[^"]*)"', html)
        assert story_links and all(found.endswith(f"?via={via}") for found in story_links)
        assert f"?via={via}" in text
        everything = mail_text(message) + message.as_string()
        for other, parts in own.items():
            if other != email:
                assert not any(part in everything for part in parts), (email, other)
                assert other not in everything
        assert "placeholder" not in everything.lower() and "__STORYBOARD" not in everything


def test_the_bytes_are_valid_mime_with_short_lines_and_encoded_headers(app, ctx, long_links, fresh_story,
                                                                       make_person, smtp_server):
    fresh_story(title="Zoë’s café run — saved the day")
    tick(NOW)  # cuts the issue
    issue = db.session.scalars(db.select(DigestIssue)).one()
    person = make_person(email=LONG_ADDRESS, name=NON_ASCII_NAME)
    raw = DigestTemplate(issue_content(issue)).render(person, 123456789)
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF, as SMTP wants
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert raw.isascii()  # non-ASCII only as RFC 2047 words and quoted-printable
    headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n") if not line.startswith((b" ", b"\t")))
    assert b"=?utf-8?" in headers[b"Subject"] and b"=?utf-8?" in headers[b"From"]
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    assert max(len(line) for line in rest.split(b"\r\n")) <= 76  # RFC 2045's limit for encoded lines
    assert f"To: {LONG_ADDRESS}\r\n".encode() in head
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed.defects == [] and all(part.defects == [] for part in parsed.walk())
    link = f"{EXTERNAL}/digest/unsubscribe/{unsubscribe_token(person)}"
    assert f"Unsubscribe: {link}\n" in body(parsed, "plain")
    assert f"?via={via_token(123456789)}" in body(parsed, "html")


def test_the_bytes_say_what_the_email_package_would_say(app, ctx, long_links, fresh_story, make_person,
                                                        smtp_server):
    fresh_story(title="Zoë’s café run — saved the day", body_md="A *long* story. " * 400)
    tick(NOW)
    issue = db.session.scalars(db.select(DigestIssue)).one()
    person = make_person(email="zoe@example.com", name=NON_ASCII_NAME)
    content = issue_content(issue)
    for delivery_id in (42, None):  # a delivery's message, and a curator's test message
        ours = message_from_bytes(DigestTemplate(content).render(person, delivery_id), policy=policy.default)
        reference = build_digest_message(content, person, delivery_id)
        assert [name for name, _ in ours.items()] == [name for name, _ in reference.items()]
        for name in ("From", "To", "Subject", "Message-ID", "List-Id", "List-Unsubscribe",
                     "List-Unsubscribe-Post", "Auto-Submitted", "MIME-Version"):
            assert ours[name] == reference[name], name
        assert [part.get_content_type() for part in ours.iter_parts()] == ["text/plain", "text/html"]
        for kind in ("plain", "html"):
            assert body(ours, kind) == body(reference, kind)
    assert "?via=" not in body(ours, "html")  # the test message counts no visits


@pytest.mark.parametrize("value", [
    "https://storyboard.example.com/" + "very-long-path/" * 12 + "?a=1&amp;b=2",
    "Zoë Ångström-Þórsdóttir 李小龍 " * 6,
    "ends with a space ",
    "=" * 100,
])
def test_a_value_decodes_to_itself_and_only_starts_and_ends_lines_softly(value):
    encoded = encode_value(value)
    lines = encoded.split(b"\r\n")
    assert lines[-1] == b"" and all(line.endswith(b"=") for line in lines[:-1])
    assert all(len(line) <= 76 for line in lines)
    # Between two fixed pieces of a line, the value adds exactly itself once decoded.
    assert quopri.decodestring(b"before=\r\n" + encoded + b"after").decode() == f"before{value}after"


def test_a_value_with_a_line_break_is_refused():
    with pytest.raises(ValueError):
        encode_value("two\nlines")


@contextmanager
def synchronous_commit_of_each_result() -> Iterator[list[str]]:
    """synchronous_commit as it stands on the connection each result is written on, asked on that
    very connection right after the write."""
    seen: list[str] = []

    def ask(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE digest_deliveries SET status") and "smtp_code" in statement:  # a result
            with cursor.connection.cursor() as same_connection:
                same_connection.execute("SHOW synchronous_commit")
                seen.append(same_connection.fetchone()[0])

    event.listen(db.engine, "after_cursor_execute", ask)
    try:
        yield seen
    finally:
        event.remove(db.engine, "after_cursor_execute", ask)


def test_results_skip_the_disk_wait_only_on_their_own_connection(app, ctx, fresh_story, many_people, smtp_server):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    fresh_story()
    many_people(3)
    with synchronous_commit_of_each_result() as seen:
        assert tick(NOW).sent.statuses == {SENT: active_people()}
    assert seen == ["off"] * active_people()
    # Back in the pool, the results connection waits for the disk again, like every other.
    connections = [db.engine.connect() for _ in range(3)]
    try:
        assert {c.exec_driver_sql("SHOW synchronous_commit").scalar() for c in connections} == {"on"}
    finally:
        for connection in connections:
            connection.close()


def test_results_wait_for_the_disk_when_configured(app, ctx, fresh_story, make_person, smtp_server):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    app.config["DIGEST_RESULT_SYNCHRONOUS_COMMIT"] = True
    fresh_story()
    with synchronous_commit_of_each_result() as seen:
        assert tick(NOW).sent.statuses == {SENT: active_people()}
    assert seen == ["on"] * active_people()
