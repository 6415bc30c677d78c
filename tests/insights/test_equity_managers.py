"""Recognition equity per manager: curators see every manager's reports, a manager who is not
a curator sees only their own active reports, and staff without reports get 403."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.helpers import row, text
from tests.insights.equity_builders import LONG_AGO, days_ago, listed, listed_rows, markup_problems

EQUITY_PATHS = [
    "/insights/equity",
    "/insights/equity?show=newcomers",
    "/insights/equity?show=departments",
    "/insights/equity?show=managers",
    "/insights/equity?within=180",
]


@pytest.fixture
def teams(ctx, make_person, make_story):
    def person(name, **fields):
        return make_person(name=name, **({"start_date": LONG_AGO} | fields))

    curator = person("Zoe Curator", role="curator")
    amy = person("Amy Manager")  # staff, with reports
    ben = person("Ben Manager")
    t = SimpleNamespace(
        curator=curator, amy=amy, ben=ben,
        a1=person("Ann Unsung", manager=amy, department="Warehouse"),
        a2=person("Art Praised", manager=amy),
        a3=person("Ava Gone", manager=amy, active=False),
        a4=person("Abe New", manager=amy, start_date=None),
        b1=person("Bea Unsung", manager=ben),
        staff=person("Sam Staff"),
        cy=person("Cy Former Manager"),
    )
    person("Cal Left", manager=t.cy, active=False)  # Cy's only report has left
    # Everyone outside the two teams has a recent story, so the lists hold only what we test.
    for somebody in (curator, amy, ben, t.staff, t.cy):
        make_story(nominator=t.a2, nominees=[somebody], published_at=days_ago(3))
    make_story(nominator=curator, nominees=[t.a2], published_at=days_ago(12))
    return t


def test_a_manager_sees_only_their_own_reports(client, login, teams):
    login(teams.amy)
    page = client.get("/insights/equity")
    assert page.status_code == 200
    assert listed(page) == ["Ann Unsung"]  # not Art (a story), Ava (left) nor Ben's Bea
    assert listed(client.get("/insights/equity?show=newcomers")) == ["Abe New"]
    assert listed(client.get(f"/insights/equity?manager={teams.amy.id}")) == ["Ann Unsung"]
    assert "Bea Unsung" not in text(page)
    # No company-wide lists and no other manager's team.
    assert "show=departments" not in text(page) and "show=managers" not in text(page)
    for path in ("/insights/equity?show=departments", "/insights/equity?show=managers",
                 f"/insights/equity?manager={teams.ben.id}"):
        assert client.get(path).status_code == 403, path
    junk = client.get("/insights/equity?manager=abc")
    assert junk.status_code == 400 and "That is not a manager" in text(junk) and listed(junk) == ["Ann Unsung"]


def test_a_manager_s_page_markup_holds_together(client, login, teams):
    login(teams.amy)
    for path in ("/insights/equity", "/insights/equity?show=newcomers"):
        assert markup_problems(text(client.get(path))) == {
            "repeated ids": [], "missing targets": [], "tables without a caption": []}


def test_manager_b_sees_b_s_reports_not_a_s(client, login, teams):
    login(teams.ben)
    assert listed(client.get("/insights/equity")) == ["Bea Unsung"]
    assert listed(client.get("/insights/equity?show=newcomers")) == []


@pytest.mark.parametrize("who", ["staff", "cy"])
@pytest.mark.parametrize("path", EQUITY_PATHS)
def test_staff_without_active_reports_get_403(client, login, teams, who, path):
    login(getattr(teams, who))
    assert client.get(path).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, teams):
    response = client.get("/insights/equity")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_curators_see_everyone_and_each_manager_s_reports(client, login, teams):
    login(teams.curator)
    assert listed(client.get("/insights/equity")) == ["Ann Unsung", "Bea Unsung"]
    assert listed(client.get(f"/insights/equity?manager={teams.amy.id}")) == ["Ann Unsung"]
    assert listed(client.get(f"/insights/equity?manager={teams.ben.id}")) == ["Bea Unsung"]
    managers = client.get("/insights/equity?show=managers")
    # Amy: Ann, Art and Abe active (Ava left); Ann unrecognised, Abe new. Ben: Bea, unrecognised.
    assert listed_rows(managers, "manager") == ["Amy Manager", "Ben Manager"]
    assert [cell.strip() for cell in row(text(managers), f"manager-{teams.amy.id}").split("<td>")[1:]] == \
        ["3</td>", "1</td>", "1</td>"]
    assert [cell.strip() for cell in row(text(managers), f"manager-{teams.ben.id}").split("<td>")[1:]] == \
        ["1</td>", "1</td>", "0</td>"]
    # Everyone's list names each person's manager.
    assert "Amy Manager" in row(text(client.get("/insights/equity")), f"person-{teams.a1.id}")


def test_managers_find_the_page_from_preferences_and_their_profile(client, login, teams):
    login(teams.amy)
    assert 'href="/insights/equity"' in text(client.get("/preferences"))
    assert 'href="/insights/equity"' in text(client.get(f"/people/{teams.amy.id}"))
    login(teams.staff)
    assert 'href="/insights/equity"' not in text(client.get("/preferences"))
    assert 'href="/insights/equity"' not in text(client.get(f"/people/{teams.staff.id}"))
