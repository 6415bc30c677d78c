"""Exactly once across processes: two ticks at the same time, and a sender killed mid-batch."""
from __future__ import annotations

import re
import sqlite3
import threading
import time
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy.engine import make_url

from storyboard.digest.tick import tick
from storyboard.extensions import db
from storyboard.models import DeliveryStatus
from tests.helpers import (
    NOW,
    SENT,
    active_people,
    deliveries_by_status,
    delivery_for,
    flask_command,
    issue_count,
    mail_env,
    recipients,
)

pytestmark = pytest.mark.slow


def test_two_ticks_at_once_send_one_message_per_person(app, ctx, database_url, tmp_path, fresh_story,
                                                       many_people, smtp_server):
    fresh_story()
    many_people(150)
    people = active_people()
    # Hold the first message until a second sender has connected, so both send at once.
    smtp_server.hold = lambda: smtp_server.sessions < 2
    env = mail_env(smtp_server, DIGEST_BATCH_SIZE=10)
    ticks = [flask_command(database_url, tmp_path, "digest", "tick", "--now", NOW.isoformat(), extra_env=env)
             for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in ticks]
    assert [process.returncode for process in ticks] == [0, 0], outputs
    assert sum("(cut now)" in out for out, _ in outputs) == 1
    sent_by = [int(re.search(r"(\d+) sent", out).group(1)) for out, _ in outputs]
    assert all(count > 0 for count in sent_by) and sum(sent_by) == people  # both sent, none twice
    assert issue_count() == 1
    assert deliveries_by_status() == {SENT: people}
    sent_to = recipients(smtp_server.messages)
    assert len(sent_to) == people and len(set(sent_to)) == people


class DeliveryRowLock:
    """Holds the deliveries' rows from another connection, so a sender's write of a result waits."""

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self.connection = None

    def take(self) -> None:
        if self.url.get_backend_name() == "postgresql":
            self.connection = psycopg.connect(host=self.url.host, port=self.url.port, user=self.url.username,
                                              dbname=self.url.database)
            self.connection.execute("SELECT id FROM digest_deliveries FOR UPDATE")
        else:
            self.connection = sqlite3.connect(self.url.database, isolation_level=None, check_same_thread=False)
            self.connection.execute("BEGIN IMMEDIATE")

    def wait_for_the_blocked_write(self) -> None:
        """Until the sender, holding its 250, waits on the lock to record it."""
        if self.url.get_backend_name() != "postgresql":
            time.sleep(1)  # SQLite shows no waiting writers; its busy timeout is 5 s
            return
        with psycopg.connect(host=self.url.host, port=self.url.port, user=self.url.username,
                             dbname=self.url.database, autocommit=True) as watcher:
            for _ in range(200):
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE digest_deliveries%'"
                ).fetchone()[0]
                if waiting:
                    return
                time.sleep(0.05)
        raise AssertionError("the sender never tried to record its result")

    def release(self) -> None:
        if self.connection is not None:
            self.connection.rollback()
            self.connection.close()


def test_a_crash_after_the_server_accepts_resends_with_the_same_message_id(
    app, ctx, database_url, tmp_path, fresh_story, make_person, smtp_server
):
    fresh_story()
    for n in range(3):
        make_person(email=f"colleague{n}@example.com")
    people = active_people()
    accepted = threading.Event()
    lock = DeliveryRowLock(database_url)

    def accept_first_then_block_its_commit(message):
        if not accepted.is_set():
            lock.take()
            accepted.set()

    smtp_server.on_message = accept_first_then_block_its_commit
    sender = flask_command(database_url, tmp_path, "digest", "tick", "--now", NOW.isoformat(),
                           extra_env=mail_env(smtp_server))
    try:
        assert accepted.wait(60), sender.stderr.read() if sender.poll() is not None else "no message arrived"
        lock.wait_for_the_blocked_write()
        sender.kill()  # the crash: accepted by the server, never committed
        sender.communicate(timeout=30)  # reaps it and closes its pipes
    finally:
        lock.release()
    [first] = smtp_server.messages
    assert delivery_for(first["To"]).status == DeliveryStatus.SENDING

    tick(NOW + timedelta(minutes=1))  # the dead sender's lease still holds: nothing is resent
    assert len(smtp_server.messages) == 1

    tick(NOW + timedelta(seconds=app.config["DIGEST_CLAIM_LEASE_SECONDS"] + 60))
    again = [message for message in smtp_server.messages if message["To"] == first["To"]]
    assert len(again) == 2
    assert again[0]["Message-ID"] == again[1]["Message-ID"]
    delivery = delivery_for(first["To"])
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    # Everyone else in the dead sender's batch gets their one message after the lease.
    assert deliveries_by_status() == {SENT: people}
    assert sorted(set(recipients(smtp_server.messages))) == sorted(recipients(smtp_server.messages)[1:])
    db.session.remove()
