"""The audit log page: newest first, filters, pages, and before/after shown safely."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from storyboard import PROJECT_ROOT, audit
from storyboard.admin import views
from storyboard.admin.service import Change, diff, readable
from storyboard.extensions import db
from storyboard.models import AuditEntry
from tests.helpers import text, value_by_slug


def entry(actor, action, entity_type="story", entity_id=1, when=None, before=None, after=None, note=None):
    """An audit entry written the way every feature writes one, at a chosen time."""
    made = audit.record(actor, action, entity_type, entity_id, before, after, note)
    if when is not None:
        made.created_at = when
    db.session.commit()
    return made


def shown(response) -> list[int]:
    """The ids of the entries on the page, in order."""
    return [int(number) for number in re.findall(r'<tr id="entry-(\d+)">', text(response))]


def entry_html(page: str, made: AuditEntry) -> str:
    start = page.index(f'<tr id="entry-{made.id}">')
    following = page.find('<tr id="entry-', start + 1)
    return page[start: following if following != -1 else page.index("\n</table>", start)]


@pytest.fixture
def admin(ctx, as_role):
    return as_role("admin", name="Ada Admin", email="ada@example.com")


def test_newest_first_with_any_action(client, admin, make_person):
    curator = make_person(name="Cora Curator", email="cora@example.com", role="curator")
    old = entry(
        curator, "story.publish", "story", 7, datetime(2024, 1, 5, 9, 0),
        {"status": "submitted"}, {"status": "published"},
    )
    new = entry(admin, "widget.frobnicate", "widget", 3, datetime(2024, 2, 1, 12, 30))
    middle = entry(None, "digest.send", "digest", 2, datetime(2024, 1, 20))
    response = client.get("/admin/audit")
    assert response.status_code == 200
    assert shown(response) == [new.id, middle.id, old.id]
    page = text(response)
    assert "widget.frobnicate" in entry_html(page, new) and "widget #3" in entry_html(page, new)
    assert 'href="/stories/7">story #7</a>' in entry_html(page, old)
    assert "Cora Curator" in entry_html(page, old) and "2024-01-05 09:00:00" in entry_html(page, old)
    assert "the system" in entry_html(page, middle)


def test_links_go_to_the_record(client, admin, make_person):
    person = make_person()
    value = value_by_slug("courtesy")
    entry(admin, "person.role", "person", person.id)
    entry(admin, "value.retire", "value", value.id)
    page = text(client.get("/admin/audit"))
    assert f'href="/admin/people/{person.id}">person #{person.id}</a>' in page
    assert f'href="/admin/values/{value.id}/edit">value #{value.id}</a>' in page


def test_changes_made_in_the_admin_pages_appear(client, admin):
    courtesy = value_by_slug("courtesy")
    client.post(f"/admin/values/{courtesy.id}/retire")
    page = text(client.get("/admin/audit"))
    assert "value.retire" in page and "Ada Admin" in page


@pytest.fixture
def mixed(admin, make_person):
    """Entries by two people about stories and people over three days."""
    cora = make_person(name="Cora Curator", email="Cora@Example.com", role="curator")
    return {
        "publish": entry(cora, "story.publish", "story", 1, datetime(2024, 3, 1, 8)),
        "reject": entry(cora, "story.reject", "story", 2, datetime(2024, 3, 2, 23, 59)),
        "role": entry(admin, "person.role", "person", 1, datetime(2024, 3, 3, 0, 0)),
        "other": entry(admin, "story.publish", "story", 2, datetime(2024, 3, 3, 10)),
    }


@pytest.mark.parametrize("query, expected", [
    ({}, ["other", "role", "reject", "publish"]),
    ({"action": "story.publish"}, ["other", "publish"]),
    ({"action": "story."}, []),  # actions match exactly
    ({"actor": "cora@example.com"}, ["reject", "publish"]),
    ({"actor": "CORA"}, ["reject", "publish"]),
    ({"actor": "nobody@example.com"}, []),
    ({"entity_type": "person"}, ["role"]),
    ({"entity_type": "story", "entity_id": "2"}, ["other", "reject"]),
    ({"entity_id": "1"}, ["role", "publish"]),
    ({"since": "2024-03-02"}, ["other", "role", "reject"]),
    ({"until": "2024-03-02"}, ["reject", "publish"]),  # the whole last day
    ({"since": "2024-03-02", "until": "2024-03-02"}, ["reject"]),
    ({"action": "story.publish", "actor": "ada@", "since": "2024-03-03"}, ["other"]),
])
def test_filters(client, mixed, query, expected):
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 200
    assert shown(response) == [mixed[name].id for name in expected]


@pytest.mark.parametrize("query, message", [
    ({"entity_id": "abc"}, "Enter the record&#39;s number, such as 42."),
    ({"entity_id": "-3"}, "Enter the record&#39;s number, such as 42."),
    ({"entity_id": "99999999999"}, "Enter the record&#39;s number, such as 42."),
    ({"since": "2024-13-01"}, "Enter a date as YYYY-MM-DD, for example 2024-03-31."),
    ({"until": "yesterday"}, "Enter a date as YYYY-MM-DD, for example 2024-03-31."),
    ({"since": "2024-03-05", "until": "2024-03-01"}, "The end date is before the start date."),
    ({"action": "x" * 41}, "An action has at most 40 characters."),
])
def test_bad_filters_are_a_400_that_keeps_what_was_typed(client, mixed, query, message):
    query = {"actor": "typed@example.com", **query}
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    for value in query.values():
        assert f'value="{value}"' in page
    assert shown(response) == []


def test_pages_keep_the_filters(client, admin, monkeypatch):
    monkeypatch.setattr(views, "AUDIT_PAGE_SIZE", 2)
    made = [entry(admin, "value.update", "value", 1, datetime(2024, 4, day)) for day in range(1, 6)]
    entry(admin, "story.publish", "story", 1, datetime(2024, 4, 9))
    first = client.get("/admin/audit", query_string={"action": "value.update"})
    assert shown(first) == [made[4].id, made[3].id]
    older = re.search(r'<a rel="next" href="([^"]+)"', text(first)).group(1).replace("&amp;", "&")
    assert "action=value.update" in older and "page=2" in older
    second = client.get(older)
    assert shown(second) == [made[2].id, made[1].id]
    newer = re.search(r'<a rel="prev" href="([^"]+)"', text(second)).group(1).replace("&amp;", "&")
    assert "action=value.update" in newer and "page=1" in newer
    last = client.get("/admin/audit", query_string={"action": "value.update", "page": 3})
    assert shown(last) == [made[0].id]
    assert 'rel="next"' not in text(last)


def test_before_and_after_are_escaped_and_changed_keys_marked(client, admin):
    made = entry(
        admin, "story.edit", "story", 5,
        before={"title": "<script>alert(1)</script>", "status": "draft", "in_canon": False},
        after={"title": "<b>Bold</b> & brave", "status": "draft", "in_canon": True, "lesson": "Ask first"},
        note="<img src=x onerror=alert(2)>",
    )
    html = entry_html(text(client.get("/admin/audit")), made)
    assert "<script>alert(1)" not in html and "<b>Bold" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; brave" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert '<tr class="changed"><th scope="row">title</th>' in html
    assert '<tr class="unchanged"><th scope="row">status</th><td>draft</td><td>draft</td></tr>' in html
    assert '<tr class="changed"><th scope="row">in_canon</th><td>no</td><td>yes</td></tr>' in html
    assert '<tr class="changed"><th scope="row">lesson</th><td>—</td><td>Ask first</td></tr>' in html


def test_an_empty_log_says_so(client, admin):
    assert "Nothing has been recorded yet." in text(client.get("/admin/audit"))
    assert "No entry matches these filters." in text(client.get("/admin/audit?action=nothing.here"))


@pytest.mark.parametrize("before, after, expected", [
    (None, {"name": "Grit"}, [Change("name", "—", "Grit")]),
    ({"active": True}, {"active": False}, [Change("active", "yes", "no")]),
    ({"note": None}, {"note": ""}, [Change("note", "(none)", "(empty)")]),
    (
        {"b": 1, "a": 2}, {"a": 2, "c": [1, 2]},
        [Change("b", "1", "—"), Change("a", "2", "2"), Change("c", "—", "[1, 2]")],
    ),
    ({"names": ["Ann", "Bo"]}, {"names": []}, [Change("names", "Ann, Bo", "(none)")]),
    ({"nested": {"z": 1, "a": "é"}}, None, [Change("nested", '{"a": "é", "z": 1}', "—")]),
    ("bare", None, [Change("value", "bare", "—")]),
    (None, None, []),
])
def test_diff(before, after, expected):
    assert diff(before, after) == expected


def test_changed_compares_the_text_shown():
    assert Change("a", "1", "2").changed and not Change("a", "x", "x").changed
    assert readable(3.5) == "3.5"


def test_admin_templates_never_mark_text_safe():
    for template in Path(PROJECT_ROOT / "templates" / "admin").glob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", "") and "Markup" not in source, template.name
