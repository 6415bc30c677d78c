"""Reading: the feed, a story, applause, readers, thank-you notes, profiles, values, search."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Applause, StoryReader, StoryStatus, ThankYou, Value

UNPUBLISHED = [status for status in StoryStatus if status != StoryStatus.PUBLISHED]


@pytest.fixture
def reader(ctx, as_role):
    return as_role("staff", name="Rita Reader")


def test_feed_is_newest_first_and_paginated(client, app, reader, make_story):
    app.config["FEED_PAGE_SIZE"] = 2
    start = utcnow() - timedelta(days=10)
    for day in range(5):
        make_story(title=f"Story number {day}", published_at=start + timedelta(days=day))
    first = client.get("/").get_data(as_text=True)
    assert first.index("Story number 4") < first.index("Story number 3")
    assert "Story number 2" not in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert "Story number 2" in second and "Story number 1" in second and "Story number 3" not in second
    third = client.get(link(second, "next")).get_data(as_text=True)
    assert "Story number 0" in third and 'rel="next"' not in third and 'rel="prev"' in third
    back = client.get(link(third, "prev")).get_data(as_text=True)
    assert back.index("Story number 2") < back.index("Story number 1") and "Story number 0" not in back
    newest = client.get(link(back, "prev")).get_data(as_text=True)
    assert "Story number 4" in newest and "Story number 3" in newest and 'rel="prev"' not in newest


def link(page: str, rel: str) -> str:
    """The href of the page's rel="next" or rel="prev" link."""
    import html
    import re

    return html.unescape(re.search(rf'rel="{rel}" href="([^"]+)"', page).group(1))


@pytest.mark.parametrize("cursor", ["junk", "2026-01-01T00:00:00_x", "2026-13-01_5", "2026-01-01_0",
                                    "2026-01-01T00:00:00+00:00_5", "2026-01-01_99999999999999999999"])
def test_a_broken_page_link_is_a_clear_400(client, reader, cursor):
    response = client.get(f"/?after={cursor}")
    assert response.status_code == 400
    assert "That page link is not valid" in response.get_data(as_text=True)


def test_stories_published_at_the_same_moment_are_neither_skipped_nor_repeated(client, app, reader, make_story):
    app.config["FEED_PAGE_SIZE"] = 2
    moment = utcnow() - timedelta(days=1)
    for n in range(5):
        make_story(title=f"Same moment {n}", published_at=moment)
    seen, page = [], client.get("/").get_data(as_text=True)
    while True:
        seen += re.findall(r"Same moment \d", page)
        if 'rel="next"' not in page:
            break
        page = client.get(link(page, "next")).get_data(as_text=True)
    assert sorted(seen) == [f"Same moment {n}" for n in range(5)]


def test_feed_hides_everything_but_published(client, reader, make_story):
    for status in StoryStatus:
        make_story(title=f"A {status.value} story", status=status)
    text = client.get("/").get_data(as_text=True)
    assert "A published story" in text
    for status in StoryStatus:
        if status != StoryStatus.PUBLISHED:
            assert f"A {status.value} story" not in text


def test_story_card_shows_excerpt_nominees_values_and_applause(client, reader, make_story, make_person):
    nominee = make_person(name="Priya Patel")
    story = make_story(nominees=[nominee], body_md="She *drove* across town.", applause_count=7, reader_count=12)
    text = client.get("/").get_data(as_text=True)
    assert "Priya Patel" in text and "She drove across town." in text
    assert '<span class="avatar avatar-sm avatar-c' in text and ">PP</span>" in text  # her initials
    assert "Courtesy" in text
    assert '#applause"></use></svg> 7<span class="visually-hidden"> applause' in text
    assert '#eye"></use></svg> 12<span class="visually-hidden"> readers' in text
    assert f'href="/stories/{story.id}"' in text


def test_opening_a_story_records_one_distinct_reader(client, reader, make_story):
    story = make_story()
    for _ in range(3):
        assert client.get(f"/stories/{story.id}").status_code == 200
    db.session.refresh(story)
    assert story.reader_count == 1
    assert db.session.scalar(select(func.count()).select_from(StoryReader)) == 1


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_opening_an_unpublished_story_does_not_count_a_reader(client, ctx, make_story, make_person, login, status):
    author = make_person()
    story = make_story(nominator=author, status=status)
    login(author)
    assert client.get(f"/stories/{story.id}").status_code == 200
    db.session.refresh(story)
    assert story.reader_count == 0
    assert db.session.scalar(select(func.count()).select_from(StoryReader)) == 0


def test_story_page_links_nominees_and_values(client, reader, make_story, make_person):
    nominee = make_person(name="Omar Okafor")
    story = make_story(nominees=[nominee], rule_in_the_way="Refunds over £100 need a manager")
    text = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert f'href="/people/{nominee.id}">Omar Okafor</a>' in text
    assert 'href="/values/courtesy"' in text
    # Private to the nominator, the nominees' managers and HR (tests/privacy/test_rule_in_the_way.py).
    assert "Refunds over £100 need a manager" not in text
    assert "<strong>rebuilt</strong>" in text


def test_views_show_the_stored_rendering_and_never_re_render(client, reader, make_story):
    story = make_story(body_md="plain words")
    story.body_html = "<p>stored <em>once</em></p>"
    db.session.commit()
    assert "<p>stored <em>once</em></p>" in client.get(f"/stories/{story.id}").get_data(as_text=True)


def test_applause_is_added_once_however_often_it_is_clicked(client, reader, make_story):
    # It was a toggle: fifty quick clicks by one person ended at zero.
    story = make_story()
    for _ in range(50):
        assert client.post(f"/stories/{story.id}/applause").status_code == 302
    db.session.refresh(story)
    assert story.applause_count == 1
    assert db.session.scalar(select(func.count()).select_from(Applause)) == 1
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "You applauded this story." in page
    assert f'action="/stories/{story.id}/applause/remove"' in page
    assert f'action="/stories/{story.id}/applause"' not in page


def test_taking_applause_back_is_its_own_action(client, reader, make_story):
    story = make_story()
    client.post(f"/stories/{story.id}/applause")
    for _ in range(3):
        assert client.post(f"/stories/{story.id}/applause/remove").status_code == 302
    db.session.refresh(story)
    assert story.applause_count == 0
    assert db.session.scalar(select(func.count()).select_from(Applause)) == 0
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert f'action="/stories/{story.id}/applause"' in page and "Applaud" in page


def test_applause_counts_each_person_once(client, ctx, make_story, make_person, login):
    story = make_story()
    for _ in range(3):
        login(make_person())
        client.post(f"/stories/{story.id}/applause")
    db.session.refresh(story)
    assert story.applause_count == 3


def test_unpublished_story_cannot_be_applauded(client, ctx, make_story, make_person, login):
    author = make_person()
    story = make_story(nominator=author, status=StoryStatus.DRAFT)
    login(author)
    assert client.post(f"/stories/{story.id}/applause").status_code == 409


def test_thank_you_note_goes_through_the_chokepoint(client, reader, make_story):
    story = make_story()
    response = client.post(f"/stories/{story.id}/thanks", data={"body_md": "Thanks **Sam**! <script>x</script>"})
    assert response.status_code == 302
    text = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "Thanks <strong>Sam</strong>! &lt;script&gt;x&lt;/script&gt;" in text
    assert "Rita Reader" in text


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_unpublished_story_cannot_be_thanked(client, ctx, make_story, make_person, login, status):
    author = make_person()
    story = make_story(nominator=author, status=status)
    login(author)
    response = client.post(f"/stories/{story.id}/thanks", data={"body_md": "Thanks, team!"})
    assert response.status_code == 409
    assert "Thank-you notes can only be added to published stories." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ThankYou)) == 0


def test_bad_thank_you_is_400_and_keeps_the_text(client, reader, make_story):
    story = make_story()
    long_note = "thanks " * 200
    response = client.post(f"/stories/{story.id}/thanks", data={"body_md": long_note})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Keep a thank-you note under 1,000 characters." in text
    assert long_note.strip() in text
    empty = client.post(f"/stories/{story.id}/thanks", data={"body_md": ""})
    assert "Write a note before sending it." in empty.get_data(as_text=True)


def test_profile_shows_stories_about_and_by_and_values(client, reader, make_story, make_person):
    hero = make_person(name="Hana Hero", job_title="Store manager", department="Stores")
    empathy = db.session.scalar(select(Value).where(Value.slug == "empathy"))
    make_story(title="Hana calmed the queue", nominees=[hero], values=[empathy])
    make_story(title="Hana again", nominees=[hero], values=[empathy])
    make_story(title="Hana's draft about her", nominees=[hero], status=StoryStatus.DRAFT)
    make_story(title="Hana told this one", nominator=hero)
    text = client.get(f"/people/{hero.id}").get_data(as_text=True)
    assert "Hana calmed the queue" in text and "Hana told this one" in text
    assert "Hana's draft about her" not in text
    assert "Empathy <span class=\"count\">×2</span>" in text
    assert "Store manager · Stores" in text


def recognised_for(page: str) -> str:
    """The "Recognised for" section of a profile page."""
    match = re.search(r'<h2 id="values-heading">.*?</section>', page, re.DOTALL)
    assert match, page
    return match.group(0)


def test_recognised_for_counts_only_published_stories(client, reader, make_story, make_person):
    hero = make_person(name="Hana Hero")
    by_slug = {value.slug: value for value in db.session.scalars(select(Value))}
    make_story(title="Published", nominees=[hero], values=[by_slug["empathy"]])
    unpublished_values = ["courtesy", "responsibility", "practicality", "positive-attitude", "made-it-right"]
    for status, slug in zip(UNPUBLISHED, unpublished_values, strict=True):
        make_story(
            title=f"A {status.value} story", nominees=[hero], values=[by_slug[slug], by_slug["empathy"]], status=status
        )
    section = recognised_for(client.get(f"/people/{hero.id}").get_data(as_text=True))
    assert "Empathy <span class=\"count\">×1</span>" in section
    for slug in unpublished_values:
        assert by_slug[slug].name not in section, slug
    assert section.count('class="tag"') == 1


def test_value_page_lists_only_its_published_stories(client, reader, make_story):
    chosen = select(Value).where(Value.slug.in_(["courtesy", "empathy"])).order_by(Value.position)
    courtesy, empathy = db.session.scalars(chosen).all()
    make_story(title="Kind words", values=[courtesy])
    make_story(title="Felt their pain", values=[empathy])
    text = client.get("/values/empathy").get_data(as_text=True)
    assert "Felt their pain" in text and "Kind words" not in text
    assert client.get("/values/no-such-value").status_code == 404


def test_directory_filters_by_name_and_department(client, reader, make_person):
    make_person(name="Wendy Warehouse", department="Warehouse")
    make_person(name="Bill Billing", department="Billing")
    text = client.get("/people/?department=Warehouse").get_data(as_text=True)
    assert "Wendy Warehouse" in text and "Bill Billing" not in text
    text = client.get("/people/?q=bill").get_data(as_text=True)
    assert "Bill Billing" in text and "Wendy Warehouse" not in text
    assert "Nobody matches" in client.get("/people/?q=zzzz").get_data(as_text=True)


def test_directory_hides_leavers(client, reader, make_person):
    make_person(name="Lena Leaver", active=False)
    assert "Lena Leaver" not in client.get("/people/").get_data(as_text=True)


def test_search_finds_title_body_and_nominee_names(client, reader, make_story, make_person):
    nominee = make_person(name="Zofia Kowalczyk")
    make_story(title="The refund that saved a wedding", body_md="A **fridge** arrived broken.", nominees=[nominee])
    make_story(title="Quiet hero of the night shift", status=StoryStatus.DRAFT, body_md="fridge")
    for query in ("refund", "REFUNDS", "fridge", "kowalczyk", "kowal", "weddings", "saved wedding"):
        text = client.get(f"/search?q={query}").get_data(as_text=True)
        assert "The refund that saved a wedding" in text, query
        assert "Quiet hero of the night shift" not in text


@pytest.mark.parametrize(
    "query", ['"', "refund AND", "NEAR(", "*", "a:b", "'; drop table stories; --", "-x", "(((", "😀"]
)
def test_search_syntax_in_a_query_never_breaks_the_page(client, reader, make_story, query):
    make_story(title="The refund that saved a wedding")
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200


def test_search_reflects_edits(client, ctx, make_story, as_role):
    story = make_story(title="Original words", body_md="Nothing to see.")
    as_role("staff")
    assert "Original words" in client.get("/search?q=original").get_data(as_text=True)
    as_role("curator")
    response = client.post(f"/stories/{story.id}/edit", data={
        "nominees": [str(person.id) for person in story.nominees],
        "values": [str(value.id) for value in story.values],
        "title": "Completely different",
        "body_md": "Nothing to see.",
        "impact_kind": "customer",
        "impact": "The customer got the parcel.",
        "rule_in_the_way": "",
        "happened_on": (date.today() - timedelta(days=3)).isoformat(),
        "action": "save",
    })
    assert response.status_code == 302
    db.session.refresh(story)
    assert (story.title, story.status) == ("Completely different", StoryStatus.PUBLISHED)
    as_role("staff")
    assert "Completely different" in client.get("/search?q=completely").get_data(as_text=True)
    assert "No published story matches" in client.get("/search?q=original").get_data(as_text=True)


def test_my_stories_lists_everything_i_wrote_with_reasons(client, ctx, make_story, make_person, login):
    me = make_person()
    make_story(nominator=me, title="My draft", status=StoryStatus.DRAFT)
    make_story(nominator=me, title="Turned down", status=StoryStatus.REJECTED,
               decision_note="Please name the customer less")
    make_story(title="Someone else's")
    login(me)
    text = client.get("/mine").get_data(as_text=True)
    assert "My draft" in text and "Turned down" in text and "Please name the customer less" in text
    assert "Someone else's" not in text


def test_a_thank_you_notifies_the_people_the_story_is_about(client, ctx, make_story, make_person, login, smtp_server):
    from storyboard.models import Notification

    hero = make_person(name="Hero", email="hero@example.com")
    story = make_story(nominees=[hero], title="Calm in the storm")
    thanker = login(make_person(name="Grateful Gita"))
    client.post(f"/stories/{story.id}/thanks", data={"body_md": "You were brilliant"})
    [note] = db.session.scalars(select(Notification).where(Notification.person_id == hero.id)).all()
    assert (note.person_id, note.kind) == (hero.id, "thank_you")
    assert "Grateful Gita thanked you" in note.message
    # The writer hears of it too (tests/notifications/test_thanks_reach_nominator.py).
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(["hero@example.com", story.nominator.email])
    assert thanker.id != hero.id


def test_search_results_are_paginated(client, app, reader, make_story):
    app.config["FEED_PAGE_SIZE"] = 2
    for number in range(3):
        make_story(title=f"Lighthouse rescue {number}")
    first = client.get("/search?q=lighthouse").get_data(as_text=True)
    assert first.count("Lighthouse rescue") == 2 and 'href="/search?page=2&amp;q=lighthouse"' in first
    second = client.get("/search?q=lighthouse&page=2").get_data(as_text=True)
    assert second.count("Lighthouse rescue") == 1 and "← Previous" in second and "Next →" not in second


def test_search_ranks_only_the_newest_matches(client, app, reader, make_story):
    app.config["SEARCH_CANDIDATES"] = 3
    start = utcnow() - timedelta(days=30)
    for day in range(5):
        make_story(title=f"Harbour rescue {day}", published_at=start + timedelta(days=day))
    page = client.get("/search?q=harbour").get_data(as_text=True)
    found = sorted(re.findall(r"Harbour rescue \d", page))
    assert found == ["Harbour rescue 2", "Harbour rescue 3", "Harbour rescue 4"]


def test_drafts_do_not_crowd_published_stories_out_of_search(client, app, reader, make_story):
    app.config["SEARCH_CANDIDATES"] = 3
    for n in range(3):
        make_story(title=f"Published harbour story {n}")
    for n in range(4):  # newer, and matching, but not published
        make_story(title=f"Draft harbour story {n}", status=StoryStatus.DRAFT)
    page = client.get("/search?q=harbour").get_data(as_text=True)
    assert len(re.findall(r"Published harbour story \d", page)) == 3 and "Draft harbour" not in page


def test_a_page_link_whose_stories_are_gone_starts_again_at_the_newest(client, reader, make_story):
    make_story(title="Still here")
    response = client.get("/?after=2001-01-01T00:00:00_1")
    assert response.status_code == 200 and "Still here" in response.get_data(as_text=True)


def test_a_value_page_pages_through_its_stories(client, app, reader, make_story):
    app.config["FEED_PAGE_SIZE"] = 2
    value = db.session.scalars(select(Value).order_by(Value.position)).first()
    start = utcnow() - timedelta(days=10)
    for day in range(3):
        make_story(title=f"Value story {day}", values=[value], published_at=start + timedelta(days=day))
    first = client.get(f"/values/{value.slug}").get_data(as_text=True)
    assert "Value story 2" in first and "Value story 0" not in first
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert "Value story 0" in second and "Value story 2" not in second
    assert f"/values/{value.slug}?before=" in second


def test_a_first_read_counts_the_reader_on_the_page_itself(client, reader, make_story):
    story = make_story()
    assert "1 reader" in client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "1 reader" in client.get(f"/stories/{story.id}").get_data(as_text=True)  # not twice
