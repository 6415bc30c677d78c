"""The directory shows each person's manager and their active reports, at the same few queries
however many reports people have; a profile lists all of someone's reports."""
from __future__ import annotations

import re

import pytest

from storyboard.extensions import db
from storyboard.models import Person
from tests.app.test_query_counts import statements_for
from tests.helpers import row, text


def cells(html: str, person: Person) -> tuple[str, str]:
    """The manager and reports cells of a person's directory row, as plain text."""
    found = re.search((r'<td class="manager" data-label="Manager">(.*?)</td>\s*'
                       r'<td class="reports" data-label="Reports">(.*?)</td>'),
                      row(html, f"person-{person.id}"), re.DOTALL)
    assert found, row(html, f"person-{person.id}")
    return tuple(" ".join(re.sub(r"<[^>]+>", "", part).split()) for part in found.groups())


@pytest.fixture
def office(ctx, make_person):
    boss = make_person(name="Amy Boss", department="Support")
    return {
        "boss": boss,
        "cat": make_person(name="Cat Cole", manager=boss),
        "ann": make_person(name="Ann Archer", manager=boss),
        "gone": make_person(name="Gus Gone", manager=boss, active=False),
        "solo": make_person(name="Sol Solo"),
        "left_boss": make_person(name="Lee Left", active=False),
    }


def test_each_person_s_manager_and_active_reports(client, as_role, office, make_person):
    orphan = make_person(name="Ola Orphan", manager=office["left_boss"])
    as_role("staff", name="Zed Viewer")
    html = text(client.get("/people/"))
    assert cells(html, office["boss"]) == ("", "2: Ann Archer, Cat Cole")  # Gus has left
    assert cells(html, office["ann"]) == ("Amy Boss", "")
    assert cells(html, office["solo"]) == ("", "")
    assert cells(html, orphan) == ("Lee Left (has left)", "")
    assert f'href="/people/{office["boss"].id}"' in row(html, f"person-{office['ann'].id}")


def test_a_big_team_names_five_and_links_to_the_rest(client, as_role, office, make_person):
    for n in range(6):
        make_person(name=f"Team {n}", manager=office["boss"])
    as_role("staff", name="Zed Viewer")
    html = text(client.get("/people/"))
    assert cells(html, office["boss"]) == ("", "8: Ann Archer, Cat Cole, Team 0, Team 1, Team 2 and 3 more")
    profile = text(client.get(f"/people/{office['boss'].id}"))
    listed = re.findall(r'<li><a href="/people/\d+">([^<]+)</a>', profile.split('id="reports-heading"')[1])
    assert listed == ["Ann Archer", "Cat Cole"] + [f"Team {n}" for n in range(6)]


def test_the_directory_costs_the_same_however_many_reports(client, as_role, office, make_person):
    as_role("staff", name="Zed Viewer")
    small = statements_for(client, "/people/")
    bosses = [make_person(name=f"Boss {n}").id for n in range(5)]
    for n in range(40):
        make_person(name=f"Report {n:02d}", manager=db.session.get(Person, bosses[n % 5]))
    large = statements_for(client, "/people/")
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 5, "\n".join(small)
