"""The friction report's pages hold together for assistive technology, in every state HR sees
them (filed, not filed, a refused form), and its CSV cannot smuggle a formula."""
from __future__ import annotations

import csv
import io
from collections import Counter
from html.parser import HTMLParser

import pytest

from storyboard.extensions import db
from storyboard.models import FrictionItem
from tests.helpers import text

LANDMARK_TAGS = {"nav": "navigation", "main": "main", "aside": "complementary"}


class Markup(HTMLParser):
    """Ids, what labels and ARIA attributes point at, and the named landmarks of a page."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.references: list[str] = []
        self.landmarks: list[tuple[str, str | None]] = []
        self.tables_without_caption = 0
        self._table_open = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "label":
            self.references.append(attributes.get("for") or "(a label for nothing)")
        for name in ("aria-labelledby", "aria-describedby"):
            self.references.extend((attributes.get(name) or "").split())
        role = attributes.get("role") or LANDMARK_TAGS.get(tag)
        if tag == "section" and (attributes.get("aria-label") or attributes.get("aria-labelledby")):
            role = "region"
        if role in ("navigation", "region", "main", "complementary"):
            self.landmarks.append((role, attributes.get("aria-label") or attributes.get("aria-labelledby")))
        if tag == "table":
            self.tables_without_caption += 1
        if tag == "caption":
            self.tables_without_caption -= 1


def check_markup(response) -> str:
    page = text(response)
    markup = Markup()
    markup.feed(page)
    assert [name for name, count in Counter(markup.ids).items() if count > 1] == []
    assert [target for target in markup.references if target not in markup.ids] == []
    for role, count in Counter(role for role, _ in markup.landmarks).items():
        names = [name for landmark, name in markup.landmarks if landmark == role]
        assert count == 1 or (None not in names and len(set(names)) == count), (role, names)
    assert markup.tables_without_caption == 0
    assert "style=" not in page and "<script>" not in page
    return page


@pytest.fixture
def report(ctx, as_role, make_story):
    as_role("curator")
    filed = make_story(title="Filed one", rule_in_the_way="The refund rule.")
    waiting = make_story(title="Not filed", rule_in_the_way="The returns form.\nIt has nine pages.")
    return filed, waiting


def test_the_report_and_an_item_page_hold_together(client, report):
    filed, waiting = report
    client.post(f"/insights/friction/stories/{filed.id}/new-item", data={"title": "The refund rule"})
    page = check_markup(client.get("/insights/friction"))
    assert f'<label for="new-title-{waiting.id}">' in page and f'<label for="pick-{waiting.id}">' in page
    assert '<label for="item-choice">' in page
    item_id = db.session.scalars(db.select(FrictionItem.id)).one()
    check_markup(client.get(f"/insights/friction/items/{item_id}"))


def test_a_refused_form_holds_together_too(client, report):
    filed, waiting = report
    client.post(f"/insights/friction/stories/{filed.id}/new-item", data={"title": "The refund rule"})
    item_id = db.session.scalars(db.select(FrictionItem.id)).one()
    refused = client.post("/insights/friction/file", data={"story": waiting.id, "item": ""})
    assert refused.status_code == 400
    check_markup(refused)
    refused = client.post(f"/insights/friction/items/{item_id}", data={"title": "", "status": "open"})
    assert refused.status_code == 400
    assert "Give the item a short title" in check_markup(refused)


def test_no_friction_yet_says_so(client, ctx, as_role):
    as_role("curator")
    page = check_markup(client.get("/insights/friction"))
    assert "No published story in these filters names a rule or process that got in the way." in page
    assert "No items yet." in page


def test_a_friction_that_looks_like_a_formula_stays_text_in_the_csv(client, ctx, as_role, make_story):
    as_role("curator")
    make_story(title="=1+1", rule_in_the_way="=HYPERLINK(\"http://evil.example\")")
    response = client.get("/insights/friction.csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="friction-')
    [row] = list(csv.DictReader(io.StringIO(text(response).lstrip("\ufeff"))))
    assert row["Title"] == "'=1+1"
    assert row["Rule or process in the way"] == "'=HYPERLINK(\"http://evil.example\")"
