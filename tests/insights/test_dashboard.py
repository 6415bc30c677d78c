"""The dashboard's figures, worked out by hand for the company in dashboard_company.py, on the
page and in each table's CSV, with and without filters."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pytest

from storyboard.extensions import db
from storyboard.models import Person
from tests.insights.dashboard_company import RANGE, build_company, csv_rows, in_csv, page_tables, shown

NO_STORIES_VALUES = ["Practicality", "Positive attitude", "Threw out the script", "Broke the right rule",
                     "Owned it end to end", "Made it right"]

# Weeks from Monday in London; 24 Feb has 2 days in the range (1-2 March), 26 May has 6.
TIMELINE = [
    (date(2025, 2, 24), 2, 0), (date(2025, 3, 3), 7, 1), (date(2025, 3, 10), 7, 0),
    (date(2025, 3, 17), 7, 0), (date(2025, 3, 24), 7, 0),
    (date(2025, 3, 31), 7, 1),  # B: Sunday 30 March in UTC, Monday in London
    (date(2025, 4, 7), 7, 0), (date(2025, 4, 14), 7, 1), (date(2025, 4, 21), 7, 0),
    (date(2025, 4, 28), 7, 0), (date(2025, 5, 5), 7, 1), (date(2025, 5, 12), 7, 0),
    (date(2025, 5, 19), 7, 0), (date(2025, 5, 26), 6, 1),  # D on the last evening; E after midnight
    ("Total", 92, 5),
]
EVERYONE = {
    # Support: A, B, C (s3), M (s4, who left); Warehouse: C (w1); Finance: D. 5 stories, 8 active.
    "departments": [("Finance", 3, 1, 33.3), ("Support", 3, 4, 133.3), ("Warehouse", 2, 1, 50.0),
                    ("Total", 8, 5, 62.5)],
    # Courtesy: A, B; Empathy: B, C, M; Responsibility: D; per 100 of the 8 active people.
    "values": [("Courtesy", 2, 25.0), ("Empathy", 3, 37.5), ("Responsibility", 1, 12.5),
               *[(name, 0, 0.0) for name in NO_STORIES_VALUES]],
    # Support is front line (A, B, C, M once each), Warehouse backstage (C), Finance unclassified (D).
    "front-line": [("Front line", 1, 3, 4, 133.3), ("Backstage", 1, 2, 1, 50.0), ("Not classified", 1, 3, 1, 33.3)],
    # Sent to HR in the range: A w1, B f2, C s2 (+f3), D s1, E w1, G w2 (archived), I w2 (rejected),
    # L w1, M w1, N s4 (left: not counted). Not: F f1 (before), H s3 (draft), J and K (now).
    "participation": [("Finance", 3, 2, 66.7), ("Support", 3, 2, 66.7), ("Warehouse", 2, 2, 100.0),
                      ("Total", 8, 6, 75.0)],
    # Waits in hours: B 12, C 24, D 24, A 48, M 216: nearest rank 3 of 5 and 5 of 5.
    "queue": [("Stories published in the range (with a submit time)", 5),
              ("Median hours from submit to publish", 24.0),
              ("90th percentile hours from submit to publish", 216.0),
              ("Stories waiting over 7 days now", 1)],
    "digest": [("Deliveries sent", 4), ("Bounces", 1), ("Unsubscribes (changed to never)", 1),
               ("Readers who came from a digest link", 2), ("Stories opened from a digest link", 3)],
    # Evidence: A (quote), C (score), D (link), M (score 0); B's quote is empty.
    "evidence": [("Finance", 1, 1, 100.0), ("Support", 4, 3, 75.0), ("Warehouse", 1, 1, 100.0),
                 ("Total", 5, 4, 80.0)],
}
EVERYONE_HEADLINE = {"published": "5", "per-100": "62.5", "participation": "75.0%",
                     "median-wait": "24.0 hours", "waiting": "1", "readers": "2"}


@pytest.fixture
def company(ctx, make_person, make_story, login, client):
    made = build_company(make_person, make_story)
    login(db.session.get(Person, made.curator_id))
    response = client.post("/insights/departments", data={
        "department": ["Finance", "Support", "Warehouse"], "kind": ["", "front_line", "backstage"],
    })
    assert response.status_code == 302
    return made


def dashboard(client, **filters):
    response = client.get(f"/insights/?{urlencode(filters)}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return page_tables(response.get_data(as_text=True))


def body_rows(table: list[list[str]]) -> list[list[str]]:
    return table[1:]  # after the header row


def assert_table(client, tables, name, expected, filters):
    assert body_rows(tables[f"table-{name}"]) == [[shown(value) for value in row] for row in expected], name
    download = client.get(f"/insights/tables/{name}.csv?{urlencode(filters)}")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert csv_rows(download)[1:] == [[in_csv(value) for value in row] for row in expected], name


def test_every_figure_on_the_page_and_in_its_csv(client, company):
    tables, headline = dashboard(client, **RANGE)
    assert headline == EVERYONE_HEADLINE
    assert_table(client, tables, "timeline", TIMELINE, RANGE)
    for name, expected in EVERYONE.items():
        assert_table(client, tables, name, expected, RANGE)


def test_a_department_narrows_every_figure_to_its_people(client, company):
    filters = RANGE | {"department": "Support"}
    tables, headline = dashboard(client, **filters)
    # Stories about someone in Support: A, B, C, M; waits 48, 12, 24, 216: ranks 2 and 4 of 4.
    assert headline == {"published": "4", "per-100": "133.3", "participation": "66.7%",
                        "median-wait": "24.0 hours", "waiting": "0", "readers": "1"}
    expected = {
        "departments": [("Support", 3, 4, 133.3), ("Total", 3, 4, 133.3)],
        "values": [("Courtesy", 2, 66.7), ("Empathy", 3, 100.0), *[(name, 0, 0.0) for name in
                   ["Responsibility", *NO_STORIES_VALUES]]],
        "front-line": [("Front line", 1, 3, 4, 133.3), ("Backstage", 0, 0, 0, None),
                       ("Not classified", 0, 0, 0, None)],
        "participation": [("Support", 3, 2, 66.7), ("Total", 3, 2, 66.7)],
        "queue": [("Stories published in the range (with a submit time)", 4),
                  ("Median hours from submit to publish", 24.0),
                  ("90th percentile hours from submit to publish", 216.0),
                  ("Stories waiting over 7 days now", 0)],  # J is about w2, in Warehouse
        # Sent to s1, s2, s4; s1 opened two stories; s2 unsubscribed.
        "digest": [("Deliveries sent", 3), ("Bounces", 0), ("Unsubscribes (changed to never)", 1),
                   ("Readers who came from a digest link", 1), ("Stories opened from a digest link", 2)],
        "evidence": [("Support", 4, 3, 75.0), ("Total", 4, 3, 75.0)],
    }
    for name, rows in expected.items():
        assert_table(client, tables, name, rows, filters)
    # D, in the last week, is about f2 in Finance.
    weekly = [0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    assert [row[2] for row in body_rows(tables["table-timeline"])] == [*map(str, weekly), "4"]


def test_a_location_counts_the_stories_about_people_there(client, company):
    filters = RANGE | {"location": "York"}
    tables, headline = dashboard(client, **filters)
    # In York: s3 (C), s4 (M, left), w2 (E: after the range), f2 (D), f3. Active: s3, w2, f2, f3.
    assert headline["published"] == "3"
    assert headline["per-100"] == "75.0"
    assert_table(client, tables, "departments", [
        ("Finance", 2, 1, 50.0), ("Support", 1, 2, 200.0), ("Warehouse", 1, 0, 0.0), ("Total", 4, 3, 75.0),
    ], filters)
    # York's nominators in the range: f2 (B), f3 (co-nominator of C), w2 (G, I); s3 only drafted.
    assert_table(client, tables, "participation", [
        ("Finance", 2, 2, 100.0), ("Support", 1, 0, 0.0), ("Warehouse", 1, 1, 100.0), ("Total", 4, 3, 75.0),
    ], filters)
    # f2 got the March issue and opened A; f3 unsubscribed in June, after the range.
    assert_table(client, tables, "digest", [
        ("Deliveries sent", 2), ("Bounces", 0), ("Unsubscribes (changed to never)", 0),
        ("Readers who came from a digest link", 1), ("Stories opened from a digest link", 1),
    ], filters)


def test_a_range_over_two_years_is_counted_per_month(client, company):
    filters = {"start": "2023-06-01", "end": "2025-06-30"}
    tables, headline = dashboard(client, **filters)
    rows = body_rows(tables["table-timeline"])
    assert tables["table-timeline"][0][0] == "Month"
    assert len(rows) == 25 + 1  # June 2023 to June 2025, and the total
    by_month = {row[0]: row[2] for row in rows}
    # F (28 Feb), A (March), B (31 March in London), C (April), M and D (May), E (1 June in London).
    assert [by_month[f"1 {month} 2025"] for month in ("Feb", "Mar", "Apr", "May", "Jun")] == ["1", "2", "1", "2", "1"]
    assert headline["published"] == "7"


def test_the_classification_form_is_audited_and_shown(client, company):
    from tests.helpers import audit_entries

    changes = [(entry.before, entry.after) for entry in audit_entries("department.kind")]
    assert changes == [
        ({"department": "Support", "kind": "not_classified"}, {"department": "Support", "kind": "front_line"}),
        ({"department": "Warehouse", "kind": "not_classified"}, {"department": "Warehouse", "kind": "backstage"}),
    ]
    page = client.get(f"/insights/?{urlencode(RANGE)}").get_data(as_text=True)
    assert '<option value="front_line" selected>Front line</option>' in page
    assert '<option value="" selected>Not classified</option>' in page  # Finance
    again = client.post("/insights/departments", data={
        "department": ["Finance", "Support", "Warehouse"], "kind": ["", "backstage", "backstage"],
    }, follow_redirects=True)
    assert "Saved: 1 department changed." in again.get_data(as_text=True)
    assert len(audit_entries("department.kind")) == 3
    tables, _ = dashboard(client, **RANGE)
    assert body_rows(tables["table-front-line"]) == [
        ["Front line", "0", "0", "0", "—"], ["Backstage", "2", "5", "4", "80.0"],  # C once
        ["Not classified", "1", "3", "1", "33.3"],
    ]


@pytest.mark.parametrize("form, message", [
    ({"department": ["Nowhere"], "kind": ["front_line"]}, "No active people work in a department called"),
    ({"department": ["Support"], "kind": ["sideways"]}, "Choose front line, backstage or not classified"),
    ({"department": ["Support", "Support"], "kind": ["", ""]}, "was sent twice"),
    ({"department": ["Support"]}, "Choose a kind for each department"),
])
def test_a_classification_that_cannot_be_stored_is_refused_with_a_reason(client, company, form, message):
    from tests.helpers import audit_entries

    response = client.post("/insights/departments", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert len(audit_entries("department.kind")) == 2  # only the fixture's
