"""The authorization matrix: every (endpoint, method) in `app.url_map`, as each persona, about
objects someone else owns, answers as tests/security/routes.py says.

Each cell (route, variant, persona) gets fresh objects and a fresh owner, a client signed in
as the persona, and a request with no form fields. Besides the answer, every cell checks what
the request wrote: a refused request (sign-in redirect, 4xx) writes nothing at all, and a GET
writes nothing except a reader's first read of a published story. That is the "no GET writes
anything" check, made for every route, persona and story status here rather than in a second
pass (tests/security/test_csrf_matrix.py covers the POSTs with CSRF on).

To add a route, give it an entry in `ROUTES` (see the docstring of tests/security/routes.py).
"""
from __future__ import annotations

import pytest

from storyboard.extensions import limiter
from tests.security.routes import LOGIN, ROUTES, outcome_of, url_map_routes
from tests.security.scene import PERSONAS, Scene, fill
from tests.security.server_errors import ServerErrors, described, where
from tests.security.state import snapshot


def test_every_route_has_an_entry(app):
    routes = url_map_routes(app)
    missing = sorted(set(routes) - set(ROUTES))
    assert not missing, (
        "routes with no entry in tests/security/routes.py ROUTES (say who may use them): "
        + ", ".join(f"{method} {routes[key]} ({key[0]})" for key in missing for method in [key[1]])
    )
    stale = sorted(set(ROUTES) - set(routes))
    assert not stale, f"entries in ROUTES for routes the app no longer has: {stale}"


def test_the_table_is_whole():
    for (endpoint, method), route in ROUTES.items():
        assert len(route.expect) == len(PERSONAS), f"{endpoint} {method}: one outcome per persona"
        if method == "POST":
            assert route.example is not None, f"{endpoint} POST: give an example that succeeds"


@pytest.fixture
def scene(app, make_person, make_story):
    with app.app_context():
        return Scene(app, make_person, make_story)


def run_cell(app, scene: Scene, route, rule: str, method: str, variant: str, persona: str) -> dict:
    """One request as `persona` about fresh objects; what came back and what it wrote."""
    with app.app_context():
        limiter.reset()  # the sign-in and reset-link limits count every persona as one address
        objects = scene.build(route.kind, variant)
        client = scene.client_for(persona, objects)
        path = fill(rule, objects)
        person = scene.person(persona, objects)
        reader = (objects.story.id, person.id) if objects.story and person else None
        before = snapshot()
    query = {name: value for name, value in route.query.items() if value is not None}
    with ServerErrors(app) as errors, client.open(path, method=method, query_string=query) as response:
        got = outcome_of(response, path)
        shown = described(got, response.get_data().decode("utf-8", "replace"))  # a photo is bytes
    with app.app_context():
        after = snapshot()
    shown += "".join(f" [{where(exception)}]" for exception in errors.exceptions)
    return {"path": path, "got": got, "shown": shown, "before": before, "after": after, "reader": reader}


@pytest.mark.parametrize("endpoint, method", sorted(ROUTES), ids=lambda value: str(value))
def test_route(app, scene, endpoint, method):
    rules = url_map_routes(app)
    assert (endpoint, method) in rules, f"{endpoint} {method} is in ROUTES but not in the app"
    route = ROUTES[(endpoint, method)]
    problems = []
    for variant in route.variants:
        for index, persona in enumerate(PERSONAS):
            expected = route.outcome(index, variant)
            cell = run_cell(app, scene, route, rules[(endpoint, method)], method, variant, persona)
            place = f"{method} {cell['path']}{f' [{variant}]' if variant else ''} as {persona}"
            if cell["got"] != expected:
                problems.append(f"{place}: expected {expected}, got {cell['shown']}")
            before, after = cell["before"], cell["after"]
            if method == "GET" and cell["reader"] and endpoint == "stories.show":
                after = after.without_first_read(*cell["reader"])
            refused = cell["got"] == LOGIN or (isinstance(cell["got"], int) and cell["got"] >= 400)
            changed = after.tables != before.tables or after.mail != before.mail
            if changed and (method == "GET" or refused):
                what = "a GET" if method == "GET" else f"a refused request ({cell['got']})"
                problems.append(f"{place}: {what} wrote to the database: " + "; ".join(before.diff(after)[:6]))
    assert not problems, f"{len(problems)} cells differ from ROUTES:\n" + "\n".join(problems)
