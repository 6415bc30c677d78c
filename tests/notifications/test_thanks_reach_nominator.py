"""Thank-you notes reach the people who wrote the story as well as the people it is about, each
once and never the note's own author, and say who thanked whom. Leavers (deactivated or erased)
are not told, and a note on their story still goes through."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Notification
from storyboard.privacy.erasure import StoryChoice, erase
from tests.helpers import sign_in_on, text


def told() -> set[tuple]:
    """Every notification as (person id, kind, story id, message)."""
    db.session.expire_all()
    return {(n.person_id, n.kind, n.story_id, n.message) for n in db.session.scalars(select(Notification))}


@pytest.fixture
def people(ctx, make_person):
    return {
        "sam": make_person(name="Sam Writer", email="sam@example.com"),
        "dana": make_person(name="Dana Doer", email="dana@example.com"),
        "eli": make_person(name="Eli Helper", email="eli@example.com"),
        "rita": make_person(name="Rita Reader", email="rita@example.com"),
    }


@pytest.fixture
def story(people, make_story):
    """Sam's published story about Dana and Eli."""
    return make_story(nominator=people["sam"], nominees=[people["dana"], people["eli"]], title="Calm in the storm")


def thank(client, story, person, note="Thank you!"):
    sign_in_on(client, person)
    response = client.post(f"/stories/{story.id}/thanks", data={"body_md": note})
    assert response.status_code == 302
    return response


def test_a_nominee_sees_the_thank_you_form_and_thanks_the_writer(client, people, story, smtp_server):
    sign_in_on(client, people["dana"])
    page = text(client.get(f"/stories/{story.id}"))
    assert f'action="/stories/{story.id}/thanks"' in page  # the form is there for the people it is about
    thank(client, story, people["dana"], "Thank you for telling it, Sam!")
    assert "Thank you for telling it, Sam!" in text(client.get(f"/stories/{story.id}"))
    assert told() == {
        (people["sam"].id, "thank_you", story.id,
         "Dana Doer thanked you for your story about them, “Calm in the storm”."),
        (people["eli"].id, "thank_you", story.id, "Dana Doer thanked you on “Calm in the storm”."),
    }
    assert sorted(message["To"] for message in smtp_server.messages) == ["eli@example.com", "sam@example.com"]
    [to_sam] = [message for message in smtp_server.messages if message["To"] == "sam@example.com"]
    assert to_sam["Subject"] == "Dana Doer thanked you for your story about them, “Calm in the storm”."


def test_a_colleagues_note_reaches_the_writer_and_the_people_it_is_about(client, people, story, smtp_server):
    thank(client, story, people["rita"])
    assert told() == {
        (people["sam"].id, "thank_you", story.id,
         "Rita Reader left a thank-you note on your story “Calm in the storm”."),
        (people["dana"].id, "thank_you", story.id, "Rita Reader thanked you on “Calm in the storm”."),
        (people["eli"].id, "thank_you", story.id, "Rita Reader thanked you on “Calm in the storm”."),
    }
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "dana@example.com", "eli@example.com", "sam@example.com"]


def test_the_writers_own_note_tells_only_the_people_it_is_about(client, people, story):
    thank(client, story, people["sam"])
    assert told() == {
        (people["dana"].id, "thank_you", story.id, "Sam Writer thanked you on “Calm in the storm”."),
        (people["eli"].id, "thank_you", story.id, "Sam Writer thanked you on “Calm in the storm”."),
    }


def test_a_writer_credited_after_a_merge_is_told_and_nobody_twice(client, people, make_story):
    """Sam is among the people the story is about too: one notification, as a nominee."""
    story = make_story(nominator=people["sam"], nominees=[people["dana"], people["sam"]], title="Two of us")
    story.co_nominators.append(people["eli"])
    db.session.commit()
    thank(client, story, people["rita"])
    assert told() == {
        (people["sam"].id, "thank_you", story.id, "Rita Reader thanked you on “Two of us”."),
        (people["dana"].id, "thank_you", story.id, "Rita Reader thanked you on “Two of us”."),
        (people["eli"].id, "thank_you", story.id, "Rita Reader left a thank-you note on your story “Two of us”."),
    }


def test_a_deactivated_writer_is_not_told(client, people, story, smtp_server):
    people["sam"].active = False
    db.session.commit()
    thank(client, story, people["dana"])
    assert told() == {(people["eli"].id, "thank_you", story.id, "Dana Doer thanked you on “Calm in the storm”.")}
    assert [message["To"] for message in smtp_server.messages] == ["eli@example.com"]


def test_an_erased_writer_is_not_told_and_the_note_still_goes_through(client, people, story, make_person, smtp_server):
    admin = make_person(role="admin")
    erase(admin, people["sam"], StoryChoice.KEEP)
    db.session.commit()
    thank(client, story, people["dana"], "Thank you, whoever you were!")
    assert "Thank you, whoever you were!" in text(client.get(f"/stories/{story.id}"))
    assert told() == {(people["eli"].id, "thank_you", story.id, "Dana Doer thanked you on “Calm in the storm”.")}
    assert [message["To"] for message in smtp_server.messages] == ["eli@example.com"]


def test_a_writer_who_switched_thank_you_emails_off_is_told_in_the_app_only(client, people, story, smtp_server):
    sign_in_on(client, people["sam"])
    assert client.post("/preferences", data={"thank_you-in_app": "on"}).status_code == 302
    thank(client, story, people["dana"])
    assert (people["sam"].id, "thank_you", story.id,
            "Dana Doer thanked you for your story about them, “Calm in the storm”.") in told()
    assert "sam@example.com" not in [message["To"] for message in smtp_server.messages]
