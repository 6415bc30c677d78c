"""Who may see the dashboard, what bad filters get, the charts' SVG and security headers,
and the unsubscribes the digest now records for it."""
from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest

from storyboard.extensions import db
from storyboard.models import DigestDelivery, DigestIssue, DigestVisit, StoryStatus
from tests.helpers import audit_entries, csrf_token_in
from tests.insights.dashboard_company import csv_rows, page_tables

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
CHART_POLICY = ("default-src 'none'; script-src 'self'; style-src {styles}; object-src 'none'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
CHARTS = ["timeline", "departments", "values", "front-line", "participation", "evidence"]
TABLES = [*CHARTS, "queue", "digest"]
ROUTES = ["/insights/", *[f"/insights/charts/{name}.svg" for name in CHARTS],
          *[f"/insights/tables/{name}.csv" for name in TABLES]]


@pytest.mark.parametrize("path", ROUTES)
def test_staff_are_refused_and_strangers_kept_out(client, ctx, as_role, path):
    assert client.get(path).status_code in (302, 403)
    as_role("staff")
    assert client.get(path).status_code == 403


def test_staff_cannot_classify_departments(client, ctx, as_role, make_person):
    make_person(department="Support")
    as_role("staff")
    response = client.post("/insights/departments", data={"department": ["Support"], "kind": ["front_line"]})
    assert response.status_code == 403
    assert audit_entries("department.kind") == []


@pytest.mark.parametrize("role", ["curator", "admin"])
def test_curators_and_admins_see_every_section(client, ctx, as_role, role):
    as_role(role)
    response = client.get("/insights/")
    assert response.status_code == 200
    tables, headline = page_tables(response.get_data(as_text=True))
    assert set(tables) >= {f"table-{name}" for name in TABLES}
    assert list(headline) == ["published", "per-100", "participation", "median-wait", "waiting", "readers"]
    assert headline["median-wait"] == "—"  # nothing published yet


@pytest.mark.parametrize("query, message", [
    ({"start": "yesterday"}, "The start date “yesterday” is not a date"),
    ({"start": "2026-05-01", "end": "2026-04-01"}, "The start date is after the end date"),
    ({"end": "1999-12-31"}, "Choose a end date between 2000 and 2100"),
    ({"department": "x" * 121}, "No department has a name that long"),
])
def test_bad_filters_answer_400_with_the_reason_and_the_default_figures(
        client, ctx, as_role, make_story, query, message):
    make_story()  # published now: in the default range, whatever the bad filter asked for
    as_role("curator")
    response = client.get(f"/insights/?{urlencode(query)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    _, headline = page_tables(page)
    assert headline["published"] == "1"
    # The charts and downloads on the page carry the defaults, not the bad filters.
    assert "/insights/charts/timeline.svg\"" in page and "/insights/tables/timeline.csv\"" in page
    for path in ("/insights/charts/departments.svg", "/insights/tables/departments.csv"):
        refused = client.get(f"{path}?{urlencode(query)}")
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)


@pytest.mark.parametrize("name", CHARTS)
def test_a_chart_is_svg_with_no_script_and_its_own_narrow_policy(client, ctx, as_role, make_story, make_person, name):
    make_story(nominees=[make_person(department="Support")], evidence_quote="Thank you!")
    as_role("curator")
    response = client.get(f"/insights/charts/{name}.svg?start=2026-01-01&end=2026-12-31")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    # pygal's one stylesheet is allowed by its hash, and nothing else: no 'unsafe-inline'.
    [stylesheet] = [element.text for element in ElementTree.fromstring(svg).iter() if element.tag.endswith("style")]
    digest = base64.b64encode(hashlib.sha256(stylesheet.encode()).digest()).decode()
    assert response.headers["Content-Security-Policy"] == CHART_POLICY.format(styles=f"'sha256-{digest}'")
    assert ' style="' not in svg  # an inline style attribute would need 'unsafe-inline'

    assert "<script" not in svg.lower()
    assert "googleapis" not in svg and "href=" not in svg.replace('xmlns:xlink="', "")
    assert '<text' in svg and 'class="title' in svg  # the title and both axes' titles


def test_the_page_keeps_its_policy_and_shows_charts_as_images_with_tables(client, ctx, as_role):
    as_role("curator")
    response = client.get("/insights/")
    assert response.headers["Content-Security-Policy"] == PAGE_POLICY
    page = response.get_data(as_text=True)
    # Charts are <img>s; the only inline SVG is the interface's icons, each a <use> of the sprite.
    assert not re.search(r'<svg(?! class="icon )', page) and "<script" not in page.split("</head>")[1]
    assert " style=" not in page and "<style" not in page
    for name in CHARTS:
        assert f'src="/insights/charts/{name}.svg"' in page
        assert f'href="/insights/tables/{name}.csv"' in page
    assert page.count('<img src="/insights/charts/') == len(CHARTS)
    assert page.count("alt=\"Chart: ") == len(CHARTS)
    assert page.count("<caption") >= len(TABLES)


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.references = [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.references.append(attributes["for"])
        self.references.extend((attributes.get("aria-labelledby") or "").split())


def test_the_page_has_unique_ids_and_every_label_points_at_something(client, ctx, as_role, make_person):
    for department in ("Support", "Warehouse", "Finance"):
        make_person(department=department)
    as_role("curator")
    markup = _Markup()
    markup.feed(client.get("/insights/").get_data(as_text=True))
    assert [name for name, count in Counter(markup.ids).items() if count > 1] == []
    assert set(markup.references) <= set(markup.ids)
    assert {"kind-1", "kind-2", "kind-3"} <= set(markup.ids) and "kind-4" not in markup.ids


def test_an_unknown_chart_or_table_is_not_found(client, ctx, as_role):
    as_role("curator")
    assert client.get("/insights/charts/salaries.svg").status_code == 404
    assert client.get("/insights/tables/salaries.csv").status_code == 404


def test_a_csv_keeps_the_filters_in_its_name_and_cannot_carry_a_formula(client, ctx, as_role, make_story, make_person):
    make_story(nominees=[make_person(department="=HYPERLINK(\"x\")")])
    as_role("curator")
    response = client.get("/insights/tables/departments.csv?start=2026-01-01&end=2026-12-31")
    assert 'filename="storyboard-departments-2026-01-01-to-2026-12-31.csv"' in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Department", "Active people", "Published stories", "Per 100 active people"]
    assert ["'=HYPERLINK(\"x\")", "1", "1", "100.0"] in rows


def test_the_classification_form_needs_its_csrf_token(csrf_client, csrf_ctx, make_person):
    from tests.helpers import sign_in_on

    curator = make_person(role="curator", department="Support")
    sign_in_on(csrf_client, curator)
    form = {"department": ["Support"], "kind": ["front_line"]}
    assert csrf_client.post("/insights/departments", data=form).status_code == 400
    token = csrf_token_in(csrf_client.get("/insights/").get_data(as_text=True))
    assert csrf_client.post("/insights/departments", data=form | {"csrf_token": token}).status_code == 302
    assert [entry.after for entry in audit_entries("department.kind")] == [
        {"department": "Support", "kind": "front_line"}
    ]


def test_unsubscribing_is_audited_once_and_counted_on_the_dashboard(app, client, ctx, make_person, login):
    reader = make_person(department="Support")
    login(reader)
    assert client.post("/preferences", data={"digest_frequency": "monthly"}).status_code == 302
    assert client.post("/preferences", data={"digest_frequency": "never"}).status_code == 302
    assert client.post("/preferences", data={"digest_frequency": "never"}).status_code == 302  # no change
    entries = audit_entries("digest.frequency")
    assert [(entry.actor_id, entry.entity_id, entry.before, entry.after) for entry in entries] == [
        (reader.id, reader.id, {"digest_frequency": "weekly"}, {"digest_frequency": "monthly"}),
        (reader.id, reader.id, {"digest_frequency": "monthly"}, {"digest_frequency": "never"}),
    ]
    login(make_person(role="curator", department="HR"))
    response = client.get("/insights/tables/digest.csv")
    assert ["Unsubscribes (changed to never)", "1"] in csv_rows(response)
    hr_only = client.get("/insights/tables/digest.csv?department=HR")
    assert ["Unsubscribes (changed to never)", "0"] in csv_rows(hr_only)


def test_the_unsubscribe_link_is_audited_as_the_readers_own_change(app, client, ctx, make_person):
    from storyboard.digest.subscriptions import unsubscribe_token

    reader = make_person()
    token = unsubscribe_token(reader)
    client.post(f"/digest/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    client.post(f"/digest/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    entries = audit_entries("digest.frequency")
    assert [(entry.actor_id, entry.after) for entry in entries] == [(reader.id, {"digest_frequency": "never"})]


def test_readers_from_the_digest_count_people_through_their_delivery(client, ctx, as_role, make_story, make_person):
    story = make_story()
    first, second = make_person(), make_person()
    issue = DigestIssue(issue_key="2026-01-05", cut_at=story.published_at)
    db.session.add(issue)
    db.session.flush()
    deliveries = [DigestDelivery(issue_id=issue.id, person_id=person.id, status="sent",
                                 next_attempt_at=issue.cut_at, sent_at=issue.cut_at) for person in (first, second)]
    db.session.add_all(deliveries)
    db.session.flush()
    other = make_story(status=StoryStatus.PUBLISHED)
    db.session.add_all([DigestVisit(delivery_id=deliveries[0].id, story_id=story.id),
                        DigestVisit(delivery_id=deliveries[0].id, story_id=other.id),
                        DigestVisit(delivery_id=deliveries[1].id, story_id=story.id)])
    db.session.commit()
    as_role("curator")
    tables, headline = page_tables(client.get("/insights/").get_data(as_text=True))
    assert headline["readers"] == "2"
    assert ["Stories opened from a digest link", "3"] in tables["table-digest"]


def test_a_missing_optional_module_after_the_charts_is_a_plain_import_error():
    """pygal's import hook made every failed import an ImportWarning (rq's probe for
    setproctitle, where it is not installed, failed the worker tests)."""
    import storyboard.insights.charts  # noqa: F401

    with pytest.raises(ImportError):
        import no_such_module_for_storyboard_tests  # noqa: F401
