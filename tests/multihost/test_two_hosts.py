"""Two hosts behind one address (issue 16): a sign-in made on one host holds on the other and a
sign-out on either ends it everywhere; failed sign-ins are counted once for all hosts and
workers; the digest goes out exactly once with two ticks and two RQ workers at the same time."""
from __future__ import annotations

import math
import re
import subprocess
import sys
import time

import pytest
from redis import Redis
from rq import Queue

from storyboard import PROJECT_ROOT
from tests.helpers import NOW, SENT, active_people, deliveries_by_status, issue_count, recipients
from tests.multihost.conftest import BATCH_SIZE, LOGIN_LIMIT, PASSWORD
from tests.multihost.hosts import Visitor, page_text

pytestmark = pytest.mark.slow

TOO_MANY = "Too many failed sign-in attempts"


def test_a_sign_in_on_one_host_holds_on_the_other_and_a_sign_out_on_either_ends_it(hosts, company):
    host_a, host_b = hosts
    tess = Visitor()
    signed_in = tess.sign_in(host_a, company.emails["traveller"], PASSWORD, remember=True)
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/")
    for host in (host_a, host_b):
        for feed in host.on_each_worker(lambda host=host: tess.get(host, "/")):
            assert feed.status_code == 200 and "Tess Traveller" in page_text(feed.text)
    kept_cookies = tess.cookies()  # what someone who copied the cookies would replay

    # Signed out on B with the form as host A drew it: one secret key signs every host's forms.
    token = tess.csrf_token(host_a, "/logout")
    signed_out = tess.post(host_b, "/auth/logout", {"csrf_token": token})
    assert signed_out.status_code == 302 and signed_out.headers["Location"].endswith("/auth/login")

    replay = Visitor()
    replay.http.cookies.update(kept_cookies)
    for host in (host_a, host_b):
        for feed in host.on_each_worker(lambda host=host: replay.get(host, "/")):
            assert feed.status_code == 302 and "/auth/login" in feed.headers["Location"]
        assert tess.get(host, "/").status_code == 302  # and the browser that signed out


def test_failed_sign_ins_are_counted_together_across_hosts_and_workers(hosts, company):
    host_a, host_b = hosts
    theo = Visitor()

    def wrong_password(host):
        return theo.sign_in(host, company.emails["throttled"], "not the password").status_code

    # One failure on each of the four workers: a count kept per process would allow them all.
    failures = [status for host in hosts for status in host.on_each_worker(lambda host=host: wrong_password(host))]
    assert failures == [401] * LOGIN_LIMIT
    for host in (host_a, host_b):
        refused = theo.sign_in(host, company.emails["throttled"], PASSWORD)
        assert refused.status_code == 429 and TOO_MANY in page_text(refused.text)
    # Someone else signs in from the same address as usual: the count is per account.
    vera = Visitor()
    assert vera.sign_in(host_b, company.emails["viewer"], PASSWORD).status_code == 302


def _tick(host) -> subprocess.Popen:
    """`flask digest tick` as host's cron runs it, with the host's settings."""
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "storyboard", "digest", "tick",
                             "--now", NOW.isoformat()], cwd=PROJECT_ROOT, env=host.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until_every_job_is_done(env: dict[str, str]) -> None:
    """Until the digest's queue is empty and no worker is running a job (a second copy of a
    message could only come from a job still waiting or running)."""
    queue = Queue(env["STORYBOARD_DIGEST_QUEUE"], connection=Redis.from_url(env["STORYBOARD_REDIS_URL"]))
    deadline = time.monotonic() + 60
    while queue.count + queue.started_job_registry.count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert queue.count + queue.started_job_registry.count == 0, "the RQ workers did not finish"
    assert queue.finished_job_registry.count > 0, "no job ran"


def test_two_ticks_and_two_rq_workers_send_the_digest_once_to_everyone(hosts, rq_workers, smtp_sink,
                                                                       shared_app, company):
    with shared_app.app_context():
        people = active_people()
    ticks = [_tick(host) for host in hosts]  # both hosts' cron fire at the same minute
    outputs = [tick.communicate(timeout=60) for tick in ticks]
    assert [tick.returncode for tick in ticks] == [0, 0], outputs
    assert sum("(cut now)" in out for out, _ in outputs) == 1  # one issue, cut by one of them
    enqueued = sum(int(re.search(r"jobs enqueued: (\d+)", out).group(1)) for out, _ in outputs)
    assert enqueued >= math.ceil(people / BATCH_SIZE)  # every batch went to the workers...
    assert all("SMTP sessions: 0" in out for out, _ in outputs)  # ...and the ticks sent nothing

    _wait_until_every_job_is_done(hosts[0].env)
    logs = "\n".join(log.read_text() for log in rq_workers)
    sent_to = recipients(smtp_sink.messages)
    assert len(sent_to) == people, logs
    assert sorted(sent_to) == sorted(set(sent_to)), logs  # nobody twice
    assert "Traceback" not in logs, logs  # no job failed half way (its batch would go again)
    assert set(sent_to) >= set(company.emails.values())
    with shared_app.app_context():
        assert deliveries_by_status() == {SENT: people}
        assert issue_count() == 1
