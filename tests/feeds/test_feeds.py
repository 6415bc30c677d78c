"""What each Atom feed holds: the published stories the web lists, newest first, and nothing else."""
from __future__ import annotations

import html
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from storyboard.admin import service as admin
from storyboard.curation import redaction
from storyboard.extensions import db
from storyboard.models import Story, StoryStatus, Value
from storyboard.privacy import erasure
from tests.feeds.reading import parse, tags_in, token_for

START = datetime(2026, 11, 2, 9, 0)


@pytest.fixture
def reader(ctx, make_person):
    """Someone with a feed token: (person, token)."""
    person = make_person(name="Rita Reader")
    return person, token_for(person)


def value(slug: str) -> Value:
    return db.session.scalar(select(Value).where(Value.slug == slug))


def published(make_story, title: str, hours: int, **fields) -> Story:
    """A story published `hours` after START, unchanged since."""
    moment = START + timedelta(hours=hours)
    return make_story(title=title, published_at=moment, updated_at=moment, **fields)


def fetch(client, path: str, status: int = 200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response


def test_the_company_feed_lists_published_stories_newest_first_and_nothing_else(
    client, reader, make_story, make_person
):
    person, token = reader
    teller, nominee = make_person(name="Tess Teller"), make_person(name="Nina Nominee")
    oldest = published(make_story, "Oldest published", 1, nominator=teller, nominees=[nominee],
                       values=[value("courtesy")])
    published(make_story, "Newest published", 3)
    published(make_story, "Middle published", 2)
    for status in (StoryStatus.DRAFT, StoryStatus.SUBMITTED, StoryStatus.CHANGES_REQUESTED,
                   StoryStatus.REJECTED, StoryStatus.ARCHIVED):
        make_story(title=f"A {status.label} story", status=status)

    response = fetch(client, f"/feeds/{token}/stories.atom")

    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in response.headers  # no session is read or made
    feed = parse(response.data)
    assert feed.titles == ["Newest published", "Middle published", "Oldest published"]
    assert feed.title == "Northwind Outfitters: stories"
    assert feed.id == "tag:storyboard.example.com,2026:feeds/stories"
    assert feed.links == {"alternate": "https://storyboard.example.com/",
                          "self": f"https://storyboard.example.com/feeds/{token}/stories.atom"}
    assert feed.updated == "2026-11-02T12:00:00+00:00"  # the newest story's last change
    entry = feed.entries[-1]
    assert entry.id == f"tag:storyboard.example.com,2026:stories/{oldest.id}"
    assert entry.link == f"https://storyboard.example.com/stories/{oldest.id}"
    assert entry.published == "2026-11-02T10:00:00+00:00"
    assert entry.authors == ["Tess Teller"]
    assert entry.categories == [("courtesy", "Courtesy")]
    assert entry.content_type == "html"
    assert entry.content.startswith("<p>About Nina Nominee · happened on ")
    assert "<p>She <strong>rebuilt</strong> the order by hand.</p>" in entry.content
    assert "<h2>The difference it made for the customer</h2>" in entry.content
    assert "The customer got the parcel before the wedding." in entry.content


def test_an_entry_changes_when_its_story_is_edited_not_when_it_is_applauded(client, reader, make_story):
    person, token = reader
    story = published(make_story, "Edited later", 1)
    story.updated_at = START + timedelta(days=2)
    db.session.commit()
    entry = parse(fetch(client, f"/feeds/{token}/stories.atom").data).entries[0]
    assert (entry.published, entry.updated) == ("2026-11-02T10:00:00+00:00", "2026-11-04T09:00:00+00:00")


def test_a_feed_holds_at_most_feed_entries_stories(app, client, reader, make_story):
    person, token = reader
    app.config["FEED_ENTRIES"] = 3
    for hour in range(5):
        published(make_story, f"Story {hour}", hour)
    feed = parse(fetch(client, f"/feeds/{token}/stories.atom").data)
    assert feed.titles == ["Story 4", "Story 3", "Story 2"]


def test_a_value_feed_holds_the_stories_showing_that_value(client, reader, make_story):
    person, token = reader
    published(make_story, "Courteous", 1, values=[value("courtesy")])
    published(make_story, "Courteous and more", 2, values=[value("courtesy"), value(_other_slug())])
    published(make_story, "Something else", 3, values=[value(_other_slug())])
    make_story(title="Courteous draft", status=StoryStatus.DRAFT, values=[value("courtesy")])

    feed = parse(fetch(client, f"/feeds/{token}/values/courtesy.atom").data)

    assert feed.titles == ["Courteous and more", "Courteous"]
    assert feed.title == "Northwind Outfitters: stories showing Courtesy"
    assert feed.links["alternate"] == "https://storyboard.example.com/values/courtesy"
    assert feed.id == f"tag:storyboard.example.com,2026:feeds/values/{value('courtesy').id}"


def test_a_retired_value_keeps_its_feed_as_it_keeps_its_page(client, reader, make_story, make_person):
    person, token = reader
    published(make_story, "Courteous", 1, values=[value("courtesy")])
    admin.retire_value(make_person(role="curator"), value("courtesy"))
    db.session.commit()
    assert parse(fetch(client, f"/feeds/{token}/values/courtesy.atom").data).titles == ["Courteous"]


def test_a_person_feed_holds_the_stories_about_them(client, reader, make_story, make_person):
    person, token = reader
    nina, oscar = make_person(name="Nina Nominee"), make_person(name="Oscar Other")
    published(make_story, "About Nina", 1, nominees=[nina])
    published(make_story, "About both", 2, nominees=[nina, oscar])
    published(make_story, "Written by Nina, about Oscar", 3, nominator=nina, nominees=[oscar])
    make_story(title="Nina's draft", nominees=[nina], status=StoryStatus.SUBMITTED)

    feed = parse(fetch(client, f"/feeds/{token}/people/{nina.id}.atom").data)

    assert feed.titles == ["About both", "About Nina"]
    assert feed.title == "Northwind Outfitters: stories about Nina Nominee"
    assert feed.links["alternate"] == f"https://storyboard.example.com/people/{nina.id}"
    assert feed.entries[0].content.startswith("<p>About Nina Nominee, Oscar Other · ")


@pytest.mark.parametrize("path, message", [
    ("values/no-such-value.atom", "No value has this address.\n"),
    ("people/999999.atom", "Nobody has this address.\n"),
])
def test_an_unknown_value_or_person_is_not_found(client, reader, path, message):
    person, token = reader
    response = fetch(client, f"/feeds/{token}/{path}", 404)
    assert (response.mimetype, response.get_data(as_text=True)) == ("text/plain", message)


def test_a_person_number_beyond_the_database_is_not_found(client, reader):
    person, token = reader
    fetch(client, f"/feeds/{token}/people/2147483648.atom", 404)  # no route: the app's 404 page


def test_an_empty_feed_is_still_a_valid_feed(client, reader):
    person, token = reader
    feed = parse(fetch(client, f"/feeds/{token}/people/{person.id}.atom").data)
    assert (feed.entries, feed.updated) == ([], "2026-01-01T00:00:00+00:00")


def test_redacted_text_never_reaches_a_feed(client, reader, make_story, make_person):
    person, token = reader
    story = published(make_story, "Called the customer back", 1,
                      body_md="She called 07700 900123 back the same evening.")
    redaction.redact(story, "07700 900123", make_person(role="curator"))
    db.session.commit()
    body = fetch(client, f"/feeds/{token}/stories.atom").get_data(as_text=True)
    assert "07700 900123" not in body
    assert "She called [redacted] back the same evening." in parse(body.encode()).entries[0].content


def test_an_erased_leaver_is_a_former_colleague_in_feeds(client, reader, make_story, make_person):
    person, token = reader
    leaver = make_person(name="Lena Leaver", email="lena@example.com")
    published(make_story, "Told by Lena Leaver", 1, nominator=leaver, nominees=[make_person(name="Nina Nominee")])
    erasure.erase(make_person(role="admin"), leaver, erasure.StoryChoice.KEEP)
    db.session.commit()
    body = fetch(client, f"/feeds/{token}/stories.atom").get_data(as_text=True)
    assert "Lena" not in body and "lena@example.com" not in body
    assert parse(body.encode()).entries[0].authors == ["Former colleague"]


def test_the_rule_that_got_in_the_way_never_reaches_a_feed(client, reader, make_story):
    person, token = reader
    published(make_story, "Against the rules", 1, rule_in_the_way="The refund form needs two signatures.")
    assert "two signatures" not in fetch(client, f"/feeds/{token}/stories.atom").get_data(as_text=True)


ATTACKS = {
    "title": 'Saved the day <script>alert("title")</script> & "more"',
    "body_md": (
        "<script>alert('body')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[click me](javascript:alert(2)) and [fine](https://example.com)\n\n"
        "]]></content><entry><title>Injected</title></entry>"
    ),
    "impact": "<b onmouseover=alert(3)>bold?</b> & done",
}


def test_markup_in_titles_and_stories_reaches_readers_as_text_or_sanitised(client, reader, make_story, make_person):
    person, token = reader
    published(make_story, ATTACKS["title"], 1, body_md=ATTACKS["body_md"], impact=ATTACKS["impact"],
              nominees=[make_person(name="<i>Nina</i> & Co")])

    feed = parse(fetch(client, f"/feeds/{token}/stories.atom").data)

    assert len(feed.entries) == 1  # nothing injected a second entry
    entry = feed.entries[0]
    assert entry.title == ATTACKS["title"]  # text, shown as typed, never run
    # What a reader's browser builds from the content: the sanitiser's tags, safe links only.
    elements = tags_in(entry.content)
    assert {tag for tag, _ in elements} == {"p", "a", "h2"}
    assert [attributes for tag, attributes in elements if tag == "a"] == [
        {"href": "https://example.com", "rel": "nofollow noopener noreferrer"}]
    assert all(not attributes for tag, attributes in elements if tag != "a")
    assert "&lt;i&gt;Nina&lt;/i&gt; &amp; Co" in entry.content  # the name, as escaped text
    assert html.unescape(entry.content).count("alert(") == 3  # typed tags show as text


def test_a_feed_answers_304_while_it_has_not_changed(client, reader, make_story):
    person, token = reader
    published(make_story, "First", 1)
    path = f"/feeds/{token}/stories.atom"
    first = fetch(client, path)
    etag = first.headers["ETag"]

    again = client.get(path, headers={"If-None-Match": etag})
    assert (again.status_code, again.data) == (304, b"")

    published(make_story, "Second", 2)
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert parse(changed.data).titles == ["Second", "First"]


def _other_slug() -> str:
    return db.session.scalar(select(Value.slug).where(Value.slug != "courtesy").order_by(Value.position))


def test_happened_on_is_shown_as_the_story_page_shows_it(client, reader, make_story):
    person, token = reader
    published(make_story, "Dated", 1, happened_on=date(2026, 10, 7))
    entry = parse(fetch(client, f"/feeds/{token}/stories.atom").data).entries[0]
    assert "happened on 7 October 2026</p>" in entry.content


def test_a_feed_makes_the_same_few_queries_however_many_stories_it_holds(client, reader, make_story, make_person):
    person, token = reader

    def statements(path: str) -> list[str]:
        db.session.expunge_all()
        seen: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return seen

    path = f"/feeds/{token}/stories.atom"
    published(make_story, "The only one", 1)
    client.get(path)  # notes "last used", which is then written at most every 5 minutes
    few = statements(path)
    for hour in range(2, 12):
        published(make_story, f"Story {hour}", hour, nominees=[make_person(), make_person()],
                  values=[value("courtesy"), value(_other_slug())])
    many = statements(path)
    # The token, the stories, then their writers, people and values in one query each.
    assert len(few) == len(many) <= 5, many
