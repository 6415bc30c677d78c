"""The digest's schedule at /admin/digest: admins change the day, time and time zone of the cut
in the database, the environment's values hold otherwise, and the scheduler follows a change
without a restart."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import event, func, insert, select

from storyboard.admin.forms import TIME_FORMAT, UNKNOWN_ZONE
from storyboard.digest.candidates import latest_cut, next_cut
from storyboard.digest.scheduler import build_scheduler
from storyboard.digest.tick import tick
from storyboard.extensions import db
from storyboard.models import AppSetting, DigestHoldback, DigestIntroduction, DigestIssue
from storyboard.settings import set_setting, setting
from tests.helpers import CUT, NOW, audit_entries, input_values, issue_count, text

# A Wednesday in winter: London is on UTC, the environment's cut is Monday 07:00.
WEDNESDAY_NOON = datetime(2026, 12, 2, 12, 0)
THURSDAY = {"day": "thursday", "time": "09:30", "timezone": "Europe/London"}
FORBIDDEN = "You do not have permission to do that."


def stored() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(AppSetting.key, AppSetting.value)).all())


def selected_day(html: str) -> str:
    """The day chosen in the form's select."""
    [chosen] = re.findall(r'<option selected value="(\w+)">', html)
    return chosen


@pytest.fixture
def admin(ctx, as_role, monkeypatch):
    """An admin signed in, with the page's clock at WEDNESDAY_NOON."""
    monkeypatch.setattr("storyboard.admin.views.utcnow", lambda: WEDNESDAY_NOON)
    return as_role("admin")


# Changing the schedule.


def test_the_page_shows_the_environments_schedule_and_the_next_cut(client, admin):
    page = text(client.get("/admin/digest"))
    assert "In use: Monday, from the environment." in page
    assert "In use: 07:00, from the environment." in page
    assert "In use: Europe/London, from the environment." in page
    assert "The next issue is cut on Monday 7 December 2026, 07:00 (Europe/London)." in page
    assert selected_day(page) == "monday"
    assert input_values(page, "time") == ["07:00"] and input_values(page, "timezone") == ["Europe/London"]
    assert "Use the environment's value" not in page  # nothing is set here yet


def test_changing_the_day_and_time_moves_the_next_cut(client, admin):
    assert next_cut(WEDNESDAY_NOON) == datetime(2026, 12, 7, 7, 0)
    response = client.post("/admin/digest", data=THURSDAY)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/digest"
    assert stored() == {"DIGEST_CUT_DAY": "thursday", "DIGEST_CUT_TIME": "09:30"}  # the zone was unchanged
    assert next_cut(WEDNESDAY_NOON) == datetime(2026, 12, 3, 9, 30)
    assert latest_cut(WEDNESDAY_NOON) == datetime(2026, 11, 26, 9, 30)
    page = text(client.get("/admin/digest"))
    assert "Saved. The next issue is cut on Thursday 3 December 2026, 09:30 (Europe/London)." in page
    assert "In use: Thursday, set here (the environment says Monday)." in page
    assert "In use: Europe/London, from the environment." in page
    assert selected_day(page) == "thursday" and input_values(page, "time") == ["09:30"]


def test_a_new_time_zone_moves_the_cut_in_utc(client, admin):
    response = client.post("/admin/digest", data=THURSDAY | {"timezone": "america/new_york"})
    assert response.status_code == 302
    assert setting("DIGEST_TIMEZONE") == "America/New_York"  # spelt as the zone database does
    assert next_cut(WEDNESDAY_NOON) == datetime(2026, 12, 3, 14, 30)  # 09:30 EST is 14:30 UTC
    page = text(client.get("/admin/digest"))
    assert "The next issue is cut on Thursday 3 December 2026, 09:30 (America/New_York)." in page


def test_a_time_without_its_leading_zero_is_stored_with_it(client, admin):
    client.post("/admin/digest", data=THURSDAY | {"time": "9:05"})
    assert setting("DIGEST_CUT_TIME") == "09:05"
    assert next_cut(WEDNESDAY_NOON) == datetime(2026, 12, 3, 9, 5)


def test_saving_the_schedule_unchanged_stores_nothing(client, admin):
    response = client.post("/admin/digest", data={"day": "monday", "time": "07:00", "timezone": "Europe/London"})
    assert response.status_code == 302
    assert stored() == {} and audit_entries("settings.digest_schedule") == []
    assert "Nothing changed." in text(client.get("/admin/digest"))


def test_the_change_is_in_the_audit_log(client, admin):
    client.post("/admin/digest", data=THURSDAY)
    [entry] = audit_entries("settings.digest_schedule")
    assert (entry.actor_id, entry.entity_type) == (admin.id, "setting")
    assert entry.before == {"DIGEST_CUT_DAY": "monday", "DIGEST_CUT_TIME": "07:00"}
    assert entry.after == {"DIGEST_CUT_DAY": "thursday", "DIGEST_CUT_TIME": "09:30"}
    log = text(client.get("/admin/audit?entity_type=setting"))
    assert "settings.digest_schedule" in log and 'href="/admin/digest"' in log


# Refused input: the page again, with the message beside the field and what was typed.


@pytest.mark.parametrize("typed", ["25:00", "07:60", "7", "07:00pm", "٠٧:٠٠", ""])
def test_a_time_that_is_not_one_is_refused_with_what_was_typed(client, admin, typed):
    response = client.post("/admin/digest", data=THURSDAY | {"time": typed, "timezone": "Asia/Tokyo"})
    assert response.status_code == 400
    page = text(response)
    assert f'<ul class="errors" id="time-errors"><li>{TIME_FORMAT}</li></ul>' in page
    assert input_values(page, "time") == [typed] and input_values(page, "timezone") == ["Asia/Tokyo"]
    assert selected_day(page) == "thursday"
    assert stored() == {} and audit_entries("settings.digest_schedule") == []


@pytest.mark.parametrize("typed", ["Mars/Olympus_Mons", "Europe/Londres", "../../etc/passwd", "", "x" * 500])
def test_an_unknown_time_zone_is_refused_with_what_was_typed(client, admin, typed):
    response = client.post("/admin/digest", data=THURSDAY | {"timezone": typed})
    assert response.status_code == 400
    page = text(response)
    assert f'<ul class="errors" id="timezone-errors"><li>{UNKNOWN_ZONE}</li></ul>' in page
    assert input_values(page, "timezone") == [typed] and input_values(page, "time") == ["09:30"]
    assert stored() == {}


def test_a_day_not_in_the_week_is_refused(client, admin):
    response = client.post("/admin/digest", data=THURSDAY | {"day": "someday"})
    assert response.status_code == 400
    assert "Choose a day of the week." in text(response)
    assert stored() == {}


# Back to the environment.


def test_resetting_a_setting_gives_it_back_to_the_environment(client, admin, app):
    client.post("/admin/digest", data=THURSDAY)
    page = text(client.get("/admin/digest"))
    assert page.count("Use the environment's value") == 2  # the day and the time, not the zone
    response = client.post("/admin/digest/reset", data={"setting": "day"})
    assert response.status_code == 302
    assert stored() == {"DIGEST_CUT_TIME": "09:30"}
    assert next_cut(WEDNESDAY_NOON) == datetime(2026, 12, 7, 9, 30)  # Monday again, still at 09:30
    page = text(client.get("/admin/digest"))
    assert "The day is the environment&#39;s again." in page
    assert "In use: Monday, from the environment." in page
    reset = audit_entries("settings.digest_schedule")[-1]
    assert (reset.before, reset.after) == ({"DIGEST_CUT_DAY": "thursday"}, {"DIGEST_CUT_DAY": "monday"})
    # The environment's value is read when needed, not copied: a new one is followed.
    app.config["DIGEST_CUT_DAY"] = "friday"
    assert next_cut(WEDNESDAY_NOON) == datetime(2026, 12, 4, 9, 30)


def test_resetting_what_is_already_the_environments_changes_nothing(client, admin):
    response = client.post("/admin/digest/reset", data={"setting": "timezone"})
    assert response.status_code == 302
    assert audit_entries("settings.digest_schedule") == []
    assert "The time zone already comes from the environment." in text(client.get("/admin/digest"))


@pytest.mark.parametrize("data", [{}, {"setting": "DIGEST_CUT_DAY"}, {"setting": "SECRET_KEY"}])
def test_resetting_something_else_is_refused(client, admin, data):
    assert client.post("/admin/digest/reset", data=data).status_code == 400


def test_only_the_schedule_can_be_stored(ctx):
    with pytest.raises(KeyError):
        set_setting("SECRET_KEY", "stolen")
    with pytest.raises(KeyError):
        setting("MAIL_SERVER")


# Who may.


@pytest.mark.parametrize("role", ["staff", "curator"])
def test_only_admins_change_the_schedule(client, ctx, as_role, role):
    as_role(role)
    for response in (client.get("/admin/digest"), client.post("/admin/digest", data=THURSDAY),
                     client.post("/admin/digest/reset", data={"setting": "day"})):
        assert response.status_code == 403 and FORBIDDEN in text(response)
    assert stored() == {}


def test_only_admins_see_the_link(client, ctx, as_role):
    as_role("curator")
    assert "/admin/digest" not in text(client.get("/admin/values"))
    as_role("admin")
    assert 'href="/admin/digest"' in text(client.get("/admin/values"))


# Read once per request.


def test_a_page_of_many_cuts_reads_the_schedule_once(client, admin):
    db.session.add_all(DigestIssue(issue_key=f"2026-11-{day:02d}", cut_at=datetime(2026, 11, day, 7))
                       for day in (9, 16, 23, 30))
    set_setting("DIGEST_TIMEZONE", "Asia/Tokyo")
    db.session.commit()
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = text(client.get("/digest/"))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "Monday 30 November 2026, 16:00" in page  # 07:00 UTC in Tokyo
    assert len([sql for sql in seen if "app_settings" in sql]) == 1


# The scheduler and the tick follow the database.


def test_the_scheduler_ticks_on_the_clocks_marks_not_on_a_trigger_from_the_environment(app):
    app.config.update(DIGEST_TICK_INTERVAL_SECONDS=300)
    [job] = build_scheduler(app).get_jobs()
    # Only an interval: a cron trigger built from the settings at start would miss a change.
    assert isinstance(job.trigger, IntervalTrigger)
    after = datetime(2026, 12, 3, 9, 26, 13, tzinfo=UTC)
    assert job.trigger.get_next_fire_time(None, after) == datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def test_a_running_tick_follows_a_change_made_elsewhere(app, ctx, make_story, make_person):
    """One app context throughout, like a scheduler that has been running since Monday, and
    the change written on another connection, as the web app's process would."""
    make_story(published_at=datetime(2026, 11, 30, 9, 0))
    make_person(email="reader@example.com")
    assert tick(datetime(2026, 12, 3, 9, 35)).cut_at == datetime(2026, 11, 30, 7, 0)
    assert issue_count() == 0  # that cut is more than 72 hours old: too late to send
    db.session.commit()  # nothing held open: SQLite would make the other writer wait
    with db.engine.begin() as connection:
        connection.execute(insert(AppSetting), [{"key": "DIGEST_CUT_DAY", "value": "thursday"},
                                                {"key": "DIGEST_CUT_TIME", "value": "09:30"}])
    report = tick(datetime(2026, 12, 3, 9, 35))
    assert report.cut_at == datetime(2026, 12, 3, 9, 30)
    assert report.created and report.issue_key == "2026-12-03"


# Moving the day mid-week.


def test_moving_the_day_later_in_the_week_does_not_send_a_second_issue(client, admin, make_story, smtp_server):
    make_story(published_at=CUT - timedelta(days=3))
    assert tick(NOW).created  # Monday's issue
    sent = len(smtp_server.messages)
    assert client.post("/admin/digest", data={"day": "wednesday", "time": "07:00",
                                              "timezone": "Europe/London"}).status_code == 302
    make_story(published_at=CUT + timedelta(days=2))
    report = tick(CUT + timedelta(days=2, minutes=5))  # Wednesday, two days after Monday's
    assert report.cut_at == CUT + timedelta(days=2) and report.issue_key is None
    assert issue_count() == 1 and len(smtp_server.messages) == sent
    # The week after, Wednesday's issue goes out.
    assert tick(CUT + timedelta(days=9, minutes=5)).created
    assert issue_count() == 2


def test_moving_the_day_earlier_in_the_week_does_not_send_a_second_issue(client, admin, make_story):
    make_story(published_at=CUT - timedelta(days=3))
    assert tick(NOW).created  # Monday's issue
    client.post("/admin/digest", data={"day": "sunday", "time": "07:00", "timezone": "Europe/London"})
    report = tick(CUT + timedelta(days=1))  # Tuesday: the latest cut is now the Sunday before Monday's
    assert report.cut_at == CUT - timedelta(days=1)
    assert report.issue_key is None and issue_count() == 1
    assert db.session.scalar(select(func.count()).select_from(DigestIssue)) == 1


def test_what_curators_set_for_the_coming_issue_follows_it_to_its_new_date(client, admin, make_story, monkeypatch):
    monkeypatch.setattr("storyboard.admin.schedule.utcnow", lambda: WEDNESDAY_NOON)
    story = make_story()
    db.session.add_all([DigestIntroduction(issue_key="2026-12-07", body_md="Happy December."),
                        DigestHoldback(issue_key="2026-12-07", story_id=story.id)])
    db.session.commit()
    client.post("/admin/digest", data=THURSDAY)
    db.session.expire_all()
    assert db.session.scalars(select(DigestIntroduction.issue_key)).all() == ["2026-12-03"]
    assert db.session.scalars(select(DigestHoldback.issue_key)).all() == ["2026-12-03"]
    client.post("/admin/digest/reset", data={"setting": "day"})  # back to Monday 7 December
    db.session.expire_all()
    assert db.session.scalars(select(DigestIntroduction.issue_key)).all() == ["2026-12-07"]
    assert db.session.scalars(select(DigestHoldback.issue_key)).all() == ["2026-12-07"]


def test_a_story_published_between_an_issue_and_a_cut_skipped_after_a_move_goes_in_the_next_issue(
        client, admin, make_story, smtp_server, monkeypatch):
    monkeypatch.setattr("storyboard.admin.schedule.utcnow", lambda: WEDNESDAY_NOON)
    make_story(published_at=CUT - timedelta(days=3))
    assert tick(NOW).created  # Monday 30 November's issue
    between = make_story(title="Tuesday's rescue", published_at=datetime(2026, 12, 1, 12, 0))
    client.post("/admin/digest", data=THURSDAY)  # on Wednesday: Thursdays from now on
    # Thursday 3 December is too soon after Monday's issue, and the page says so.
    assert "The next issue is cut on Thursday 10 December 2026, 09:30 (Europe/London)." in text(
        client.get("/admin/digest"))
    assert tick(datetime(2026, 12, 3, 9, 35)).issue_key is None
    report = tick(datetime(2026, 12, 10, 9, 35))
    assert report.created
    issue = db.session.scalar(select(DigestIssue).where(DigestIssue.issue_key == "2026-12-10"))
    assert between.id in [row.story_id for row in issue.stories]


def test_a_cut_moved_earlier_on_its_own_day_keeps_the_curators_changes_on_todays_issue(
        client, admin, make_story, monkeypatch):
    monday_six = datetime(2026, 12, 7, 6, 0)  # an hour before the usual 07:00 cut
    monkeypatch.setattr("storyboard.admin.schedule.utcnow", lambda: monday_six)
    make_story(published_at=monday_six - timedelta(days=3))
    db.session.add(DigestIntroduction(issue_key="2026-12-07", body_md="Happy December."))
    db.session.commit()
    client.post("/admin/digest", data={"day": "monday", "time": "05:00", "timezone": "Europe/London"})
    db.session.expire_all()
    # Today's 05:00 cut has passed but is not made yet: the next tick makes it, with the text.
    assert db.session.scalars(select(DigestIntroduction.issue_key)).all() == ["2026-12-07"]
    tick(monday_six + timedelta(minutes=5))
    assert db.session.scalar(select(DigestIssue.introduction).where(DigestIssue.issue_key == "2026-12-07")) == \
        "Happy December."
