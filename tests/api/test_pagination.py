"""Cursor pagination: walking the pages of a list that changes between requests (stories
published, written and deleted meanwhile) gives every item that existed throughout exactly
once, and never one twice."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from storyboard.extensions import db
from storyboard.models import Story, StoryStatus
from storyboard.stories import lifecycle
from tests.api.conftest import bearer

S = StoryStatus


def test_pages_over_a_changing_list_have_no_duplicates_and_no_gaps(client, ctx, make_person, make_story, make_token):
    pat, curator = make_person(name="Pat"), make_person(role="curator")
    _, secret = make_token(pat)
    # 15 stories Pat sees, interleaved: others' published stories and Pat's own drafts; and
    # others' stories Pat cannot see yet (submitted), some of which get published meanwhile.
    mine, theirs, waiting = [], [], []
    for number in range(15):
        if number % 3 == 0:
            mine.append(make_story(nominator=pat, status=S.DRAFT, title=f"Pat's draft {number}"))
        else:
            theirs.append(make_story(title=f"Published {number}"))
        if number % 5 == 0:
            waiting.append(make_story(status=S.SUBMITTED, title=f"Waiting {number}"))
    visible_at_start = {story.id for story in mine + theirs}
    gone, came = set(), set()

    def between_pages(step: int) -> None:
        """What happens while the client reads: deletions, publications, new stories."""
        if step == 1:
            for draft in (mine[0], mine[-1]):  # one already read (newest first), one not yet
                lifecycle.delete_draft(db.session.get(Story, draft.id), db.session.get(type(pat), pat.id))
                gone.add(draft.id)
            published = db.session.get(Story, waiting[0].id)
            lifecycle.publish(published, curator)
            came.add(published.id)
        elif step == 2:
            came.add(make_story(title="Brand new").id)
            archived = db.session.get(Story, theirs[1].id)
            archived.status = S.ARCHIVED.value
            gone.add(archived.id)
            published = db.session.get(Story, waiting[1].id)
            lifecycle.publish(published, curator)
            came.add(published.id)
        db.session.commit()

    walked, pages, url = [], 0, "/api/v1/stories?limit=4"
    while url:
        response = client.get(url, headers=bearer(secret))
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert len(body["items"]) <= 4
        walked += [item["id"] for item in body["items"]]
        pages += 1
        url = body["next"]
        if url:
            assert parse_qs(urlsplit(url).query)["limit"] == ["4"]
            between_pages(pages)

    assert pages >= 4
    assert len(walked) == len(set(walked)), f"duplicates: {walked}"
    assert walked == sorted(walked, reverse=True)  # newest first, throughout
    throughout = visible_at_start - gone
    assert throughout <= set(walked), f"missing: {sorted(throughout - set(walked))}"
    assert set(walked) <= visible_at_start | came  # nothing Pat may not see
    assert mine[0].id not in walked  # deleted before its page was read
    assert theirs[1].id not in walked  # archived before its page was read


def test_the_last_page_has_no_next_and_a_made_up_cursor_is_400(client, ctx, make_person, make_story, make_token):
    _, secret = make_token(make_person())
    story = make_story()
    body = client.get("/api/v1/stories", headers=bearer(secret)).get_json()
    assert [item["id"] for item in body["items"]] == [story.id] and body["next"] is None
    for cursor in ("made-up", "WzFd.forged", "x" * 500):
        response = client.get("/api/v1/stories", query_string={"cursor": cursor}, headers=bearer(secret))
        assert response.status_code == 400
        assert response.get_json()["error"]["fields"] == {
            "cursor": ["That cursor is not valid. Start again from the first page."]}


def test_a_cursor_keeps_the_lists_filters(client, ctx, make_person, make_token):
    _, secret = make_token(make_person(name="Zoe Zed"))
    for number in range(5):
        make_person(name=f"Sales person {number}", department="Sales")
    first = client.get("/api/v1/people", query_string={"department": "Sales", "limit": 2}, headers=bearer(secret))
    names = [item["name"] for item in first.get_json()["items"]]
    url = first.get_json()["next"]
    while url:
        assert "department=Sales" in url
        page = client.get(url, headers=bearer(secret)).get_json()
        names += [item["name"] for item in page["items"]]
        url = page["next"]
    assert names == [f"Sales person {number}" for number in range(5)]
