"""The story editor's server half (issue 14, storyboard/stories/editor.py): the live preview
renders through the one Markdown chokepoint, and autosave keeps the writer's draft on the
server by the rules of "Save draft". The script's half is in tests/browser/test_editor.py."""
import re

import pytest
from sqlalchemy import func, select

from storyboard.extensions import db
from storyboard.models import Story, StoryStatus
from tests.helpers import csrf_token_in, sign_in_on
from tests.stories.test_nominate import good_form

CSRF_MESSAGE = "Your form expired or was sent from elsewhere. Reload the page and try again."


@pytest.fixture
def nominator(ctx, as_role):
    return as_role("staff", name="Nadia Nominator")


@pytest.fixture
def colleague(ctx, make_person):
    return make_person(name="Carlos Colleague", email="carlos@example.com", department="Warehouse")


def story_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Story))


# The live preview


def test_the_preview_is_the_storys_markdown_as_html(client, nominator):
    response = client.post("/stories/preview", data={"body_md": "He walked **every aisle**.\n\n- left\n- right"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.get_data(as_text=True) == (
        "<p>He walked <strong>every aisle</strong>.</p>\n<ul>\n<li>left</li>\n<li>right</li>\n</ul>"
    )


@pytest.mark.parametrize("hostile", [
    "Hello <script>alert(1)</script>",
    "[my profile](javascript:alert(document.cookie))",
    "[tabbed](java\tscript:alert(1))",
    '<img src="x" onerror="alert(2)"> and <a href="javascript:alert(3)">a link</a>',
    "<svg><script>alert(4)</script></svg>",
], ids=["script", "javascript-link", "tab-in-scheme", "raw-html-handlers", "svg-script"])
def test_the_preview_is_sanitised_like_a_saved_story(client, nominator, hostile):
    response = client.post("/stories/preview", data={"body_md": hostile})
    html = response.get_data(as_text=True).lower()
    assert response.status_code == 200
    tags = re.findall(r"<[a-z][^>]*>", html)  # real tags; typed ones are shown as &lt;text&gt;
    assert {re.match(r"<([a-z0-9]+)", tag).group(1) for tag in tags} <= {"p", "a"}
    assert not [tag for tag in tags if "javascript" in tag or "onerror" in tag or "script" in tag]


def test_a_typed_link_to_script_is_only_its_words(client, nominator):
    response = client.post("/stories/preview", data={"body_md": "[my profile](javascript:alert(1))"})
    assert response.get_data(as_text=True) == "<p>my profile</p>"


def test_an_empty_story_previews_as_nothing(client, nominator):
    response = client.post("/stories/preview", data={"body_md": "  \n "})
    assert (response.status_code, response.get_data(as_text=True)) == (200, "")


def test_a_preview_longer_than_a_story_may_be_is_refused(client, nominator):
    assert client.post("/stories/preview", data={"body_md": "x" * 20000}).status_code == 200  # the maximum
    response = client.post("/stories/preview", data={"body_md": "x" * 20001})
    assert response.status_code == 413
    assert response.get_data(as_text=True) == "Keep the story under 20,000 characters."


def test_signed_out_people_get_no_preview(client, ctx):
    response = client.post("/stories/preview", data={"body_md": "**hi**"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_the_preview_needs_the_pages_csrf_token(csrf_client, csrf_ctx, make_person):
    sign_in_on(csrf_client, make_person())
    refused = csrf_client.post("/stories/preview", data={"body_md": "**hi**"})
    assert refused.status_code == 400 and CSRF_MESSAGE in refused.get_data(as_text=True)
    token = csrf_token_in(csrf_client.get("/nominate").get_data(as_text=True))
    response = csrf_client.post("/stories/preview", data={"body_md": "**hi**", "csrf_token": token})
    assert (response.status_code, response.get_data(as_text=True)) == (200, "<p><strong>hi</strong></p>")
    # What the script sends: the token in a header, as Flask-WTF also accepts.
    response = csrf_client.post("/stories/preview", data={"body_md": "*hi*"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


# Autosave


def test_the_first_autosave_creates_the_writers_draft(client, nominator, colleague):
    response = client.post("/nominate/autosave", data=good_form(colleague, action="submit"))
    assert response.status_code == 200
    story = db.session.scalars(select(Story)).one()
    assert response.get_json() == {
        "saved": True, "message": "Draft saved.", "story_id": story.id,
        "edit_url": f"/stories/{story.id}/edit", "autosave_url": f"/stories/{story.id}/autosave",
    }
    # A draft, whatever button the form's last action named: autosave never submits.
    assert (story.status, story.nominator_id, story.title) == (
        StoryStatus.DRAFT, nominator.id, "Carlos found the lost pallet")
    assert [person.name for person in story.nominees] == ["Carlos Colleague"]


def test_later_autosaves_and_the_final_submit_update_that_same_draft(client, nominator, colleague):
    first = client.post("/nominate/autosave", data=good_form(colleague)).get_json()
    again = client.post(first["autosave_url"], data=good_form(colleague, title="Carlos saved the day"))
    assert again.status_code == 200 and again.get_json()["saved"] is True
    story = db.session.scalars(select(Story)).one()
    assert (story.title, story.status) == ("Carlos saved the day", StoryStatus.DRAFT)
    submitted = client.post(first["edit_url"], data=good_form(colleague, title="Carlos saved the day"))
    assert submitted.status_code == 302
    db.session.refresh(story)
    assert (story_count(), story.status) == (1, StoryStatus.SUBMITTED)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Not saved yet: add a title."),
    ({"nominees": []}, "Not saved yet: choose who you are nominating."),
    ({"body_md": " "}, "Not saved yet: write what happened."),
    ({"title": "x" * 201}, "Not saved yet: Keep the title under 200 characters."),
], ids=["no-title", "nobody-chosen", "no-story", "title-too-long"])
def test_an_incomplete_draft_is_not_saved_yet_and_says_why(client, nominator, colleague, overrides, message):
    response = client.post("/nominate/autosave", data=good_form(colleague, **overrides))
    assert response.status_code == 422
    assert response.get_json() == {"saved": False, "message": message}
    assert story_count() == 0


def test_an_incomplete_change_leaves_the_saved_draft_as_it_was(client, nominator, colleague):
    first = client.post("/nominate/autosave", data=good_form(colleague)).get_json()
    response = client.post(first["autosave_url"], data=good_form(colleague, title=""))
    assert response.get_json()["message"] == "Not saved yet: add a title."
    assert db.session.scalars(select(Story.title)).one() == "Carlos found the lost pallet"


@pytest.mark.parametrize(("status", "code"), [
    (StoryStatus.SUBMITTED, 403), (StoryStatus.PUBLISHED, 403), (StoryStatus.CHANGES_REQUESTED, 409),
])
def test_the_writers_story_is_not_autosaved_once_it_left_the_drafts(
    client, nominator, colleague, make_story, status, code
):
    story = make_story(nominator=nominator, nominees=[colleague], status=status)
    response = client.post(f"/stories/{story.id}/autosave", data=good_form(colleague, title="Changed behind HR"))
    assert response.status_code == code
    assert response.get_json()["saved"] is False and response.get_json()["stop"] is True
    db.session.refresh(story)
    assert (story.title, story.status) == ("Stayed late to fix a customer's order", status)


def test_someone_elses_story_is_not_autosaved(client, ctx, make_person, make_story, colleague, login):
    writer = make_person(name="Wanda Writer")
    draft = make_story(nominator=writer, nominees=[colleague], status=StoryStatus.DRAFT)
    submitted = make_story(nominator=writer, nominees=[colleague], status=StoryStatus.SUBMITTED)
    login(make_person(name="Oscar Other"))
    assert client.post(f"/stories/{draft.id}/autosave", data=good_form(colleague)).status_code == 404
    login(make_person(name="Cora Curator", role="curator"))  # may edit a submitted story, by its buttons
    response = client.post(f"/stories/{submitted.id}/autosave", data=good_form(colleague, title="Curator's"))
    assert response.status_code == 403
    assert response.get_json()["message"] == "Only the writer's own drafts are saved automatically."
    assert sorted(db.session.scalars(select(Story.title))) == ["Stayed late to fix a customer's order"] * 2


def test_signed_out_autosave_is_sent_to_sign_in(client, ctx, colleague):
    assert client.post("/nominate/autosave", data=good_form(colleague)).status_code == 302
    assert story_count() == 0


def test_autosave_needs_the_pages_csrf_token(csrf_client, csrf_ctx, make_person):
    sign_in_on(csrf_client, make_person(name="Nadia Nominator"))
    colleague = make_person(name="Carlos Colleague")
    refused = csrf_client.post("/nominate/autosave", data=good_form(colleague))
    assert refused.status_code == 400 and CSRF_MESSAGE in refused.get_data(as_text=True)
    assert story_count() == 0
    token = csrf_token_in(csrf_client.get("/nominate").get_data(as_text=True))
    response = csrf_client.post("/nominate/autosave", data=good_form(colleague, csrf_token=token))
    assert response.status_code == 200 and story_count() == 1


# The form tells the script what to do


def test_the_form_names_its_enhancements_and_the_autosave_address(client, nominator, colleague, make_story):
    page = client.get("/nominate").get_data(as_text=True)
    assert 'data-autosave="/nominate/autosave"' in page
    assert 'data-preview-url="/stories/preview"' in page and 'data-count="title body_md"' in page
    assert re.search(r'<textarea [^>]*\bid="body_md"[^>]*\bmaxlength="20000"', page)  # the count's maximum
    assert re.search(r'<script src="/static/js/editor\.[0-9a-f]{12}\.js" defer></script>', page)
    draft = make_story(nominator=nominator, nominees=[colleague], status=StoryStatus.DRAFT)
    assert f'data-autosave="/stories/{draft.id}/autosave"' in client.get(f"/stories/{draft.id}/edit").get_data(
        as_text=True)
    sent_back = make_story(nominator=nominator, nominees=[colleague], status=StoryStatus.CHANGES_REQUESTED)
    assert "data-autosave" not in client.get(f"/stories/{sent_back.id}/edit").get_data(as_text=True)
