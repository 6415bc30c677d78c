"""A story's print version (/stories/<id>/print) and its QR codes: what the sheet shows, that
the codes encode the story's and the nominate form's addresses on EXTERNAL_URL (never the
request's Host), and that only people who may read a story can print it, once it is published."""
import io
import re

import pytest
import segno

from storyboard.breakroom import qr
from storyboard.extensions import db
from storyboard.models import StoryStatus
from tests.helpers import text

UNPUBLISHED = [status for status in StoryStatus if status != StoryStatus.PUBLISHED]
EXTERNAL = "https://storyboard.example.com"  # the tests' EXTERNAL_URL (tests/conftest.py)


def segno_svg(url: str) -> bytes:
    """What segno itself draws for `url`, a full QR code at level M with the sheet's options."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, **qr.SVG_OPTIONS)
    return buffer.getvalue()


@pytest.fixture
def story(ctx, make_story, make_person):
    return make_story(
        title="Rebuilt the wedding order by hand",
        nominees=[make_person(name="Ann Lee"), make_person(name="Bo Chan")],
        body_md="She **traced** the parcel.\n\n<script>alert(1)</script><img src=x onerror=alert(2)>",
        impact="The dress arrived the day before the wedding.",
        rule_in_the_way="Refunds over 50 pounds wait for a manager.",
    )


def test_the_sheet_shows_the_story_as_its_page_does(client, as_role, story):
    as_role("staff")
    page = text(client.get(f"/stories/{story.id}/print"))
    assert '<h1 id="sheet-title" class="sheet-title">Rebuilt the wedding order by hand</h1>' in page
    assert '<p class="sheet-people">About Ann Lee and Bo Chan</p>' in page
    assert "She <strong>traced</strong> the parcel." in page  # the stored, sanitised HTML
    assert "<script>alert" not in page and "<img src=x" not in page  # kept as text, never as markup
    assert "for the customer:</strong> The dress arrived the day before the wedding." in page
    assert "<strong>Value:</strong> Courtesy" in page
    assert "What to learn from it" not in page  # not in the canon
    # Only the nominator, managers and HR may read the rule that got in the way: not a wall.
    assert "Refunds over 50 pounds" not in page


def test_a_canon_storys_sheet_carries_its_lesson(client, as_role, story):
    story.in_canon, story.canon_lesson = True, "Ask before you promise."
    db.session.commit()
    as_role("staff")
    page = text(client.get(f"/stories/{story.id}/print"))
    assert '<p class="sheet-lesson"><strong>What to learn from it:</strong> Ask before you promise.</p>' in page


def test_the_sheet_has_two_captioned_codes_a_print_stylesheet_and_says_how_to_print(client, as_role, story):
    as_role("staff")
    page = text(client.get(f"/stories/{story.id}/print"))
    assert (f'<img src="/breakroom/qr/story/{story.id}.svg" width="150" height="150" '
            'alt="QR code that opens this story on Storyboard, to read it and applaud">') in page
    assert ('<img src="/breakroom/qr/nominate.svg" width="150" height="150" '
            'alt="QR code that opens Storyboard\'s form to nominate a colleague">') in page
    assert f'<strong>Read it and applaud</strong> <span class="sheet-url">{EXTERNAL}/stories/{story.id}</span>' in page
    assert f'<strong>Tell us about a colleague</strong> <span class="sheet-url">{EXTERNAL}/nominate</span>' in page
    # Named by a hash of their content (storyboard/assets.py).
    assert re.search(r'<link rel="stylesheet" href="/static/css/print\.[0-9a-f]{12}\.css" media="print">', page)
    assert "Print this page for the break room." in page and "Ctrl+P" in page
    assert re.search(r'<script src="/static/js/print\.[0-9a-f]{12}\.js" defer></script>', page)


def test_the_codes_encode_the_addresses_on_external_url(client, as_role, story):
    as_role("staff")
    code = client.get(f"/breakroom/qr/story/{story.id}.svg")
    assert code.status_code == 200 and code.mimetype == "image/svg+xml"
    assert code.data == segno_svg(f"{EXTERNAL}/stories/{story.id}")
    assert code.data != segno_svg(f"http://localhost/stories/{story.id}")
    nominate = client.get("/breakroom/qr/nominate.svg")
    assert nominate.mimetype == "image/svg+xml" and nominate.data == segno_svg(f"{EXTERNAL}/nominate")


def test_a_forged_or_inner_host_header_changes_no_link(client, as_role, story):
    as_role("staff")
    # The session cookie, offered to the other host too, so the request is signed in there.
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example.org")
    elsewhere = {"base_url": "http://evil.example.org"}
    page = client.get(f"/stories/{story.id}/print", **elsewhere)
    assert page.status_code == 200
    assert "evil.example.org" not in text(page) and f"{EXTERNAL}/stories/{story.id}" in text(page)
    code = client.get(f"/breakroom/qr/story/{story.id}.svg", **elsewhere)
    assert code.data == segno_svg(f"{EXTERNAL}/stories/{story.id}")
    assert client.get("/breakroom/qr/nominate.svg", **elsewhere).data == segno_svg(f"{EXTERNAL}/nominate")


def test_the_codes_follow_external_url_wherever_it_is(app, client, as_role, story):
    app.config["EXTERNAL_URL"] = "https://intranet.example.net/storyboard"
    as_role("staff")
    code = client.get(f"/breakroom/qr/story/{story.id}.svg")
    assert code.data == segno_svg(f"https://intranet.example.net/storyboard/stories/{story.id}")
    assert "https://intranet.example.net/storyboard/nominate" in text(client.get(f"/stories/{story.id}/print"))


def test_a_code_is_an_image_that_can_do_nothing(client, as_role, story):
    as_role("staff")
    for path in (f"/breakroom/qr/story/{story.id}.svg", "/breakroom/qr/nominate.svg"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert policy.startswith("default-src 'none';") and "style-src 'none'" in policy, path
        assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert b"<script" not in response.data and b"<style" not in response.data, path
        assert b"<svg" in response.data, path


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_someone_elses_unpublished_story_cannot_be_printed_nor_its_code_fetched(
        client, ctx, as_role, make_story, status):
    story = make_story(status=status, title="Not out yet")
    as_role("staff")
    for path in (f"/stories/{story.id}/print", f"/breakroom/qr/story/{story.id}.svg"):
        response = client.get(path)
        assert response.status_code == 404, path  # as on the story page: nothing says it exists
        assert "Not out yet" not in text(response)
    assert client.get(f"/stories/{story.id}").status_code == 404


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_those_who_may_read_an_unpublished_story_are_told_why_it_is_not_printed(
        client, ctx, login, as_role, make_story, make_person, status):
    nominator = make_person(name="Nora Nominator")
    story = make_story(nominator=nominator, status=status)
    label = StoryStatus(status).label
    for reader in (nominator, make_person(role="curator")):
        login(reader)
        assert client.get(f"/stories/{story.id}").status_code == 200
        response = client.get(f"/stories/{story.id}/print")
        assert response.status_code == 409
        assert (f"This story is {label}, so it cannot be printed for the break room: "
                "only published stories go on the notice board.") in text(response)
        assert client.get(f"/breakroom/qr/story/{story.id}.svg").status_code == 409


def test_signed_out_people_are_sent_to_sign_in(client, ctx, story):
    for path in (f"/stories/{story.id}/print", "/breakroom/", "/breakroom/qr/nominate.svg"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?next="), path


def test_an_old_link_to_a_merged_duplicate_prints_the_story_it_joined(client, as_role, make_story, story):
    duplicate = make_story(status=StoryStatus.ARCHIVED, merged_into_id=story.id)
    as_role("staff")
    response = client.get(f"/stories/{duplicate.id}/print")
    assert response.status_code == 302 and response.headers["Location"] == f"/stories/{story.id}/print"


def test_a_published_story_and_the_feed_link_to_the_break_room(client, ctx, login, make_person, make_story, story):
    as_writer = login(make_person())
    story_page = text(client.get(f"/stories/{story.id}"))
    assert f'<a href="/stories/{story.id}/print">Print for the break room</a>' in story_page
    assert '<a href="/breakroom/">Print the story of the week for the break room</a>' in text(client.get("/"))
    draft = make_story(nominator=as_writer, status=StoryStatus.DRAFT)
    assert "Print for the break room" not in text(client.get(f"/stories/{draft.id}"))
