"""The equity page makes the same few queries however big the company grows."""
from __future__ import annotations

from datetime import timedelta

import pytest

from storyboard.extensions import db
from storyboard.models import Person
from tests.app.test_query_counts import statements_for
from tests.helpers import sign_in_on
from tests.insights.equity_builders import LONG_AGO, days_ago, today

MAX_QUERIES = 8  # sign-in, settings, departments, locations, managers, figures, the list (+1)
PATHS = [
    "/insights/equity",
    "/insights/equity?show=newcomers",
    "/insights/equity?show=departments&within=180",
    "/insights/equity?show=managers",
    "/insights/equity?department=Support&location=Leeds",
]


def build(make_person, make_story, size: int, manager_ids: list[int]) -> None:
    """`size` people per department in three departments and two locations, with managers,
    newcomers, leavers and stories old and new. Managers come as ids: each counted request
    starts with an empty session."""
    managers = [db.session.get(Person, manager_id) for manager_id in manager_ids]
    for n in range(size):
        for department in ("Support", "Warehouse", "Finance"):
            boss = managers[n % len(managers)]
            person = make_person(department=department, location=("Leeds", "York")[n % 2],
                                 manager=boss, start_date=LONG_AGO if n % 4 else today() - timedelta(days=10))
            if n % 3 == 0:
                make_story(nominator=boss, nominees=[person], published_at=days_ago(30 + 50 * (n % 5)))
            if n % 7 == 0:
                make_person(department=department, manager=boss, active=False)


@pytest.fixture
def company(ctx, make_person, make_story):
    curator = make_person(role="curator", start_date=LONG_AGO)
    manager = make_person(name="Amy Manager", start_date=LONG_AGO)
    other = make_person(name="Ben Manager", start_date=LONG_AGO)
    build(make_person, make_story, 2, [manager.id, other.id])
    return curator.id, manager.id, [manager.id, other.id]


@pytest.mark.parametrize("path", PATHS)
def test_a_curator_s_page_costs_the_same_however_big_the_company(client, company, make_person, make_story, path):
    curator, _, managers = company
    sign_in_on(client, db.session.get(Person, curator))
    small = statements_for(client, path)
    more_managers = managers + [make_person(start_date=LONG_AGO).id for _ in range(4)]
    build(make_person, make_story, 20, more_managers)
    large = statements_for(client, path)
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= MAX_QUERIES, "\n".join(small)


@pytest.mark.parametrize("path", ["/insights/equity", "/insights/equity?show=newcomers"])
def test_a_manager_s_page_costs_the_same_however_big_their_team(client, company, make_person, make_story, path):
    _, manager, _ = company
    sign_in_on(client, db.session.get(Person, manager))
    small = statements_for(client, path)
    build(make_person, make_story, 20, [manager])
    large = statements_for(client, path)
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= MAX_QUERIES, "\n".join(small)
