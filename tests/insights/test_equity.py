"""Recognition equity for curators: who and which departments have had no published story in
90 and 180 days, newcomers apart, leavers never; filters, bad input and long lists."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert

from storyboard.extensions import db
from storyboard.models import Person, StoryStatus
from tests.helpers import row, text
from tests.insights.equity_builders import (
    LONG_AGO,
    days_ago,
    figures,
    listed,
    listed_rows,
    markup_problems,
    shown_day,
    start_of_day_ago,
    today,
)


@pytest.fixture
def hr(ctx, make_person, make_story, login):
    """A curator (signed in) and a writer in HR, each with a story last week: recognised."""
    curator = make_person(name="Zoe Curator", role="curator", department="HR", location="London",
                          start_date=LONG_AGO)
    writer = make_person(name="Yan Writer", department="HR", location="London", start_date=LONG_AGO)
    make_story(nominator=writer, nominees=[curator], published_at=days_ago(7))
    make_story(nominator=curator, nominees=[writer], published_at=days_ago(7))
    login(curator)
    return SimpleNamespace(curator=curator, writer=writer)


@pytest.fixture
def company(hr, make_person, make_story):
    def person(name, **fields):
        return make_person(name=name, **({"start_date": LONG_AGO, "department": "Support",
                                            "location": "Leeds"} | fields))

    people = SimpleNamespace(
        ann=person("Ann Never", department="Warehouse"),
        bob=person("Bob Recent"),
        cat=person("Cat Lapsed", department="Warehouse", location="York"),
        dan=person("Dan Drafted"),
        dee=person("Dee Leaver", active=False, department="Closed"),
        eve=person("Eve Newcomer", start_date=today() - timedelta(days=20)),
        fay=person("Fay Unknown", start_date=None, created_at=days_ago(300), department="Finance"),
        gus=person("Gus Joined", start_date=None),
        hal=person("Hal Quick", start_date=today() - timedelta(days=30)),
    )
    writer = hr.writer
    make_story(nominator=writer, nominees=[people.bob], published_at=days_ago(10))
    make_story(nominator=writer, nominees=[people.cat], published_at=days_ago(120))
    make_story(nominator=writer, nominees=[people.dan], status=StoryStatus.SUBMITTED)
    make_story(nominator=writer, nominees=[people.dan], status=StoryStatus.REJECTED)
    make_story(nominator=writer, nominees=[people.hal], published_at=days_ago(5))
    return people


def test_people_with_no_story_appear_those_with_one_do_not_and_leavers_never(client, company):
    recent = client.get("/insights/equity")
    assert recent.status_code == 200
    # Never recognised first (by name), then the longest unrecognised; a story that is only
    # submitted or rejected does not count.
    assert listed(recent) == ["Ann Never", "Dan Drafted", "Fay Unknown", "Cat Lapsed"]
    assert listed(client.get("/insights/equity?within=180")) == ["Ann Never", "Dan Drafted", "Fay Unknown"]
    cat = row(text(recent), f"person-{company.cat.id}")
    assert shown_day(today() - timedelta(days=120)) in cat
    assert "never" in row(text(recent), f"person-{company.ann.id}")
    assert f'href="/nominate?nominee={company.ann.id}"' in row(text(recent), f"person-{company.ann.id}")
    assert "Dee Leaver" not in text(recent) and "Dee Leaver" not in text(client.get("/insights/equity?show=newcomers"))


def test_newcomers_are_listed_apart(client, company):
    page = client.get("/insights/equity?show=newcomers")
    assert listed(page) == ["Eve Newcomer", "Gus Joined"]  # Hal, new too, has a story already
    assert shown_day(today() - timedelta(days=20)) in row(text(page), f"person-{company.eve.id}")
    assert "Eve Newcomer" not in listed(client.get("/insights/equity"))


def test_the_figures_at_the_top(client, company):
    # Here 90 days or more: Zoe, Yan, Ann, Bob, Cat, Dan, Fay. Newcomers: Eve, Gus, Hal.
    assert figures(client.get("/insights/equity")) == {
        "No story in the last 90 days": (4, 7),
        "No story in the last 180 days": (3, 7),
        "Newcomers with no story yet": (2, 3),
    }
    assert figures(client.get("/insights/equity?department=Warehouse")) == {
        "No story in the last 90 days": (2, 2),
        "No story in the last 180 days": (1, 2),
        "Newcomers with no story yet": (0, 0),
    }


def test_the_windows_are_whole_company_days(client, hr, make_person, make_story):
    def person(name, **fields):
        return make_person(name=name, **({"start_date": LONG_AGO} | fields))

    edge = person("Edge Inside")
    outside = person("Edge Outside")
    make_story(nominator=hr.writer, nominees=[edge], published_at=start_of_day_ago(89))
    make_story(nominator=hr.writer, nominees=[outside], published_at=start_of_day_ago(89) - timedelta(seconds=1))
    person("Started Ninety Days Ago", start_date=today() - timedelta(days=90))
    person("Started Eighty-Nine Days Ago", start_date=today() - timedelta(days=89))
    assert listed(client.get("/insights/equity")) == ["Started Ninety Days Ago", "Edge Outside"]
    assert listed(client.get("/insights/equity?show=newcomers")) == ["Started Eighty-Nine Days Ago"]


def test_departments_with_no_story(client, company):
    # Warehouse's last story (Cat's) is 120 days old; Finance never had one; Support and HR
    # had one this month; Closed has only a leaver.
    recent = client.get("/insights/equity?show=departments")
    assert listed_rows(recent, "department") == ["Finance", "Warehouse"]
    assert shown_day(today() - timedelta(days=120)) in text(recent)
    assert listed_rows(client.get("/insights/equity?show=departments&within=180"), "department") == ["Finance"]
    # In York, Warehouse is Cat alone; in Leeds it is Ann, who never had a story.
    york = client.get("/insights/equity?show=departments&location=York")
    assert listed_rows(york, "department") == ["Warehouse"]
    leeds = client.get("/insights/equity?show=departments&location=Leeds&within=180")
    assert listed_rows(leeds, "department") == ["Finance", "Warehouse"]
    assert "never" in row(text(leeds), "department-2")


@pytest.mark.parametrize("query, names", [
    ("department=Warehouse", ["Ann Never", "Cat Lapsed"]),
    ("location=York", ["Cat Lapsed"]),
    ("department=Support&location=Leeds", ["Dan Drafted"]),
    ("department=Nowhere", []),
])
def test_department_and_location_filters(client, company, query, names):
    response = client.get(f"/insights/equity?{query}")
    assert response.status_code == 200
    assert listed(response) == names


@pytest.mark.parametrize("query, message", [
    ("within=45", "Choose 90 or 180 days"),
    ("show=everything", "There is no such list here"),
    ("manager=abc", "Nobody with active reports has that id"),
    ("manager=99999", "Nobody with active reports has that id"),
    ("start=yesterday", "is not a date"),
    (f"department={'x' * 121}", "No department has a name that long"),
])
def test_bad_choices_are_a_400_that_still_shows_the_list(client, company, query, message):
    response = client.get(f"/insights/equity?{query}")
    assert response.status_code == 400
    assert message in text(response)
    assert "Ann Never" in listed(response) or query.startswith("department")


def test_a_junk_page_number_is_the_first_page(client, company):
    assert listed(client.get("/insights/equity?page=junk")) == listed(client.get("/insights/equity"))


def test_two_thousand_people_come_fifty_at_a_time(client, hr):
    db.session.execute(insert(Person), [
        {"email": f"crowd{n}@example.com", "name": f"Crowd {n:04d}", "department": "Support",
         "location": "Leeds", "start_date": LONG_AGO}
        for n in range(2000)
    ])
    db.session.commit()
    first = client.get("/insights/equity")
    assert listed(first) == [f"Crowd {n:04d}" for n in range(50)]
    assert figures(first)["No story in the last 90 days"] == (2000, 2002)
    assert "2,000" in text(first) and 'rel="next" href="/insights/equity?page=2&amp;show=people"' in text(first)
    last = client.get("/insights/equity?page=40")
    assert listed(last) == [f"Crowd {n:04d}" for n in range(1950, 2000)]
    assert 'rel="next"' not in text(last)


@pytest.mark.parametrize("query", ["", "show=newcomers", "show=departments", "show=managers",
                                   "within=180&department=Warehouse", "within=45"])
def test_the_markup_holds_together(client, company, query):
    html = text(client.get(f"/insights/equity?{query}"))
    assert markup_problems(html) == {"repeated ids": [], "missing targets": [], "tables without a caption": []}
