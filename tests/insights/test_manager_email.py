"""The managers' monthly email: last month's stories about their reports and the reports with
no story in 90 days; once per manager and month, only when wanted, only to real managers."""
from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from storyboard.digest import scheduler
from storyboard.extensions import db
from storyboard.insights.managers import send_if_due
from storyboard.models import ManagerEmail, StoryStatus
from tests.helpers import mail_text

NOW = "2026-12-02T09:00:00"  # the email covers November 2026; 90 days back is 4 September
SITE = "https://storyboard.example.com"


def run(runner, now: str = NOW):
    return runner.invoke(args=["insights", "manager-emails", "--now", now])


def plain(message) -> str:
    """The plain-text part of a received message."""
    body = next(part.get_content() for part in message.walk() if part.get_content_type() == "text/plain")
    return body.replace("\r\n", "\n")


def section(body: str, heading: str) -> str:
    """The text under one capitalised heading, up to the next."""
    match = re.search(rf"^{re.escape(heading)}\n(.*?)(?=^[A-Z0-9 ,]{{12,}}$|^Seen one of them|\Z)", body,
                      re.DOTALL | re.MULTILINE)
    assert match, f"no section {heading!r} in:\n{body}"
    return match.group(1)


def mail_to(smtp_server, person):
    found = [message for message in smtp_server.messages if message["To"] == person.email]
    assert len(found) == 1, [message["To"] for message in smtp_server.messages]
    return found[0]


@pytest.fixture
def teams(ctx, make_person, make_story):
    def person(name, **fields):
        return make_person(name=name, **({"start_date": date(2020, 1, 6)} | fields))

    amy, bob = person("Amy Manager"), person("Bob Manager")
    t = SimpleNamespace(
        amy=amy, bob=bob,
        ann=person("Ann Archer", manager=amy, job_title="Picker"),
        ben=person("Ben Baker", manager=amy),
        cal=person("Cal Cole", manager=amy),
        dot=person("Dot Dean", manager=amy),
        eli=person("Eli Evans", manager=amy, start_date=date(2026, 11, 20)),
        fin=person("Fin Ford", manager=amy, active=False),
        gil=person("Gil Grant", manager=bob),
        out=person("Oz Outsider"),
        cy=person("Cy Switched Off", manager_email=False),
        di=person("Di Former Manager"),
        ed=person("Ed Gone Manager", active=False),
    )
    person("Cy's Report", manager=t.cy)
    person("Di's Leaver", manager=t.di, active=False)
    person("Ed's Report", manager=t.ed)
    writer = t.out
    t.story_ids = {}

    def story(title, nominees, published_at, **fields):
        made = make_story(nominator=writer, nominees=nominees, title=title, published_at=published_at, **fields)
        t.story_ids[title] = made.id

    story("Ann saved the wedding", [t.ann], datetime(2026, 11, 10, 10, 0))
    story("Ann and Oz at the till", [t.ann, t.out], datetime(2026, 11, 15, 16, 30))
    story("Ben's October rescue", [t.ben], datetime(2026, 10, 20, 9, 0))
    story("Cal in the summer", [t.cal], datetime(2026, 8, 1, 9, 0))
    story("Ann in December", [t.ann], datetime(2026, 12, 1, 9, 0))
    story("Fin's farewell", [t.fin], datetime(2026, 11, 5, 9, 0))
    story("Gil at the depot", [t.gil], datetime(2026, 11, 12, 9, 0))
    story("Dot's draft", [t.dot], None, status=StoryStatus.SUBMITTED)
    return t


def test_each_manager_gets_last_month_s_stories_and_the_unrecognised(runner, teams, smtp_server):
    result = run(runner)
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    assert sorted(message["To"] for message in smtp_server.messages) == sorted([teams.amy.email, teams.bob.email])

    amy = mail_to(smtp_server, teams.amy)
    assert amy["Subject"] == "Your team's stories in November 2026"
    body = plain(amy)
    stories = section(body, "STORIES ABOUT YOUR TEAM IN NOVEMBER 2026")
    wedding, till = (teams.story_ids[title] for title in ("Ann saved the wedding", "Ann and Oz at the till"))
    assert re.findall(r"^(.+)\nAbout (.+) · published (.+)\n(\S+)$", stories, re.MULTILINE) == [
        ("Ann saved the wedding", "Ann Archer", "10 November", f"{SITE}/stories/{wedding}"),
        ("Ann and Oz at the till", "Ann Archer, Oz Outsider", "15 November", f"{SITE}/stories/{till}"),
    ]
    unrecognised = section(body, "NO STORY IN THE LAST 90 DAYS")
    assert re.findall(r"^(.+) · (.+)\nNominate .+: (\S+)$", unrecognised, re.MULTILINE) == [
        ("Cal Cole, Advisor", "last recognised 1 August 2026", f"{SITE}/nominate?nominee={teams.cal.id}"),
        ("Dot Dean, Advisor", "never recognised", f"{SITE}/nominate?nominee={teams.dot.id}"),
    ]
    newcomers = section(body, "NEW TO YOUR TEAM, NO STORY YET")
    assert re.findall(r"^(.+) · started (.+)\nNominate .+: (\S+)$", newcomers, re.MULTILINE) == [
        ("Eli Evans, Advisor", "20 November 2026", f"{SITE}/nominate?nominee={teams.eli.id}"),
    ]
    for absent in ("Ben", "Fin", "Gil", "December", "Dot's draft"):
        assert absent not in body, absent
    assert f"{SITE}/insights/equity" in body and f"{SITE}/preferences#manager-email" in body
    html = amy.get_body(("html",)).get_content()
    assert "Ann saved the wedding" in html and f"{SITE}/nominate?nominee={teams.cal.id}" in html
    assert 'style="' in html  # the digest's CSS, inlined

    bob = plain(mail_to(smtp_server, teams.bob))
    assert "Gil at the depot" in bob and "Ann" not in bob
    assert "Everyone who has been in your team for 90 days or more has had a story" in bob
    assert rows() == [(teams.amy.id, "2026-11", 2), (teams.bob.id, "2026-11", 1)]


def rows() -> list[tuple[int, str, int]]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(ManagerEmail.person_id, ManagerEmail.month, ManagerEmail.story_count).order_by(ManagerEmail.person_id)
    )]


def test_sent_once_however_often_the_command_runs(runner, teams, smtp_server):
    assert run(runner).exit_code == 0
    again = run(runner, "2026-12-03T09:00:00")
    assert again.exit_code == 0 and "0 sent" in again.output
    assert len(smtp_server.messages) == 2
    # A new month is a new email.
    assert "2 sent" in run(runner, "2027-01-01T09:00:00").output
    assert len(smtp_server.messages) == 4
    assert [month for _, month, _ in rows()] == ["2026-11", "2026-12", "2026-11", "2026-12"]


def test_not_sent_when_switched_off_nor_to_managers_without_active_reports(runner, teams, smtp_server):
    run(runner)
    recipients = {message["To"] for message in smtp_server.messages}
    assert teams.cy.email not in recipients  # switched off
    assert teams.di.email not in recipients  # their only report has left
    assert teams.ed.email not in recipients  # has left themselves
    assert not any(mail_text(message).count("Cy's Report") for message in smtp_server.messages)


def test_last_month_is_the_company_s_calendar_month(app, runner, ctx, make_person, make_story, smtp_server):
    app.config["DIGEST_TIMEZONE"] = "Pacific/Auckland"  # 13 hours ahead of UTC in November
    manager = make_person(name="Kiri Manager", start_date=date(2020, 1, 6))
    report = make_person(name="Tama Report", manager=manager, start_date=date(2020, 1, 6))
    make_story(nominees=[report], title="Early on the first", published_at=datetime(2026, 10, 31, 12, 0))
    make_story(nominees=[report], title="Late on the last", published_at=datetime(2026, 11, 30, 10, 59))
    make_story(nominees=[report], title="Already December", published_at=datetime(2026, 11, 30, 11, 0))
    make_story(nominees=[report], title="Still October", published_at=datetime(2026, 10, 31, 10, 59))
    assert run(runner).exit_code == 0
    body = plain(mail_to(smtp_server, manager))
    titles = re.findall(r"^(.+)\nAbout Tama Report", body, re.MULTILINE)
    assert titles == ["Early on the first", "Late on the last"]
    assert "published 1 November" in body and "published 30 November" in body


def test_an_email_put_off_by_the_server_is_tried_again_next_run(runner, teams, smtp_server):
    smtp_server.replies = {teams.amy.email: "451 4.3.0 Mailbox busy, try again later"}
    failed = run(runner)
    assert failed.exit_code == 1 and "1 sent" in failed.output
    assert f"Failed (will be tried again next run): {teams.amy.email}" in failed.output
    assert rows() == [(teams.bob.id, "2026-11", 1)]
    smtp_server.replies = {}
    assert "1 sent" in run(runner).output
    assert [message["To"] for message in smtp_server.messages] == [teams.bob.email, teams.amy.email]


def test_an_email_refused_for_good_is_not_tried_again_every_run(runner, teams, smtp_server):
    smtp_server.replies = {teams.amy.email: "550 5.1.1 No such user"}
    refused = run(runner)
    assert refused.exit_code == 1 and "1 sent" in refused.output and "1 refused" in refused.output
    assert f"Refused by the mail server (not tried again this month): {teams.amy.email}" in refused.output
    # The month is marked for Amy as for Bob: the next runs do not knock again.
    assert sorted(rows()) == sorted([(teams.bob.id, "2026-11", 1), (teams.amy.id, "2026-11", 2)])
    smtp_server.replies = {}
    again = run(runner)
    assert "0 sent" in again.output and again.exit_code == 0
    assert [message["To"] for message in smtp_server.messages] == [teams.bob.email]


@pytest.mark.parametrize("moment, sends", [
    (datetime(2026, 12, 1, 7, 59), False),  # the first, before eight in London
    (datetime(2026, 12, 1, 8, 0), True),
    (datetime(2026, 12, 7, 23, 0), True),  # a scheduler down since the first catches up
    (datetime(2026, 12, 8, 9, 0), False),
    (datetime(2026, 12, 20, 9, 0), False),
])
def test_the_scheduler_sends_in_the_first_days_of_a_month(teams, smtp_server, moment, sends):
    report = send_if_due(moment)
    assert (report is not None) == sends
    assert len(smtp_server.messages) == (2 if sends else 0)


def test_the_digest_scheduler_s_tick_sends_them_when_due(app, teams, smtp_server, monkeypatch):
    # The scheduler's job, as it runs every few minutes, on the morning of the second; even a
    # digest tick that fails does not keep the managers' emails back.
    monkeypatch.setattr("storyboard.insights.managers.utcnow", lambda: datetime(2026, 12, 2, 9, 0))

    def failing_tick():
        raise RuntimeError("the digest tick failed")

    monkeypatch.setattr(scheduler, "tick", failing_tick)
    scheduler.run_tick(app)
    scheduler.run_tick(app)
    assert sorted(message["To"] for message in smtp_server.messages) == sorted([teams.amy.email, teams.bob.email])
