"""Never a stale card (issue 16): every change that alters a story card, made on host A, shows
on the very next request to host B, and on every worker of both hosts, on the feed, the story's
page and the profile of the person it is about.

The pages are read first on every worker of both hosts, so whatever each worker (or the hosts'
shared Redis) keeps of them is warm when the change is made. The checks read what a person sees,
so they hold whatever the pages are cached in; a browser revalidating its copy (If-None-Match)
must be given the new page too, never a 304 for the old one.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.multihost.conftest import PASSWORD, STORIES
from tests.multihost.hosts import Visitor, form_fields, page_text, parsed, story_cards, words

pytestmark = pytest.mark.slow


@dataclass
class View:
    """One page as a person saw it."""

    where: str  # e.g. "host B, feed, second worker"
    status: int
    text: str  # the whole page's text
    card: str  # the story's card on the feed and the profile, the story itself on its page
    applause: str  # the story's applause as the card or the page says it
    etag: str | None


def view(response, where: str, page: str, story_id: int) -> View:
    if response.status_code != 200:
        return View(where, response.status_code, "", "", "", None)
    tree = parsed(response.text)
    if page == "story":
        card = words(tree.find(".//article"))
        applause = words(tree.find(".//section[@id='applause']/p[@class='count']"))
    else:
        cards = story_cards(tree, story_id)
        assert len(cards) <= 1, f"{where}: the story's card is there twice"
        card = words(cards[0]) if cards else ""
        applause = " ".join(words(count) for found in cards for count in found.iter("span")
                            if count.get("class") == "applause-count")
    return View(where, 200, page_text(response.text), card, applause, response.headers.get("ETag"))


class StoryPages:
    """The pages that show one seeded story, read by a colleague on every worker."""

    def __init__(self, hosts, company, visitors, key: str) -> None:
        self.host_a, self.host_b = hosts
        self.visitors = visitors
        self.story_id = company.stories[key]
        self.pages = {"feed": "/", "story": f"/stories/{self.story_id}",
                      "profile": f"/people/{company.people[f'about_{key}']}"}

    def everywhere(self) -> list[View]:
        """Each page read by a colleague once on each worker: host B first, then host A."""
        vera = self.visitors["viewer"]
        views = []
        for host in (self.host_b, self.host_a):
            for page, path in self.pages.items():
                answers = host.on_each_worker(lambda host=host, path=path: vera.get(host, path))
                for worker, response in zip(("one worker", "the other worker"), answers, strict=True):
                    views.append(view(response, f"host {host.name}, {page}, {worker}", page, self.story_id))
        return views

    def revalidated(self, before: list[View]) -> list[View]:
        """Each page asked for again on host B with the ETag it had before the change."""
        vera = self.visitors["viewer"]
        views = []
        for page, path in self.pages.items():
            etag = next((seen.etag for seen in before if f", {page}, " in seen.where and seen.etag), None)
            if etag is None:
                continue  # the page is not revalidated (no ETag): nothing a browser could keep
            response = vera.get(self.host_b, path, **{"If-None-Match": etag})
            views.append(view(response, f"host B, {page}, revalidating", page, self.story_id))
        return views

    def after_change(self, before: list[View]) -> list[View]:
        return self.everywhere() + self.revalidated(before)


@pytest.fixture(scope="module")
def visitors(hosts, company):
    """The colleague who reads (on B, then everywhere) and the people who change things (on A)."""
    host_a, host_b = hosts
    people = {}
    for key, host in (("viewer", host_b), ("curator", host_a), ("admin", host_a), ("applauder", host_a)):
        people[key] = Visitor()
        assert people[key].sign_in(host, company.emails[key], PASSWORD).status_code == 302
    return people


def assert_everywhere(views: list[View], check) -> None:
    for seen in views:
        assert seen.status == 200, f"{seen.where}: {seen.status}"
        check(seen)


def test_a_title_edited_by_a_curator_shows_at_once_everywhere(hosts, company, visitors):
    pages = StoryPages(hosts, company, visitors, "title")
    old, new = STORIES["title"][1], "Tracked down the lost pallet"
    before = pages.everywhere()
    assert_everywhere(before, lambda seen: _shows(seen, old))

    curator = visitors["curator"]
    edit = curator.get(pages.host_a, f"/stories/{pages.story_id}/edit")
    form = [(name, new if name == "title" else value)
            for name, value in form_fields(edit.text, ".//form[@data-keep-typing]")] + [("action", "save")]
    saved = curator.post(pages.host_a, f"/stories/{pages.story_id}/edit", form)
    assert saved.status_code == 302, page_text(saved.text)

    assert_everywhere(pages.after_change(before), lambda seen: (_shows(seen, new), _gone(seen, old)))


def test_a_nominee_renamed_by_an_admins_people_import_shows_at_once_everywhere(hosts, company, visitors):
    pages = StoryPages(hosts, company, visitors, "rename")
    old, new = STORIES["rename"][0], "Rosa Fernández-Okafor"
    before = pages.everywhere()
    assert_everywhere(before, lambda seen: _shows(seen, old))

    admin, host_a = visitors["admin"], pages.host_a
    csv = ("email,name,title,department,location,manager_email,start_date,role\n"
           f"{company.emails['about_rename']},{new},Advisor,Support,Leeds,,,\n")
    uploaded = admin.post(host_a, "/people/import", {"csrf_token": admin.csrf_token(host_a, "/people/import")},
                          files={"file": ("people.csv", csv.encode(), "text/csv")})
    assert uploaded.status_code == 302, page_text(uploaded.text)
    preview_path = uploaded.headers["Location"].removeprefix(host_a.base)
    preview = admin.get(host_a, preview_path)
    assert new in page_text(preview.text)
    apply_path = f"{preview_path}/apply"
    applied = admin.post(host_a, apply_path, form_fields(preview.text, f".//form[@action='{apply_path}']"))
    assert applied.status_code == 302, page_text(applied.text)

    assert_everywhere(pages.after_change(before), lambda seen: (_shows(seen, new), _gone(seen, old)))


def test_a_value_renamed_by_an_admin_shows_at_once_everywhere(hosts, company, visitors):
    pages = StoryPages(hosts, company, visitors, "value")
    old, new = "Practicality", "Found the simple fix"
    before = pages.everywhere()
    assert_everywhere(before, lambda seen: _shows(seen, old))

    admin, host_a = visitors["admin"], pages.host_a
    path = f"/admin/values/{company.values['practicality']}/edit"
    form = [(name, new if name == "name" else value) for name, value in form_fields(
        admin.get(host_a, path).text, ".//main//form[@method='post']")]
    renamed = admin.post(host_a, path, form)
    assert renamed.status_code == 302, page_text(renamed.text)

    assert_everywhere(pages.after_change(before), lambda seen: (_shows(seen, new), _gone(seen, old)))


def test_applause_shows_at_once_everywhere(hosts, company, visitors):
    pages = StoryPages(hosts, company, visitors, "applause")
    before = pages.everywhere()
    assert_everywhere(before, lambda seen: _applause(seen, 0))

    sam, host_a = visitors["applauder"], pages.host_a
    token = sam.csrf_token(host_a, pages.pages["story"])
    applauded = sam.post(host_a, f"/stories/{pages.story_id}/applause", {"csrf_token": token})
    assert applauded.status_code == 302

    assert_everywhere(pages.after_change(before), lambda seen: _applause(seen, 1))


def test_an_archived_story_is_gone_at_once_everywhere(hosts, company, visitors):
    pages = StoryPages(hosts, company, visitors, "archive")
    title = STORIES["archive"][1]
    before = pages.everywhere()
    assert_everywhere(before, lambda seen: _shows(seen, title))

    curator, host_a = visitors["curator"], pages.host_a
    panel = curator.get(host_a, pages.pages["story"])
    form = form_fields(panel.text, ".//form[@id='move-form']") + [("to", "archived")]
    archived = curator.post(host_a, f"/queue/{pages.story_id}/move", form)
    assert archived.status_code == 302, page_text(archived.text)

    for seen in pages.after_change(before):
        if ", story, " in seen.where:
            assert seen.status == 404, f"{seen.where}: {seen.status}"  # colleagues no longer see it
        else:
            assert seen.status == 200 and seen.card == "" and title not in seen.text, seen.where


def test_a_redaction_shows_at_once_everywhere(hosts, company, visitors):
    pages = StoryPages(hosts, company, visitors, "redact")
    phone = "07700 900123"
    before = pages.everywhere()
    assert_everywhere(before, lambda seen: _shows(seen, phone))

    curator, host_a = visitors["curator"], pages.host_a
    token = curator.csrf_token(host_a, pages.pages["story"])
    redacted = curator.post(host_a, f"/queue/{pages.story_id}/redact",
                            {"csrf_token": token, "text": phone, "confirm": "y"})
    assert redacted.status_code == 302, page_text(redacted.text)

    assert_everywhere(pages.after_change(before), lambda seen: (_shows(seen, "[redacted]"), _gone(seen, phone)))


def _shows(seen: View, wanted: str) -> None:
    assert wanted in seen.card, f"{seen.where}: {wanted!r} is not on the card: {seen.card!r}"


def _gone(seen: View, stale: str) -> None:
    assert stale not in seen.text, f"{seen.where}: still shows {stale!r}"


def _applause(seen: View, count: int) -> None:
    assert seen.applause.startswith(f"{count} applause"), f"{seen.where}: {seen.applause!r}"
