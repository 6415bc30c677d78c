"""Nominating a colleague: finding them, validation that keeps what was typed, preview, save."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from storyboard.extensions import db
from storyboard.models import Story, StoryStatus, Value


def value_ids(*slugs):
    return [db.session.scalar(select(Value.id).where(Value.slug == slug)) for slug in slugs]


@pytest.fixture
def nominator(ctx, as_role):
    return as_role("staff", name="Nadia Nominator")


@pytest.fixture
def colleague(ctx, make_person):
    return make_person(name="Carlos Colleague", email="carlos@example.com", department="Warehouse")


def good_form(colleague, **overrides):
    form = {
        "nominees": [str(colleague.id)],
        "values": [str(v) for v in value_ids("courtesy", "owned-it-end-to-end")],
        "title": "Carlos found the lost pallet",
        "body_md": "He walked **every aisle** until he found it.",
        "impact_kind": "customer",
        "impact": "The shop opened on time.",
        "rule_in_the_way": "",
        "happened_on": (date.today() - timedelta(days=2)).isoformat(),
        "action": "submit",
    }
    form.update(overrides)
    return form


def test_submit_creates_a_submitted_story(client, nominator, colleague):
    response = client.post("/nominate", data=good_form(colleague))
    assert response.status_code == 302
    story = db.session.scalars(select(Story)).one()
    assert story.status == StoryStatus.SUBMITTED
    assert story.submitted_at is not None
    assert [person.name for person in story.nominees] == ["Carlos Colleague"]
    assert [value.slug for value in story.values] == ["courtesy", "owned-it-end-to-end"]
    assert story.body_html == "<p>He walked <strong>every aisle</strong> until he found it.</p>"
    assert "Carlos Colleague" in story.search_text
    page = client.get(response.headers["Location"])
    assert b"Carlos found the lost pallet" in page.data
    assert b"Status: submitted" in page.data


def test_save_draft_keeps_it_private_and_editable(client, nominator, colleague, as_role):
    response = client.post("/nominate", data=good_form(colleague, action="draft"))
    story = db.session.scalars(select(Story)).one()
    assert story.status == StoryStatus.DRAFT
    edit = client.get(f"/stories/{story.id}/edit")
    assert edit.status_code == 200
    assert b"Carlos found the lost pallet" in edit.data
    assert b'value="%d" id="nominee-%d" checked' % (colleague.id, colleague.id) in edit.data
    # the draft now becomes a submission from the edit page
    response = client.post(f"/stories/{story.id}/edit", data=good_form(colleague, title="Carlos saved the day"))
    assert response.status_code == 302
    db.session.refresh(story)
    assert (story.title, story.status) == ("Carlos saved the day", StoryStatus.SUBMITTED)
    # and, once submitted, the nominator can no longer edit it
    assert client.get(f"/stories/{story.id}/edit").status_code == 403


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nominees": []}, "Choose at least one colleague to nominate."),
        ({"values": []}, "Choose at least one value the story shows."),
        ({"title": "  "}, "Give the story a title."),
        ({"title": "x" * 201}, "Keep the title under 200 characters."),
        ({"body_md": ""}, "Tell the story: what happened?"),
        ({"impact": ""}, "Describe the impact: what changed for the customer or the team?"),
        ({"happened_on": "last tuesday"}, "Enter a real date, for example "),
        ({"happened_on": (date.today() + timedelta(days=1)).isoformat()}, "The date cannot be in the future."),
        ({"nominees": ["999999"]}, "One of the chosen colleagues is not an active member of staff."),
        ({"impact_kind": "martians"}, "Not a valid choice."),
    ],
)
def test_bad_input_gives_400_with_message_and_keeps_typing(client, nominator, colleague, overrides, message):
    form = good_form(colleague, rule_in_the_way="The refund limit is £50", **overrides)
    response = client.post("/nominate", data=form)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text
    assert "The refund limit is £50" in text  # what was typed is still there
    for kept in ("title", "body_md", "impact", "happened_on"):
        if form[kept].strip():
            assert f"{form[kept]}</textarea>" in text or f'value="{form[kept]}"' in text
    assert db.session.scalar(select(func.count()).select_from(Story)) == 0


def test_more_than_three_values_is_refused(client, nominator, colleague):
    four = value_ids("courtesy", "empathy", "responsibility", "practicality")
    response = client.post("/nominate", data=good_form(colleague, values=[str(v) for v in four]))
    assert response.status_code == 400
    assert "Choose at most three values" in response.get_data(as_text=True)


def test_nobody_nominates_only_themselves(client, nominator, colleague):
    response = client.post("/nominate", data=good_form(colleague, nominees=[str(nominator.id)]))
    assert response.status_code == 400
    assert "You cannot nominate only yourself" in response.get_data(as_text=True)
    both = good_form(colleague, nominees=[str(nominator.id), str(colleague.id)])
    assert client.post("/nominate", data=both).status_code == 302


def test_inactive_colleague_cannot_be_nominated(client, nominator, make_person):
    leaver = make_person(name="Lee Leaver", active=False)
    response = client.post("/nominate", data=good_form(leaver))
    assert response.status_code == 400
    assert "One of the chosen colleagues is not an active member of staff." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Story)) == 0


def test_at_most_ten_colleagues_in_one_story(client, nominator, make_person):
    colleagues = [make_person() for _ in range(11)]
    eleven = good_form(colleagues[0], nominees=[str(person.id) for person in colleagues])
    response = client.post("/nominate", data=eleven)
    assert response.status_code == 400
    assert "Nominate at most 10 colleagues in one story." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Story)) == 0
    ten = good_form(colleagues[0], nominees=[str(person.id) for person in colleagues[:10]])
    assert client.post("/nominate", data=ten).status_code == 302
    assert len(db.session.scalars(select(Story)).one().nominees) == 10


def test_find_colleague_without_javascript_keeps_the_form(client, nominator, colleague, make_person):
    make_person(name="Carla Other", email="carla@example.com")
    form = good_form(colleague, nominees=[], action="find", nominee_query="carl")
    response = client.post("/nominate", data=form)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Carlos Colleague" in text and "Carla Other" in text
    assert f'name="nominees" value="{colleague.id}" id="result-{colleague.id}"' in text
    assert "Carlos found the lost pallet" in text  # nothing typed was lost
    assert db.session.scalar(select(func.count()).select_from(Story)) == 0


def test_find_by_email_and_no_match_message(client, nominator, colleague):
    found = client.post("/nominate", data={"action": "find", "nominee_query": "carlos@"})
    assert "Carlos Colleague" in found.get_data(as_text=True)
    missing = client.post("/nominate", data={"action": "find", "nominee_query": "zzzz"})
    assert "Nobody matches that name or email." in missing.get_data(as_text=True)


def test_search_treats_like_wildcards_literally(client, nominator, colleague):
    response = client.post("/nominate", data={"action": "find", "nominee_query": "%"})
    assert "Carlos Colleague" not in response.get_data(as_text=True)


def test_preview_renders_through_the_chokepoint_and_saves_nothing(client, nominator, colleague):
    body = "Hello **team** <script>alert(1)</script> [x](javascript:alert(1))"
    response = client.post("/nominate", data=good_form(colleague, body_md=body, action="preview"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<strong>team</strong>" in text
    assert "<script>alert(1)" not in text
    assert 'href="javascript' not in text
    assert db.session.scalar(select(func.count()).select_from(Story)) == 0


def test_profile_link_preselects_the_nominee(client, nominator, colleague):
    response = client.get(f"/nominate?nominee={colleague.id}")
    assert f'value="{colleague.id}" id="nominee-{colleague.id}" checked' in response.get_data(as_text=True)


def test_someone_elses_draft_cannot_be_edited(client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.DRAFT)
    as_role("staff")
    assert client.get(f"/stories/{story.id}/edit").status_code == 404
    assert client.post(f"/stories/{story.id}/edit", data={"title": "mine now"}).status_code == 404


def test_unknown_action_is_refused_not_saved(client, nominator, colleague):
    response = client.post("/nominate", data=good_form(colleague, action="bogus"))
    assert response.status_code == 400
    assert "Choose Find, Preview, Save or Submit." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Story)) == 0


def test_a_curator_editing_checks_the_nominator_not_themselves(client, ctx, make_story, make_person, as_role):
    author = make_person(name="Author Only")
    story = make_story(nominator=author)
    curator = as_role("curator")
    only_author = good_form(author, nominees=[str(author.id)], action="save")
    response = client.post(f"/stories/{story.id}/edit", data=only_author)
    assert response.status_code == 400
    assert "The nominator cannot be the only person the story is about." in response.get_data(as_text=True)
    only_curator = good_form(author, nominees=[str(curator.id)], action="save")
    assert client.post(f"/stories/{story.id}/edit", data=only_curator).status_code == 302


def test_leftover_search_text_never_blocks_saving(client, nominator, colleague):
    response = client.post("/nominate", data=good_form(colleague, nominee_query="x" * 500))
    assert response.status_code == 302
