"""Reading digest candidates from the database, the cut schedule, and `digest preview`."""
from datetime import datetime, timedelta

import pytest

from storyboard.digest.candidates import is_monthly_cut, latest_cut, load_candidates, next_cut, params_from_config

CUT = datetime(2026, 11, 23, 7, 0)  # a Monday, 07:00 in London (GMT in November)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 23, 6, 59), datetime(2026, 11, 23, 7, 0)),
        (datetime(2026, 11, 23, 7, 0), datetime(2026, 11, 23, 7, 0)),
        (datetime(2026, 11, 23, 7, 1), datetime(2026, 11, 30, 7, 0)),
        (datetime(2026, 7, 1, 12, 0), datetime(2026, 7, 6, 6, 0)),  # British Summer Time: 06:00 UTC
    ],
)
def test_next_cut_is_monday_seven_local_time(app, ctx, now, expected):
    assert next_cut(now) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 23, 7, 0), datetime(2026, 11, 23, 7, 0)),
        (datetime(2026, 11, 23, 6, 59), datetime(2026, 11, 16, 7, 0)),
        (datetime(2026, 11, 29, 23, 0), datetime(2026, 11, 23, 7, 0)),
        (datetime(2026, 7, 6, 6, 30), datetime(2026, 7, 6, 6, 0)),  # summer: 07:00 BST is 06:00 UTC
        (datetime(2026, 3, 30, 6, 0), datetime(2026, 3, 30, 6, 0)),  # the Monday after the clocks go forward
        (datetime(2026, 3, 30, 5, 59), datetime(2026, 3, 23, 7, 0)),
    ],
)
def test_latest_cut_is_the_last_monday_seven_local_time(app, ctx, now, expected):
    assert latest_cut(now) == expected


@pytest.mark.parametrize(
    ("now", "latest", "following"),
    [
        # The clocks go forward at 01:00 GMT on 29 March 2026; the cut is set inside the change.
        (datetime(2026, 3, 29, 0, 45), datetime(2026, 3, 22, 1, 30), datetime(2026, 3, 29, 1, 30)),
        # They go back at 01:00 UTC on 25 October: 01:30 BST (00:30 UTC) has passed by 01:10 UTC.
        (datetime(2026, 10, 25, 1, 10), datetime(2026, 10, 25, 0, 30), datetime(2026, 11, 1, 1, 30)),
    ],
)
def test_cuts_inside_a_clock_change_are_compared_in_utc(app, ctx, now, latest, following):
    app.config.update(DIGEST_CUT_DAY="sunday", DIGEST_CUT_TIME="01:30")
    assert latest_cut(now) == latest and latest <= now
    assert next_cut(now) == following and following >= now


@pytest.mark.parametrize(
    ("cut", "monthly"),
    [(datetime(2026, 12, 7, 7), True), (datetime(2026, 11, 30, 7), False), (datetime(2026, 11, 2, 7), True),
     (datetime(2026, 11, 9, 7), False), (datetime(2026, 8, 31, 23, 30), True)],  # 00:30 BST on 1 September
)
def test_the_first_cut_of_each_local_month_is_the_monthly_issue(app, ctx, cut, monthly):
    assert is_monthly_cut(cut) is monthly


def test_params_come_from_configuration(app, ctx):
    app.config["DIGEST_CANON_COUNT"] = 4
    app.config["DIGEST_CANON_MAX"] = 7
    app.config["DIGEST_LADDER_WEEKS"] = [2, 4]
    params = params_from_config()
    assert (params.canon_count, params.canon_max, params.ladder_weeks, params.new_count) == (4, 7, (2, 4), 3)


def test_candidates_carry_consent_leavers_and_pins(app, ctx, make_story, make_person):
    leaver = make_person(active=False, department="Stores")
    shy = make_person(hide_from_digests=True)
    fresh = make_story(published_at=CUT - timedelta(days=2), pinned_at=CUT - timedelta(days=1))
    gone = make_story(nominees=[leaver], published_at=CUT - timedelta(days=300), in_canon=True, legacy=True)
    quiet = make_story(nominees=[shy], published_at=CUT - timedelta(days=3))
    make_story(published_at=CUT - timedelta(days=60))  # neither new nor canon: not a candidate
    make_story(status="archived", published_at=CUT - timedelta(days=2))
    found = {c.story_id: c for c in load_candidates(CUT, params_from_config())}
    assert set(found) == {fresh.id, gone.id, quiet.id}
    assert found[fresh.id].pinned and not found[fresh.id].opted_out
    assert found[gone.id].any_honoree_left and found[gone.id].legacy and found[gone.id].in_canon
    assert found[gone.id].honoree_departments == ("Stores",)
    assert found[quiet.id].opted_out


def test_preview_prints_the_next_issue(app, runner, ctx, make_story):
    story = make_story(title="Drove the cake across town", published_at=CUT - timedelta(days=3))
    result = runner.invoke(args=["digest", "preview", "--now", "2026-11-22T12:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "cut at 2026-11-23 07:00 UTC" in result.output
    assert f"This week:\n  #{story.id} Drove the cake across town" in result.output


def test_preview_says_when_nothing_qualifies(app, runner, ctx):
    result = runner.invoke(args=["digest", "preview", "--now", "2026-11-22T12:00:00"])
    assert result.exit_code == 0
    assert "Nothing qualifies: no issue would be sent." in result.output


def test_preview_rejects_a_bad_date(app, runner, ctx):
    result = runner.invoke(args=["digest", "preview", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "use ISO 8601" in result.output


def test_a_canon_count_raised_above_the_maximum_means_no_growing(app, ctx):
    app.config.update(DIGEST_CANON_COUNT=6, DIGEST_CANON_MAX=5)
    params = params_from_config()
    assert (params.canon_count, params.canon_max) == (6, 6)


def test_history_and_candidates_say_which_departments_and_values_they_feature(app, ctx, make_story, make_person):
    from sqlalchemy import select

    from storyboard.digest.candidates import load_history
    from storyboard.extensions import db
    from storyboard.models import DigestIssue, DigestIssueStory, Value

    values = {value.slug: value for value in db.session.scalars(select(Value))}
    story = make_story(nominees=[make_person(department="Stores"), make_person(department="Night shift")],
                       values=[values["empathy"], values["courtesy"]], published_at=CUT - timedelta(days=2))
    issue = DigestIssue(issue_key="2026-11-23", cut_at=CUT - timedelta(weeks=1))
    db.session.add(issue)
    db.session.flush()
    db.session.add(DigestIssueStory(issue_id=issue.id, story_id=story.id, section="new", position=1))
    db.session.commit()
    [appearance] = load_history()
    assert (appearance.story_id, appearance.section) == (story.id, "new")
    assert appearance.departments == ("Night shift", "Stores")
    assert appearance.values == ("courtesy", "empathy")
    [candidate] = load_candidates(CUT, params_from_config())
    assert candidate.values == ("courtesy", "empathy")
