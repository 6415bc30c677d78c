"""The staff directory's search: name, email or job title, typed characters taken literally."""
from __future__ import annotations

import re

import pytest

from tests.helpers import text


def listed(response) -> list[str]:
    name_cell = r'<td class="stack-title"><span class="person-line">.*?<a href="/people/\d+">([^<]+)</a></span></td>'
    return re.findall(name_cell, text(response))


@pytest.fixture
def colleagues(ctx, make_person):
    make_person(name="Ann Archer", email="ann@example.com", job_title="Picker", department="Warehouse")
    make_person(name="Bob Baker", email="bob@sales.example.com", job_title="100% Closer", department="Sales")
    make_person(name="Cat Cole", email="cat@example.com", job_title="Driver", department="Warehouse")
    make_person(name="Dee Gone", email="dee@example.com", job_title="Picker", active=False)


@pytest.mark.parametrize("query, names", [
    ({"q": "ann"}, ["Ann Archer"]),  # by name, whatever the case
    ({"q": "SALES.example"}, ["Bob Baker"]),  # by email
    ({"q": "picker"}, ["Ann Archer"]),  # by job title; deactivated people are not listed
    ({"q": "100%"}, ["Bob Baker"]),  # % is a character, not "anything"
    ({"q": "%"}, ["Bob Baker"]),
    ({"q": "_"}, []),  # nor is _ "any one character"
    ({"q": "r", "department": "Warehouse"}, ["Ann Archer", "Cat Cole"]),
])
def test_the_directory_finds_people_by_name_email_or_job_title(client, colleagues, as_role, query, names):
    as_role("staff", name="Zed Viewer", job_title="Analyst", department="Finance")
    response = client.get("/people/", query_string=query)
    assert response.status_code == 200
    assert listed(response) == names
