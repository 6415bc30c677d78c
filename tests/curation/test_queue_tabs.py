"""The review queue's tabs: waiting, changes requested, old drafts, rejected and archived.

Each test builds its stories by hand with their own dates and writes out which titles each tab
must list, in which order; nothing expected is read back from the code under test.
"""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Story, StoryStatus, Value
from storyboard.settings import set_setting, setting
from tests.app.test_query_counts import statements_for
from tests.helpers import audit_entries, csrf_token_in, row, text

S = StoryStatus
TAB_PATHS = {
    "Waiting": "/queue/",
    "Changes requested": "/queue/changes-requested",
    "Old drafts": "/queue/old-drafts",
    "Rejected": "/queue/rejected",
    "Archived": "/queue/archived",
}


def ago(days: float):
    return utcnow() - timedelta(days=days)


def listed(client, path: str) -> list[str]:
    """The titles a queue page lists, top to bottom."""
    page = text(client.get(path))
    return [db.session.get(Story, int(number)).title for number in re.findall(r'\bid="story-(\d+)"', page)]


def plain(page: str) -> str:
    """A page's text without its tags, spaces collapsed: what a reader sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def next_link(page: str) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def every_page(client, path: str) -> list[list[str]]:
    """The titles on each page, following the "next" links from `path`."""
    pages = []
    while path:
        page = text(client.get(path))
        pages.append([db.session.get(Story, int(n)).title for n in re.findall(r'\bid="story-(\d+)"', page)])
        path = next_link(page)
    return pages


@pytest.fixture
def company(ctx, make_person, make_story):
    """Two stories in every status, one of each pair about Stores and showing Courtesy, with
    dates far enough apart that every order is plain."""
    stores, support = make_person(department="Stores"), make_person(department="Support")
    values = {value.slug: value for value in db.session.scalars(db.select(Value))}
    writer = make_person(name="Wendy Writer")

    def story(title, status, about, value, **dates):
        return make_story(title=title, status=status, nominator=writer, nominees=[about],
                          values=[values[value]], **dates)

    story("Waiting long, Stores", S.SUBMITTED, stores, "courtesy", submitted_at=ago(9))
    story("Waiting briefly, Support", S.SUBMITTED, support, "empathy", submitted_at=ago(1))
    story("Sent back long ago, Stores", S.CHANGES_REQUESTED, stores, "courtesy",
          status_changed_at=ago(12), decision_note="Say what the customer said.")
    story("Sent back yesterday, Support", S.CHANGES_REQUESTED, support, "empathy",
          status_changed_at=ago(1.2), decision_note="Add the date it happened.")
    story("Draft untouched a month, Stores", S.DRAFT, stores, "courtesy", updated_at=ago(31))
    story("Draft untouched three weeks, Support", S.DRAFT, support, "empathy", updated_at=ago(21))
    story("Draft from last week", S.DRAFT, stores, "courtesy", updated_at=ago(6))
    story("Rejected last month, Stores", S.REJECTED, stores, "courtesy",
          status_changed_at=ago(40), decision_note="It names the customer.")
    story("Rejected this week, Support", S.REJECTED, support, "empathy",
          status_changed_at=ago(2), decision_note="A duplicate of another story.")
    story("Archived long ago, Stores", S.ARCHIVED, stores, "courtesy", status_changed_at=ago(100))
    story("Archived recently, Support", S.ARCHIVED, support, "empathy", status_changed_at=ago(3))
    story("Published, on no tab", S.PUBLISHED, stores, "courtesy")


def test_each_tab_lists_exactly_its_stories_in_its_order(client, company, as_role):
    as_role("curator")
    assert listed(client, "/queue/") == ["Waiting long, Stores", "Waiting briefly, Support"]
    # Waiting longest on the writer first.
    assert listed(client, "/queue/changes-requested") == ["Sent back long ago, Stores", "Sent back yesterday, Support"]
    # Most recent first.
    assert listed(client, "/queue/rejected") == ["Rejected this week, Support", "Rejected last month, Stores"]
    assert listed(client, "/queue/archived") == ["Archived recently, Support", "Archived long ago, Stores"]
    set_setting("QUEUE_SHOW_DRAFT_TITLES", "yes")
    db.session.commit()
    # Untouched for over 14 days only, untouched longest first.
    assert listed(client, "/queue/old-drafts") == ["Draft untouched a month, Stores",
                                                   "Draft untouched three weeks, Support"]


def test_tabs_are_links_with_their_counts_and_the_current_one_marked(client, company, as_role):
    as_role("curator")
    for label, path in TAB_PATHS.items():
        page = text(client.get(path))
        shown = plain(page)
        for counted in ("Waiting (2)", "Changes requested (2)", "Old drafts (2)", "Rejected (2)", "Archived (2)"):
            assert counted in shown, (path, counted)
        tabs = page[page.index('class="queue-tabs"'):]  # the header's menu marks "Review queue" too
        current = re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)<', tabs)
        assert current == [(path, f"{label} ")], path


def test_changes_requested_says_how_long_the_writer_has_had_it_and_what_hr_asked(client, company, as_role):
    as_role("curator")
    page = text(client.get("/queue/changes-requested"))
    long_ago = db.session.scalar(db.select(Story.id).where(Story.title == "Sent back long ago, Stores"))
    yesterday = db.session.scalar(db.select(Story.id).where(Story.title == "Sent back yesterday, Support"))
    assert "waiting on the writer 12 days" in plain(row(page, f"story-{long_ago}"))
    assert "Say what the customer said." in row(page, f"story-{long_ago}")
    assert "Wendy Writer" in row(page, f"story-{long_ago}")
    assert "waiting on the writer 1 day" in plain(row(page, f"story-{yesterday}"))
    assert "Add the date it happened." in row(page, f"story-{yesterday}")


def test_rejected_shows_the_reason(client, company, as_role):
    as_role("curator")
    page = text(client.get("/queue/rejected"))
    assert "It names the customer." in page and "A duplicate of another story." in page


def test_a_story_moved_before_the_status_clock_existed_is_listed_by_its_last_change(
        client, ctx, as_role, make_story):
    """Stories put in a status outside the lifecycle (an import, the demo seed) have no
    status_changed_at: they are still listed, by when they last changed."""
    make_story(title="Rejected without a clock", status=S.REJECTED, updated_at=ago(5), decision_note="Old.")
    make_story(title="Rejected with a clock", status=S.REJECTED, status_changed_at=ago(2), decision_note="New.")
    as_role("curator")
    assert listed(client, "/queue/rejected") == ["Rejected with a clock", "Rejected without a clock"]
    assert "(5 days ago)" in plain(text(client.get("/queue/rejected")))


@pytest.mark.parametrize("query, expected", [
    ("department=Stores", {
        "/queue/": ["Waiting long, Stores"],
        "/queue/changes-requested": ["Sent back long ago, Stores"],
        "/queue/rejected": ["Rejected last month, Stores"],
        "/queue/archived": ["Archived long ago, Stores"],
        "/queue/old-drafts": ["Draft untouched a month, Stores"],
    }),
    ("value=empathy", {
        "/queue/": ["Waiting briefly, Support"],
        "/queue/changes-requested": ["Sent back yesterday, Support"],
        "/queue/rejected": ["Rejected this week, Support"],
        "/queue/archived": ["Archived recently, Support"],
        "/queue/old-drafts": ["Draft untouched three weeks, Support"],
    }),
    # Age is how long each story has been where the tab shows it.
    ("age=7", {
        "/queue/": ["Waiting long, Stores"],
        "/queue/changes-requested": ["Sent back long ago, Stores"],
        "/queue/rejected": ["Rejected last month, Stores"],
        "/queue/archived": ["Archived long ago, Stores"],
        "/queue/old-drafts": ["Draft untouched a month, Stores", "Draft untouched three weeks, Support"],
    }),
    ("age=30", {
        "/queue/": [],
        "/queue/changes-requested": [],
        "/queue/rejected": ["Rejected last month, Stores"],
        "/queue/archived": ["Archived long ago, Stores"],
        "/queue/old-drafts": ["Draft untouched a month, Stores"],
    }),
])
def test_filters_narrow_every_tab(client, company, as_role, query, expected):
    as_role("curator")
    set_setting("QUEUE_SHOW_DRAFT_TITLES", "yes")
    db.session.commit()
    for path, titles in expected.items():
        assert listed(client, f"{path}?{query}") == titles, path


def test_tab_links_keep_the_filters_but_not_the_page(client, company, as_role):
    as_role("curator")
    page = text(client.get("/queue/rejected?department=Stores&value=courtesy&age=7&after=2020-01-01T00:00:00_1"))
    tabs = re.search(r'<nav class="queue-tabs".*?</nav>', page, re.DOTALL).group(0)
    links = [html.unescape(link) for link in re.findall(r'href="([^"]+)"', tabs)]
    assert links == [f"{path}?department=Stores&value=courtesy&age=7" for path in TAB_PATHS.values()]


@pytest.mark.parametrize("status, path, field, newest_first", [
    (S.SUBMITTED, "/queue/", "submitted_at", False),
    (S.CHANGES_REQUESTED, "/queue/changes-requested", "status_changed_at", False),
    (S.REJECTED, "/queue/rejected", "status_changed_at", True),
    (S.ARCHIVED, "/queue/archived", "status_changed_at", True),
    (S.DRAFT, "/queue/old-drafts", "updated_at", False),
])
def test_each_tab_pages_through_its_stories_keeping_the_filters(
        app, client, ctx, as_role, make_person, make_story, status, path, field, newest_first):
    app.config["QUEUE_PAGE_SIZE"] = 2
    stores, support = make_person(department="Stores"), make_person(department="Support")
    for day in range(1, 6):
        # Five about Stores, 20 to 24 days in their place, and one about Support in between.
        make_story(title=f"Stores {day}", status=status, nominees=[stores], **{field: ago(19 + day)})
    make_story(title="Support only", status=status, nominees=[support], **{field: ago(22.5)})
    set_setting("QUEUE_SHOW_DRAFT_TITLES", "yes")
    db.session.commit()
    as_role("curator")
    oldest_first = [["Stores 5", "Stores 4"], ["Stores 3", "Stores 2"], ["Stores 1"]]
    newest_first_pages = [["Stores 1", "Stores 2"], ["Stores 3", "Stores 4"], ["Stores 5"]]
    pages = every_page(client, f"{path}?department=Stores")
    assert pages == (newest_first_pages if newest_first else oldest_first)


def test_old_drafts_show_counts_not_titles_by_default(client, ctx, as_role, make_person, make_story):
    stores, warehouse, support = (make_person(department=name) for name in ("Stores", "Warehouse", "Support"))
    writer = make_person(name="Private Penny")
    make_story(title="Secret draft one", status=S.DRAFT, nominator=writer, nominees=[stores], updated_at=ago(15))
    make_story(title="Secret draft two", status=S.DRAFT, nominator=writer, nominees=[stores, warehouse],
               updated_at=ago(40))
    make_story(title="Secret draft three", status=S.DRAFT, nominator=writer, nominees=[support], updated_at=ago(20))
    make_story(title="Fresh draft", status=S.DRAFT, nominator=writer, nominees=[stores], updated_at=ago(13))
    as_role("curator")
    page = text(client.get("/queue/old-drafts"))
    shown = plain(page)
    assert "3 old drafts." in shown
    for title in ("Secret draft", "Fresh draft", "Private Penny"):
        assert title not in page
    # By the department of the people each draft is about: the second draft counts in two.
    assert re.findall(r'<tr><th scope="row">(?:<a [^>]*>)?([^<]+)(?:</a>)?</th><td>(\d+)</td></tr>', page) == [
        ("Stores", "2"), ("Support", "1"), ("Warehouse", "1")]
    assert "They are hidden to curators." in shown
    assert "2 old drafts match these filters." in plain(text(client.get("/queue/old-drafts?department=Stores")))
    assert "1 old draft matches these filters." in plain(text(client.get("/queue/old-drafts?age=30")))


def test_old_drafts_show_titles_and_writers_when_the_policy_allows(client, ctx, as_role, make_person, make_story):
    writer = make_person(name="Open Olive")
    make_story(title="Visible old draft", status=S.DRAFT, nominator=writer, updated_at=ago(15))
    set_setting("QUEUE_SHOW_DRAFT_TITLES", "yes")
    db.session.commit()
    as_role("curator")
    page = text(client.get("/queue/old-drafts"))
    assert "Visible old draft" in page and "Open Olive" in page
    assert "They are shown to curators." in plain(page)
    assert "Only an admin can change this." in plain(page)
    assert 'name="show"' not in page


def test_the_environment_can_show_titles_and_a_stored_choice_wins(app, client, ctx, as_role, make_story):
    make_story(title="Old draft by config", status=S.DRAFT, updated_at=ago(15))
    as_role("curator")
    app.config["QUEUE_SHOW_DRAFT_TITLES"] = True
    assert "Old draft by config" in text(client.get("/queue/old-drafts"))
    set_setting("QUEUE_SHOW_DRAFT_TITLES", "no")
    db.session.commit()
    assert "Old draft by config" not in text(client.get("/queue/old-drafts"))


def test_only_admins_change_the_old_drafts_policy_and_each_change_is_audited(
        client, ctx, as_role, make_story):
    make_story(title="Policy draft", status=S.DRAFT, updated_at=ago(15))
    as_role("curator")
    assert client.post("/queue/old-drafts/titles", data={"show": "yes"}).status_code == 403
    assert setting("QUEUE_SHOW_DRAFT_TITLES") is False and audit_entries("settings.queue_draft_titles") == []
    admin = as_role("admin")
    page = text(client.get("/queue/old-drafts"))
    assert "Show them to curators" in page and "Policy draft" not in page
    response = client.post("/queue/old-drafts/titles?department=Support&age=30", data={"show": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/queue/old-drafts?department=Support&age=30"
    assert "Policy draft" in text(client.get("/queue/old-drafts"))
    client.post("/queue/old-drafts/titles", data={"show": "no"})
    assert "Policy draft" not in text(client.get("/queue/old-drafts"))
    entries = audit_entries("settings.queue_draft_titles")
    assert [(entry.actor_id, entry.before, entry.after) for entry in entries] == [
        (admin.id, {"QUEUE_SHOW_DRAFT_TITLES": False}, {"QUEUE_SHOW_DRAFT_TITLES": True}),
        (admin.id, {"QUEUE_SHOW_DRAFT_TITLES": True}, {"QUEUE_SHOW_DRAFT_TITLES": False}),
    ]
    # Asking for what is already so changes and records nothing.
    client.post("/queue/old-drafts/titles", data={"show": "no"})
    assert len(audit_entries("settings.queue_draft_titles")) == 2
    nonsense = client.post("/queue/old-drafts/titles", data={"show": "maybe"})
    assert nonsense.status_code == 400 and "Choose to show or to hide the titles." in text(nonsense)


NEW_ROUTES = [("GET", path) for path in list(TAB_PATHS.values())[1:]] + [
    ("POST", "/queue/old-drafts/titles"), ("POST", "/queue/bulk")]


@pytest.mark.parametrize("method, path", NEW_ROUTES)
def test_staff_get_403_on_every_new_queue_route(client, ctx, as_role, make_story, method, path):
    story = make_story(status=S.SUBMITTED)
    as_role("staff")
    response = client.open(path, method=method, data={"show": "yes", "story": str(story.id), "action": "publish"})
    assert response.status_code == 403
    db.session.refresh(story)
    assert story.status == S.SUBMITTED and setting("QUEUE_SHOW_DRAFT_TITLES") is False


def test_the_policy_change_needs_the_pages_csrf_token(csrf_client, csrf_ctx, make_person):
    from tests.helpers import sign_in_on

    sign_in_on(csrf_client, make_person(role="admin"))
    refused = csrf_client.post("/queue/old-drafts/titles", data={"show": "yes"})
    assert refused.status_code == 400 and "Your form expired" in text(refused)
    assert setting("QUEUE_SHOW_DRAFT_TITLES") is False
    token = csrf_token_in(text(csrf_client.get("/queue/old-drafts")))
    assert csrf_client.post("/queue/old-drafts/titles", data={"show": "yes", "csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert setting("QUEUE_SHOW_DRAFT_TITLES") == "yes"


def test_junk_filters_show_the_tab_unfiltered_and_a_broken_page_link_is_a_400(client, company, as_role):
    set_setting("QUEUE_SHOW_DRAFT_TITLES", "yes")  # else the old drafts tab has no pages to link
    db.session.commit()
    as_role("curator")
    for path in TAB_PATHS.values():
        assert client.get(f"{path}?age=banana&department=&value=nope").status_code == 200
        assert client.get(f"{path}?after=not-a-cursor").status_code == 400


def _grow(make_person, make_story, number: int) -> None:
    """More stories on every tab, each about several people and showing several values."""
    values = list(db.session.scalars(db.select(Value)))
    crowd = [make_person(department=f"Team {n % 3}") for n in range(4)]
    for n in range(number):
        for status, field in ((S.SUBMITTED, "submitted_at"), (S.CHANGES_REQUESTED, "status_changed_at"),
                              (S.REJECTED, "status_changed_at"), (S.ARCHIVED, "status_changed_at"),
                              (S.DRAFT, "updated_at")):
            make_story(title=f"Grown {status} {n}", status=status, nominator=crowd[n % 4], nominees=crowd[:3],
                       values=values[:3], decision_note="Why.", **{field: ago(15 + n)})


@pytest.mark.parametrize("path", list(TAB_PATHS.values()) + ["/queue/old-drafts?titles=shown"])
def test_each_tab_makes_the_same_queries_however_many_stories(app, client, ctx, as_role, make_person, make_story,
                                                               path):
    if path.endswith("titles=shown"):
        set_setting("QUEUE_SHOW_DRAFT_TITLES", "yes")
        db.session.commit()
    as_role("curator")
    _grow(make_person, make_story, 1)
    small = statements_for(client, path)
    _grow(make_person, make_story, 12)
    large = statements_for(client, path)
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 9, "\n".join(small)
