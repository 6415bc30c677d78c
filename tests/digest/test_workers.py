"""Sending through RQ workers (with Redis), and the APScheduler process for hosts without cron."""
from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from storyboard.clock import utcnow
from storyboard.digest.tick import tick
from tests.helpers import (
    NOW,
    SENT,
    active_people,
    deliveries_by_status,
    flask_command,
    mail_env,
    recipients,
    storyboard_env,
)

pytestmark = pytest.mark.slow


def test_with_redis_tick_enqueues_batches_that_rq_workers_send_once(
    app, ctx, database_url, tmp_path, fresh_story, many_people, smtp_server, redis_url
):
    fresh_story()
    many_people(45)
    people = active_people()
    queue = f"storyboard-test-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=redis_url, DIGEST_QUEUE=queue, DIGEST_BATCH_SIZE=10)
    report = tick(NOW)
    assert report.enqueued == math.ceil(people / 10)
    assert smtp_server.messages == []  # the tick itself sends nothing
    assert tick(NOW).enqueued == 0  # the jobs still waiting cover every batch: no pile-up

    env = storyboard_env(database_url, tmp_path) | mail_env(smtp_server, DIGEST_BATCH_SIZE=10)
    rq = str(Path(sys.executable).parent / "rq")
    workers = [
        subprocess.Popen([rq, "worker", "--burst", "--url", redis_url, queue], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert deliveries_by_status() == {SENT: people}
    sent_to = recipients(smtp_server.messages)
    assert len(sent_to) == people and len(set(sent_to)) == people
    redis.Redis.from_url(redis_url).delete(f"rq:queue:{queue}")


def test_the_scheduler_process_sends_the_issue_once(app, ctx, database_url, tmp_path, make_story, many_people,
                                                    smtp_server):
    cut = (utcnow() - timedelta(minutes=10)).replace(second=0, microsecond=0)
    make_story(published_at=cut - timedelta(days=3))
    many_people(5)
    people = active_people()
    settings = {
        "DIGEST_TIMEZONE": "UTC",
        "DIGEST_CUT_DAY": cut.strftime("%A").lower(),
        "DIGEST_CUT_TIME": cut.strftime("%H:%M"),
        "DIGEST_TICK_INTERVAL_SECONDS": 1,
    }
    scheduler = flask_command(database_url, tmp_path, "digest", "scheduler",
                              extra_env=mail_env(smtp_server, **settings))
    try:
        deadline = time.monotonic() + 60
        while len(smtp_server.messages) < people and time.monotonic() < deadline and scheduler.poll() is None:
            time.sleep(0.2)
        time.sleep(2.5)  # a few more ticks, which must send nothing more
    finally:
        scheduler.send_signal(signal.SIGTERM)  # what systemd sends
        try:
            output, errors = scheduler.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            scheduler.kill()
            scheduler.communicate()
            raise
    assert "Digest scheduler running" in output and "Digest scheduler stopped." in output, errors
    assert deliveries_by_status() == {SENT: people}
    sent_to = recipients(smtp_server.messages)
    assert len(sent_to) == people and len(set(sent_to)) == people
