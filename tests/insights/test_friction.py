"""The friction report's figures: every rule in the way of a published story in the filters,
counted by department, value and month, the same on the page and in the CSV.

The company is built by hand and every expected figure is written out from it below.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import insert, select

from storyboard.extensions import db
from storyboard.models import FrictionItem, FrictionLink, Person, StoryStatus, Value
from tests.app.test_query_counts import statements_for
from tests.helpers import text

RANGE = "start=2025-01-01&end=2025-06-30"  # company dates (Europe/London)
REFUND = "A refund over £50 needs a manager's signature, and none was in."


class Tables(HTMLParser):
    """Each <table id=...> on a page as a list of rows, each row its cells' text."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self.current = attributes["id"]
            self.tables[self.current] = []
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.current and self.in_body:
            self.tables[self.current].append([])
        elif tag in ("th", "td") and self.current and self.in_body:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            self.tables[self.current][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables_of(response) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(text(response))
    return parser.tables


def counts_in(response, table: str) -> dict[str, int]:
    """A two-column table's rows as {heading: number}; {} when the page has no such table."""
    return {row[0]: int(row[1].replace(",", "")) for row in tables_of(response).get(table, [])}


def csv_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(text(response).lstrip("\ufeff"))))


def csv_counts(rows: list[dict[str, str]], column: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        for name in row[column].split("; "):
            counts[name] = counts.get(name, 0) + 1
    return counts


@pytest.fixture
def company(ctx, make_person, make_story, as_role):
    """Five frictions in the range, and five stories that must not count."""
    courtesy, ownership, curiosity = db.session.scalars(select(Value).order_by(Value.position)).all()[:3]
    people = {
        "sam": make_person(name="Sam Support", department="Support", location="Leeds"),
        "sue": make_person(name="Sue Support", department="Support", location="York"),
        "wes": make_person(name="Wes Warehouse", department="Warehouse", location="Leeds"),
        "wyn": make_person(name="Wyn Warehouse", department="Warehouse", location="York"),
    }

    def friction(title, nominees, values, published_at, rule=REFUND, status=StoryStatus.PUBLISHED):
        return make_story(title=title, nominees=[people[name] for name in nominees], values=values,
                          published_at=published_at, rule_in_the_way=rule, status=status)

    stories = {
        "s1": friction("Refund at the till", ["sam"], [courtesy], datetime(2025, 1, 15, 12)),
        "s2": friction("Two teams, one refund", ["sam", "wes"], [courtesy, ownership], datetime(2025, 2, 10, 9)),
        # 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time): April.
        "s3": friction("Late-night loading", ["wes", "wyn"], [ownership], datetime(2025, 3, 31, 23, 30)),
        "s4": friction("The forklift form", ["wyn"], [curiosity], datetime(2025, 5, 5, 12), rule="The forklift form."),
        # 22:30 UTC on 30 June is still 30 June in London: in the range.
        "s5": friction("Last of June", ["sue"], [courtesy], datetime(2025, 6, 30, 22, 30)),
        # Not counted: before the range, after it (1 July in London), not published, no rule, a blank rule.
        "early": friction("Too early", ["sam"], [courtesy], datetime(2024, 12, 31, 12)),
        "late": friction("Too late", ["sam"], [courtesy], datetime(2025, 6, 30, 23, 30)),
        "waiting": friction("Still waiting", ["wes"], [ownership], None, status=StoryStatus.SUBMITTED),
        "none": friction("No rule", ["wes"], [ownership], datetime(2025, 2, 1, 12), rule=None),
        "blank": friction("Blank rule", ["wes"], [ownership], datetime(2025, 2, 2, 12)),
    }
    stories["blank"].rule_in_the_way = "   "  # the form strips; an import might not
    db.session.commit()
    as_role("curator")
    return {"people": people, "stories": stories, "values": (courtesy, ownership, curiosity)}


def test_the_report_counts_by_department_value_and_month(client, company):
    courtesy, ownership, curiosity = (value.name for value in company["values"])
    response = client.get(f"/insights/friction?{RANGE}")
    assert response.status_code == 200
    # s1, s2 and s5 are about Support; s2, s3 and s4 about Warehouse (s2 counts for both).
    assert counts_in(response, "by-department") == {"Support": 3, "Warehouse": 3}
    assert counts_in(response, "by-value") == {courtesy: 3, ownership: 2, curiosity: 1}
    assert counts_in(response, "trend") == {
        "January 2025": 1, "February 2025": 1, "March 2025": 0, "April 2025": 1, "May 2025": 1, "June 2025": 1,
    }
    page = text(response)
    assert "Stories with a rule in the way</dt><dd>5</dd>" in page
    for name in ("s1", "s2", "s3", "s4", "s5"):
        assert f'href="/stories/{company["stories"][name].id}"' in page
    for name in ("early", "late", "waiting", "none", "blank"):
        assert f'id="friction-{company["stories"][name].id}"' not in page


def test_the_csv_has_one_row_per_friction_and_the_same_counts(client, company):
    courtesy, ownership, curiosity = (value.name for value in company["values"])
    stories = company["stories"]
    rows = csv_of(client.get(f"/insights/friction.csv?{RANGE}"))
    assert [int(row["Story"]) for row in rows] == [stories[name].id for name in ("s1", "s2", "s3", "s4", "s5")]
    assert csv_counts(rows, "Departments") == {"Support": 3, "Warehouse": 3}
    assert csv_counts(rows, "Values") == {courtesy: 3, ownership: 2, curiosity: 1}
    second = rows[1]
    assert second["Title"] == "Two teams, one refund"
    assert second["Link"] == f"https://storyboard.example.com/stories/{stories['s2'].id}"
    assert second["Departments"] == "Support; Warehouse"
    assert second["Values"] == f"{courtesy}; {ownership}"
    assert second["Rule or process in the way"] == REFUND
    assert (second["Item"], second["Status"], second["Owner"]) == ("", "", "")
    assert [row["Published"] for row in rows] == ["2025-01-15", "2025-02-10", "2025-04-01", "2025-05-05", "2025-06-30"]


def test_the_csv_names_the_item_its_status_and_owner(client, company, make_person):
    owner = make_person(name="Olive Owner")
    item = FrictionItem(title="The refund rule", status="being_changed", owner_id=owner.id, note="")
    db.session.add(item)
    db.session.flush()
    db.session.add(FrictionLink(story_id=company["stories"]["s1"].id, item_id=item.id))
    db.session.commit()
    first = csv_of(client.get(f"/insights/friction.csv?{RANGE}"))[0]
    assert (first["Item"], first["Status"], first["Owner"]) == ("The refund rule", "Being changed", "Olive Owner")


@pytest.mark.parametrize(("query", "expected", "by_department"), [
    # A department: stories with a nominee there; their other departments still show.
    ("department=Warehouse", ["s2", "s3", "s4"], {"Warehouse": 3, "Support": 1}),
    ("location=York", ["s3", "s4", "s5"], {"Warehouse": 2, "Support": 1}),
    # Both: one nominee in that department AND that location (Sam, on s1 and s2).
    ("department=Support&location=Leeds", ["s1", "s2"], {"Support": 2, "Warehouse": 1}),
    ("department=Nowhere", [], {}),
])
def test_filters_narrow_the_page_and_the_csv_alike(client, company, query, expected, by_department):
    stories = company["stories"]
    page = client.get(f"/insights/friction?{RANGE}&{query}")
    assert page.status_code == 200
    assert counts_in(page, "by-department") == by_department
    assert f"Stories with a rule in the way</dt><dd>{len(expected)}</dd>" in text(page)
    rows = csv_of(client.get(f"/insights/friction.csv?{RANGE}&{query}"))
    assert [int(row["Story"]) for row in rows] == [stories[name].id for name in expected]
    assert csv_counts(rows, "Departments") == by_department


def test_a_date_range_counts_company_days(client, company):
    april = client.get("/insights/friction?start=2025-04-01&end=2025-04-30")
    assert counts_in(april, "trend") == {"April 2025": 1}
    assert [int(row["Story"]) for row in csv_of(client.get("/insights/friction.csv?start=2025-04-01&end=2025-04-30"))] \
        == [company["stories"]["s3"].id]


def test_a_range_over_two_years_is_counted_by_quarter(client, company):
    response = client.get("/insights/friction?start=2023-01-01&end=2025-06-30")
    trend = counts_in(response, "trend")
    assert len(trend) == 10
    # Q4 2024: "early" (31 Dec 2024); Q1 2025: s1, s2; Q2 2025: s3 (1 April), s4, s5.
    assert (trend["Q4 2024"], trend["Q1 2025"], trend["Q2 2025"]) == (1, 2, 3)


def test_unreadable_filters_answer_400_and_show_why(client, company):
    response = client.get("/insights/friction?start=yesterday")
    assert response.status_code == 400
    assert "is not a date" in text(response)
    assert client.get("/insights/friction.csv?start=2025-07-01&end=2025-01-01").status_code == 400


def test_unfiled_frictions_are_listed_apart(client, company):
    stories = company["stories"]
    item = FrictionItem(title="The refund rule", status="open", note="")
    db.session.add(item)
    db.session.flush()
    db.session.add(FrictionLink(story_id=stories["s1"].id, item_id=item.id))
    db.session.commit()
    unfiled = text(client.get(f"/insights/friction?{RANGE}&show=unfiled"))
    assert f'id="friction-{stories["s1"].id}"' not in unfiled
    assert all(f'id="friction-{stories[name].id}"' in unfiled for name in ("s2", "s3", "s4", "s5"))
    assert "Not filed yet (4)" in unfiled
    filed = text(client.get(f"/insights/friction?{RANGE}&show=filed"))
    assert f'id="friction-{stories["s1"].id}"' in filed and "Filed under an item (1)" in filed
    items = tables_of(client.get(f"/insights/friction?{RANGE}"))["items"]
    assert items[0][:5] == ["The refund rule", "Open", "nobody yet", "1", "1"]


# Query counts: the report reads the same few statements however many frictions there are.


def grow(make_person, make_story) -> None:
    """Sixty more frictions about many more people, and items holding half of them."""
    values = db.session.scalars(select(Value).order_by(Value.position)).all()
    crowd = [make_person(department=f"Team {n % 5}", location=f"Town {n % 3}") for n in range(12)]
    owner = make_person()
    items = [FrictionItem(title=f"Rule {n}", status="open", note="A note.", owner_id=owner.id) for n in range(8)]
    db.session.add_all(items)
    db.session.flush()
    for n in range(60):
        story = make_story(title=f"Friction {n}", nominees=crowd[n % 6: n % 6 + 4], values=values[: 1 + n % 3],
                           published_at=datetime(2025, 1 + n % 6, 1 + n % 27, 12), rule_in_the_way=f"Rule {n}")
        if n % 2:
            db.session.execute(insert(FrictionLink), [{"story_id": story.id, "item_id": items[n % 8].id}])
    db.session.commit()


@pytest.mark.parametrize("path", [
    f"/insights/friction?{RANGE}",
    f"/insights/friction?{RANGE}&show=unfiled",
    f"/insights/friction?{RANGE}&department=Warehouse",
    f"/insights/friction.csv?{RANGE}",
])
def test_the_report_makes_the_same_queries_however_many_frictions(client, company, make_person, make_story, path):
    item = FrictionItem(title="The refund rule", status="open", note="", owner_id=company["people"]["sam"].id)
    db.session.add(item)
    db.session.flush()
    db.session.add(FrictionLink(story_id=company["stories"]["s1"].id, item_id=item.id))
    db.session.commit()
    small = statements_for(client, path)
    grow(make_person, make_story)
    large = statements_for(client, path)
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 16, "\n".join(small)


def test_an_item_page_makes_the_same_queries_however_many_stories(client, company, make_person, make_story):
    item = FrictionItem(title="The refund rule", status="open", note="", owner_id=company["people"]["sam"].id)
    db.session.add(item)
    db.session.flush()
    db.session.add(FrictionLink(story_id=company["stories"]["s1"].id, item_id=item.id))
    db.session.commit()
    item_id = item.id
    small = statements_for(client, f"/insights/friction/items/{item_id}")
    crowd = [make_person() for _ in range(5)]
    for n in range(40):
        story = make_story(nominees=crowd[n % 3:], rule_in_the_way=f"Rule {n}")
        db.session.add(FrictionLink(story_id=story.id, item_id=item_id))
    db.session.commit()
    large = statements_for(client, f"/insights/friction/items/{item_id}")
    assert len(large) == len(small), "\n".join(large)


def test_people_are_counted_by_their_department_today(client, company):
    """Departments are read from people as they are now: a move shows at once."""
    wes = db.session.get(Person, company["people"]["wes"].id)
    wes.department = "Support"
    db.session.commit()
    # s2 (Sam and Wes) is now Support's only; s3 (Wes and Wyn) counts for both; s4 stays Warehouse's.
    assert counts_in(client.get(f"/insights/friction?{RANGE}"), "by-department") == {"Support": 4, "Warehouse": 2}


def test_the_page_shows_the_company_day_a_story_was_published(client, company):
    # s3 went out at 23:30 UTC on 31 March: 1 April in London, as the trend and the CSV count it.
    page = text(client.get(f"/insights/friction?{RANGE}&location=York"))
    assert '<time datetime="2025-04-01">1 Apr 2025</time>' in page
