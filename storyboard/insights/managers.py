"""The managers' monthly email: last month's published stories about their reports, and the
reports with no published story in 90 days, each with a link to nominate them.

It goes to every active manager who has at least one active report and has not switched it off
(`Person.manager_email`), once per manager and month. The month is the last calendar month in
the company's time zone. Exactly once: a `ManagerEmail` row is inserted (the database refuses a
second) and committed before the message is sent, so two schedulers, or the command run twice,
cannot both send it; if the mail server refuses, the row is taken back so the next run tries
again. A crash between the commit and the send loses that one email rather than risking two.

`flask insights manager-emails` sends them now; the digest scheduler calls `send_if_due` every
hour, which sends from SEND_FROM_HOUR on the first of the month until the end of
SEND_UNTIL_DAY (so a scheduler that was down on the first catches up).
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import css_inline
from flask import current_app, render_template
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import aliased, load_only, selectinload

from storyboard import audit, mail
from storyboard.clock import utcnow
from storyboard.db_helpers import insert_if_absent
from storyboard.extensions import db
from storyboard.insights.filters import company_zone
from storyboard.insights.recognition import (
    NEWCOMER_DAYS,
    PUBLISHED,
    RECENT_DAYS,
    Windows,
    company_date,
    team_recognition,
)
from storyboard.models import ManagerEmail, Person, Story, story_nominees
from storyboard.text import one_line
from storyboard.urls import external_url

log = logging.getLogger("storyboard.insights")

SEND_FROM_HOUR = 8  # company time on the first of the month: not in the middle of the night
SEND_UNTIL_DAY = 7
STORY_LIMIT = 50  # stories listed in one email; a busier month links to the rest
CSS_TEMPLATE = "email/digest.css"  # the digest's look, inlined as the digest does


@dataclass(frozen=True)
class Month:
    """A calendar month in the company's time zone, as naive-UTC bounds for queries."""

    first: date
    zone: ZoneInfo

    @classmethod
    def before(cls, today: date, zone: ZoneInfo) -> Month:
        last_month_end = today.replace(day=1).toordinal() - 1
        return cls(date.fromordinal(last_month_end).replace(day=1), zone)

    @property
    def key(self) -> str:
        return self.first.strftime("%Y-%m")

    @property
    def label(self) -> str:
        return self.first.strftime("%B %Y")

    def _utc(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone).astimezone(UTC).replace(tzinfo=None)

    @property
    def start_at(self) -> datetime:
        return self._utc(self.first)

    @property
    def end_at(self) -> datetime:
        following = (self.first.replace(day=28).toordinal() + 4)  # always in the next month
        return self._utc(date.fromordinal(following).replace(day=1))


@dataclass(frozen=True)
class TeamPerson:
    person: Person
    last_recognised_on: date | None
    started_on: date


@dataclass(frozen=True)
class TeamMonth:
    """What one manager's email says."""

    manager: Person
    month: Month
    stories: list[Story]
    story_count: int  # all of last month's, even past STORY_LIMIT
    unrecognised: list[TeamPerson]  # here 90 days or more, no story in the last 90
    newcomers: list[TeamPerson]  # here under 90 days, no story yet


@dataclass
class ManagerEmailReport:
    month: str
    sent: list[str] = field(default_factory=list)  # email addresses
    already_sent: int = 0
    failed: list[str] = field(default_factory=list)  # tried again next run
    refused: list[str] = field(default_factory=list)  # refused for good (5xx): not tried again


def due_managers(month: Month) -> list[int]:
    """Ids of active managers with an active report, the email on, and none sent for `month`."""
    report = aliased(Person)
    return list(db.session.scalars(
        select(Person.id)
        .where(
            Person.active, Person.manager_email,
            exists(select(report.id).where(report.manager_id == Person.id, report.active)),
            ~exists(select(ManagerEmail.person_id).where(
                ManagerEmail.person_id == Person.id, ManagerEmail.month == month.key)),
        )
        .order_by(Person.id)
    ))


def team_month(manager: Person, month: Month, windows: Windows) -> TeamMonth:
    """Last month's stories about the manager's active reports, and who has gone unrecognised."""
    about_team = (
        select(story_nominees.c.story_id)
        .join(Person, Person.id == story_nominees.c.person_id)
        .where(Person.manager_id == manager.id, Person.active)
    )
    in_month = (
        select(Story)
        .where(Story.status == PUBLISHED, Story.published_at >= month.start_at,
               Story.published_at < month.end_at, Story.id.in_(about_team))
    )
    stories = list(db.session.scalars(
        in_month.order_by(Story.published_at, Story.id).limit(STORY_LIMIT)
        .options(load_only(Story.id, Story.title, Story.published_at),
                 selectinload(Story.nominees).load_only(Person.id, Person.name))
    ))
    count = len(stories)
    if count == STORY_LIMIT:
        count = db.session.scalar(in_month.with_only_columns(func.count(Story.id)))
    unrecognised, newcomers = [], []
    since = windows.since(RECENT_DAYS)
    for person, last, newcomer in team_recognition(manager.id, windows):
        if last is not None and last >= since:
            continue
        started = person.start_date or company_date(person.created_at, month.zone)
        row = TeamPerson(person, company_date(last, month.zone), started)
        (newcomers if newcomer else unrecognised).append(row)
    return TeamMonth(manager, month, stories, count, unrecognised, newcomers)


def build_message(team: TeamMonth) -> EmailMessage:
    """The email to one manager: a plain-text part and the same in HTML, styled as the digest."""
    company = current_app.config["COMPANY_NAME"]
    links = {
        "equity": external_url("insights.equity"),
        "nominate": external_url("stories.nominate"),
        "preferences": external_url("preferences.edit") + "#manager-email",
        "home": external_url("stories.feed"),
    }
    context = {
        "team": team, "company": company, "links": links,
        "recent_days": RECENT_DAYS, "newcomer_days": NEWCOMER_DAYS,
        "story_url": lambda story: external_url("stories.show", story_id=story.id),
        "nominate_url": lambda person: external_url("stories.nominate", nominee=person.id),
        "published_on": lambda story: company_date(story.published_at, team.month.zone),
        "title": lambda story: one_line(story.title),
    }
    subject = f"Your team's stories in {team.month.label}"
    text = render_template("email/manager_monthly.txt", subject=subject, **context)
    css, _, _ = current_app.jinja_env.loader.get_source(current_app.jinja_env, CSS_TEMPLATE)
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, extra_css=css)
    html = inliner.inline(render_template("email/manager_monthly.html", subject=subject, **context))
    return mail.build_message(team.manager.email, subject, text, html,
                              headers={"Auto-Submitted": "auto-generated"})


def send_manager_emails(now: datetime | None = None) -> ManagerEmailReport:
    """Send last month's email to every manager who is due one; safe to run again at any time."""
    now = now or utcnow()
    zone = company_zone()
    today = company_date(now, zone)
    month = Month.before(today, zone)
    windows = Windows(today)
    report = ManagerEmailReport(month=month.key)
    for manager_id in due_managers(month):
        manager = db.session.get(Person, manager_id)
        try:
            team = team_month(manager, month, windows)
            message = build_message(team)
        except Exception:  # one manager's broken email must not hold back everyone after them
            db.session.rollback()
            log.exception("Could not build the manager email to %s for %s", manager.email, month.key)
            report.failed.append(manager.email)  # not claimed: the next run tries again
            continue
        claimed = insert_if_absent(ManagerEmail.__table__, {
            "person_id": manager.id, "month": month.key, "story_count": team.story_count,
        })
        db.session.commit()
        if not claimed:  # another run got there first
            report.already_sent += 1
            continue
        outcome = deliver(message)
        if outcome == SENT:
            report.sent.append(manager.email)
            continue
        if outcome == REFUSED:
            # Refused for good (5xx): trying every few minutes for a week would not change it.
            log.warning("Manager email to %s for %s was refused; not tried again", manager.email, month.key)
            report.refused.append(manager.email)
            continue
        report.failed.append(manager.email)
        log.warning("Manager email to %s for %s could not go now; the next run tries again",
                    manager.email, month.key)
        db.session.execute(delete(ManagerEmail).where(
            ManagerEmail.person_id == manager_id, ManagerEmail.month == month.key))
        db.session.commit()
    return report


SENT, REFUSED, DEFERRED = "sent", "refused", "deferred"


def deliver(message: EmailMessage) -> str:
    """Send one email: SENT, REFUSED (a 5xx: permanent) or DEFERRED (try again later).

    Sent by hand rather than by `mail.send`, whose connection closes with QUIT: a server that
    answers QUIT badly after accepting the message must not make it look unsent (and go twice).
    """
    if not current_app.config.get("MAIL_SERVER"):
        mail.send([message])  # the outbox, in development
        return SENT
    try:
        smtp = mail.connect()
    except (OSError, smtplib.SMTPException):
        return DEFERRED
    try:
        smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        permanent = all(code >= 500 for code, _ in error.recipients.values())
        return REFUSED if permanent else DEFERRED
    except smtplib.SMTPResponseException as error:
        return REFUSED if error.smtp_code >= 500 else DEFERRED
    except (OSError, smtplib.SMTPException):
        return DEFERRED
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()  # what was sent is sent
    return SENT


def is_due(now: datetime, zone: ZoneInfo) -> bool:
    """Whether `now` falls in the first days of a month when the scheduler sends."""
    local = now.replace(tzinfo=UTC).astimezone(zone)
    return local.day <= SEND_UNTIL_DAY and (local.day > 1 or local.hour >= SEND_FROM_HOUR)


def send_if_due(now: datetime | None = None) -> ManagerEmailReport | None:
    """What the scheduler runs every hour: send last month's emails in the first days of a
    month (those already sent are skipped), else nothing."""
    now = now or utcnow()
    if not is_due(now, company_zone()):
        return None
    return send_manager_emails(now)


def set_manager_email(person: Person, wanted: bool) -> None:
    """Switch the person's monthly managers' email on or off, audited when it changes; the
    caller commits."""
    if person.manager_email == wanted:
        return
    audit.record(person, "person.manager_email", "person", person.id,
                 {"manager_email": person.manager_email}, {"manager_email": wanted})
    person.manager_email = wanted
