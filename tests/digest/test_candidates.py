"""Reading digest candidates from the database, the cut schedule, and `digest preview`."""
from datetime import datetime, timedelta

import pytest

from storyboard.digest.candidates import load_candidates, next_cut, params_from_config

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


def test_params_come_from_configuration(app, ctx):
    app.config["DIGEST_CANON_COUNT"] = 4
    app.config["DIGEST_LADDER_WEEKS"] = [2, 4]
    params = params_from_config()
    assert (params.canon_count, params.ladder_weeks, params.new_count) == (4, (2, 4), 3)


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
