"""The CSRF matrix: with protection on, as in production, every state-changing route in
`app.url_map` refuses a request with no token, a made-up token or another session's token with
400, whoever sends it, and nothing in the database (every row of every table) or the outbox
changes. The same request with the page's own token then succeeds, which shows that the data
sent would have changed something and that the token alone stopped it.

The documented exceptions are RFC 8058 one-click unsubscribe (`List-Unsubscribe=One-Click` posted
by a mail provider, with no cookie and no token), tested at the end, and the integrations'
routes listed in `CSRF_EXEMPT` (tests/security/routes.py): each is authenticated by what a
browser never sends on its own (a bearer token, Slack's signature), so for them the matrix
checks that a signed-in session, with or without a CSRF token, gets nowhere and changes nothing. GETs are checked for
writes in tests/security/test_authorization_matrix.py, for every persona and story status.

A new POST route needs an `example` in tests/security/routes.py (the matrix fails without it).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storyboard.extensions import csrf, db, limiter
from storyboard.models import Person
from tests.security.routes import CSRF_EXEMPT, ROUTES, outcome_of, url_map_routes
from tests.security.scene import PERSONAS, Scene, fill
from tests.security.server_errors import ServerErrors, described, where
from tests.security.state import snapshot

CSRF_MESSAGE = "Your form expired or was sent from elsewhere. Reload the page and try again."
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
_TOKEN_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')


@pytest.fixture
def scene(csrf_app, make_person, make_story):
    with csrf_app.app_context():
        return Scene(csrf_app, make_person, make_story)


def page_token(client) -> str:
    """The CSRF token a page gives this client's session (the forgot-password form is public)."""
    html = client.get("/auth/forgot").get_data(as_text=True)
    field = _TOKEN_INPUT.search(html)
    assert field, "no csrf_token field on /auth/forgot"
    return re.search(r'\bvalue="([^"]+)"', field.group(0)).group(1)


def state_changing_routes(app) -> list[tuple[str, str]]:
    return sorted(key for key in url_map_routes(app) if key[1] in STATE_CHANGING)


def test_every_state_changing_route_is_in_the_table(app):
    missing = [key for key in state_changing_routes(app) if key not in ROUTES or not ROUTES[key].example]
    assert not missing, f"give these an entry with an example in tests/security/routes.py: {missing}"


def exempted_by_the_app(app) -> set[tuple[str, str]]:
    """The state-changing routes Flask-WTF skips: exempt views and exempt blueprints."""
    found = set()
    for endpoint, method in state_changing_routes(app):
        view = app.view_functions[endpoint]
        blueprint = app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views or blueprint in csrf._exempt_blueprints:
            found.add((endpoint, method))
    return found


# The one page route that checks its token itself (one-click unsubscribe, tested below).
CHECKS_ITS_OWN_TOKEN = {("digest.unsubscribe", "POST")}


def test_exactly_the_listed_routes_are_exempt(app):
    exempt = exempted_by_the_app(app) - CHECKS_ITS_OWN_TOKEN
    assert exempt == set(CSRF_EXEMPT), (
        f"exempt but not listed: {sorted(exempt - set(CSRF_EXEMPT))}; "
        f"listed but protected: {sorted(set(CSRF_EXEMPT) - exempt)}"
    )


def send(client, path: str, method: str, data: dict, example, objects, scene, headers: dict | None = None):
    """The example's request: its form fields, or its JSON body and headers (integrations)."""
    extra = {"headers": headers} if headers is not None else {}
    if example.json is not None:
        return client.open(path, method=method, json=example.json(objects, scene), **extra)
    return client.open(path, method=method, data=data, **extra)


@pytest.mark.parametrize("endpoint, method", sorted(CSRF_EXEMPT), ids=str)
def test_an_exempt_route_ignores_the_session(csrf_app, scene, endpoint, method):
    """Sent as each signed-in persona, with the page's CSRF token but without the route's own
    credential, an exempt route refuses (401 or 403) and nothing changes; with the credential
    (the example) it acts."""
    route = ROUTES[(endpoint, method)]
    example = route.example
    rule = url_map_routes(csrf_app)[(endpoint, method)]
    with csrf_app.app_context():
        objects = scene.build(route.kind, example.variant)
        path, data = fill(rule, objects), example.data(objects, scene)
        clients = {persona: scene.client_for(persona, objects) for persona in PERSONAS}
    problems = []
    for persona, client in clients.items():
        with csrf_app.app_context():
            before = snapshot()
        sent = data | {"csrf_token": page_token(client)}
        with send(client, path, method, sent, example, objects, scene, headers={}) as response:
            if response.status_code not in (401, 403):
                problems.append(f"{method} {path} as {persona}, session only: {response.status_code}")
        with csrf_app.app_context():
            if snapshot() != before:
                problems.append(f"{method} {path} as {persona}, session only, changed the database")
    assert not problems, "\n".join(problems)
    with csrf_app.app_context():
        limiter.reset()
        before = snapshot()
        headers = example.headers(objects, scene) if example.headers else {}
    client = csrf_app.test_client(use_cookies=False)
    with ServerErrors(csrf_app) as errors, send(client, path, method, data, example, objects, scene,
                                                headers=headers) as response:
        got, text = outcome_of(response, path), response.get_data(as_text=True)
    assert got == example.outcome, f"the example {method} {path}: {described(got, text)} " + str(
        [where(e) for e in errors.exceptions])
    with csrf_app.app_context():
        if not example.reads_only:
            assert snapshot() != before, f"the example {method} {path} changed nothing: make it one that does"


@pytest.mark.parametrize("endpoint, method", [key for key in sorted(ROUTES)
                                              if key[1] in STATE_CHANGING and key not in CSRF_EXEMPT], ids=str)
def test_a_forged_request_is_refused_and_changes_nothing(csrf_app, scene, endpoint, method):
    route = ROUTES[(endpoint, method)]
    example = route.example
    rule = url_map_routes(csrf_app)[(endpoint, method)]
    with csrf_app.app_context():
        objects = scene.build(route.kind, example.variant)
        path, data = fill(rule, objects), example.data(objects, scene)
        clients = {persona: scene.client_for(persona, objects) for persona in PERSONAS}
    foreign = page_token(csrf_app.test_client())  # signed with our key, for another session
    problems = []
    for persona, client in clients.items():
        with csrf_app.app_context():
            before = snapshot()
        for forgery, token in (("no token", None), ("a made-up token", "forged"), ("another session's token", foreign)):
            sent = data | ({"csrf_token": token} if token else {})
            with client.open(path, method=method, data=sent) as response:
                text = response.get_data(as_text=True)
            if response.status_code != 400 or CSRF_MESSAGE not in text:
                problems.append(f"{method} {path} as {persona} with {forgery}: {described(response.status_code, text)}")
        with csrf_app.app_context():
            after = snapshot()
        if after != before:
            problems.append(f"{method} {path} as {persona}, forged: " + "; ".join(before.diff(after)[:6]))
    assert not problems, "\n".join(problems)

    client = clients[example.persona]
    with csrf_app.app_context():
        limiter.reset()
        before = snapshot()
    sent = data | {"csrf_token": page_token(client)}
    with ServerErrors(csrf_app) as errors, client.open(path, method=method, data=sent) as response:
        got, text = outcome_of(response, path), response.get_data(as_text=True)
    assert got == example.outcome, (
        f"the example {method} {path} as {example.persona} with the page's token: "
        f"{described(got, text)} {[where(e) for e in errors.exceptions]}"
    )
    with csrf_app.app_context():
        if not example.reads_only:
            assert snapshot() != before, f"the example {method} {path} changed nothing: make it one that does"


def test_one_click_unsubscribe_needs_no_token(csrf_app, scene):
    """RFC 8058: the mail provider posts `List-Unsubscribe=One-Click` with no cookie and no token;
    the page's own form (monthly or never) still needs its token."""
    with csrf_app.app_context():
        objects = scene.build("unsubscribe_token")
        path, person_id = fill("/digest/unsubscribe/<token>", objects), objects.owner.id

    def frequency() -> str:
        with csrf_app.app_context():
            return db.session.scalar(select(Person.digest_frequency).where(Person.id == person_id))

    provider = csrf_app.test_client(use_cookies=False)
    refused = provider.post(path, data={"choice": "monthly"})
    assert refused.status_code == 400 and CSRF_MESSAGE in refused.get_data(as_text=True)
    assert frequency() == "weekly"
    assert provider.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert frequency() == "never"
    # Extra fields beside the one-click body choose nothing else.
    response = provider.post(path, data={"List-Unsubscribe": "One-Click", "choice": "monthly"})
    assert response.status_code == 200 and frequency() == "never"
