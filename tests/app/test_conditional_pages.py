"""The feed, a story and a profile answer a revalidation with 304 when nothing on them changed.

CSRF is on here (csrf_client), as in production: the sign-out form's token is signed anew every
second, and a page whose only difference is that signature must still count as unchanged, while
its kept copy must still be able to sign out.
"""
from __future__ import annotations

import pytest

from storyboard.extensions import db
from tests.helpers import csrf_token_in, sign_in_on, text


@pytest.fixture
def pages(csrf_ctx, make_person, make_story, csrf_client):
    dana = make_person(name="Dana Okafor")
    story = make_story(nominees=[dana], title="Rebuilt the order by hand")
    reader = sign_in_on(csrf_client, make_person(name="Reader One"))
    return {"feed": "/", "story": f"/stories/{story.id}", "profile": f"/people/{dana.id}"}, story, reader


@pytest.mark.parametrize("page", ["feed", "story", "profile"])
def test_an_unchanged_page_answers_304(pages, csrf_client, page):
    paths, *_ = pages
    csrf_client.get(paths[page])  # a story's first read changes its reader count
    first = csrf_client.get(paths[page])
    assert first.status_code == 200
    assert first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = csrf_client.get(paths[page], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_changed_page_answers_200_with_the_change(pages, csrf_client):
    paths, story, _ = pages
    first = csrf_client.get(paths["feed"])
    story.title = "Drove the parcel to the wedding"
    db.session.commit()
    again = csrf_client.get(paths["feed"], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "Drove the parcel to the wedding" in text(again)
    assert again.headers["ETag"] != first.headers["ETag"]


def test_another_person_never_gets_304_for_my_page(pages, csrf_app, make_person, csrf_client):
    paths, *_ = pages
    mine = csrf_client.get(paths["feed"])
    other = csrf_app.test_client()
    sign_in_on(other, make_person(name="Second Reader"))
    theirs = other.get(paths["feed"], headers={"If-None-Match": mine.headers["ETag"]})
    assert theirs.status_code == 200
    assert "Second Reader" in text(theirs)


def test_a_new_session_of_the_same_person_gets_the_page_again(pages, csrf_app, csrf_client):
    """A kept page carries its session's form token: another session must not reuse it."""
    paths, _, reader = pages
    kept = csrf_client.get(paths["feed"])
    fresh = csrf_app.test_client()
    sign_in_on(fresh, reader)
    again = fresh.get(paths["feed"], headers={"If-None-Match": kept.headers["ETag"]})
    assert again.status_code == 200


def test_a_page_kept_by_the_browser_still_signs_out(pages, csrf_client):
    paths, *_ = pages
    kept = csrf_client.get(paths["feed"])
    assert csrf_client.get(paths["feed"], headers={"If-None-Match": kept.headers["ETag"]}).status_code == 304
    out = csrf_client.post("/auth/logout", data={"csrf_token": csrf_token_in(text(kept))})
    assert out.status_code in (302, 303)
    # Signing out tells the browser to drop the pages it kept for revalidation.
    assert out.headers["Clear-Site-Data"] == '"cache"'
    assert csrf_client.get(paths["feed"]).status_code in (302, 303)  # signed out for real


def test_other_pages_are_still_not_stored(pages, csrf_client):
    """Only the three reading pages may be kept; forms and HR pages stay no-store."""
    response = csrf_client.get("/nominate")
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_a_newly_signed_form_token_alone_is_not_a_change(pages, csrf_client):
    """The sign-out form's token is signed with the second it was made: a second later the
    bytes differ, the page does not."""
    import time

    from flask import g

    paths, *_ = pages
    first = csrf_client.get(paths["feed"])
    time.sleep(1.1)
    g.pop("csrf_token", None)  # Flask-WTF keeps a request's token in g, which these tests share
    later = csrf_client.get(paths["feed"])
    assert csrf_token_in(text(later)) != csrf_token_in(text(first))
    assert later.headers["ETag"] == first.headers["ETag"]


def test_a_story_not_yet_published_is_never_kept(csrf_ctx, make_person, make_story, csrf_client):
    from storyboard.models import StoryStatus

    writer = sign_in_on(csrf_client, make_person(name="Writer"))
    draft = make_story(nominator=writer, status=StoryStatus.SUBMITTED, title="Waiting for HR")
    response = csrf_client.get(f"/stories/{draft.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_a_session_that_ended_without_signing_out_clears_what_the_browser_kept(pages, csrf_client):
    from flask import g

    from storyboard.auth import sessions

    paths, _, reader = pages
    assert csrf_client.get(paths["feed"]).status_code == 200
    sessions.end_all(reader)  # as an admin deactivating them, or the session timing out
    db.session.commit()
    g.pop("_login_user", None)  # Flask-Login's per-request user, in the app context tests share
    response = csrf_client.get(paths["feed"])
    assert response.status_code in (302, 303)
    assert response.headers["Clear-Site-Data"] == '"cache"'
