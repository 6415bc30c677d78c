"""Fuzzing every route with Hypothesis: no input, from anyone, makes a server error (5xx) or
leaves garbage in the database (control characters other than newline and tab, NUL, lone
surrogates, strings longer than their column).

Each (endpoint, method) in tests/security/routes.py gets its own run: first fixed edge cases
(each path parameter and each known field in turn set to ids from 2**31 to 2**64, "²", year 1
and 9999, NUL, a lone surrogate, CR/LF with control characters, 200 to 20,000 characters;
every field as JSON with NUL or a lone surrogate, as file uploads, repeated; a 3.2 MB field),
then drawn ones. A request is drawn per example: a persona (leaning to the one whose request
gets furthest), a variant of the objects in the URL, each path parameter as the scene's object
or hostile text or raw bytes (invalid UTF-8, NUL, lone surrogates, ids at and beyond 2**31,
2**63 and 2**64, negative), and edits of the route's plausible query and form values: replaced
by huge, empty, control-character, date (year 1, 9999, malformed) or id values, removed,
repeated, unknown fields added, sent as urlencoded, multipart (half the fields as file
uploads), JSON (with numbers, lists and objects where text belongs) or raw bytes of any type.

Profiles: `HYPOTHESIS_PROFILE=ci` (the default: a fixed seed per route, a bounded number of
examples, about three minutes per database on two cores) and `HYPOTHESIS_PROFILE=long`
(random seeds, twenty times the examples); `STORYBOARD_FUZZ_EXAMPLES=N` sets the count. The
end of the run prints "N requests, M 5xx" per database and every distinct 5xx with what to
send to repeat it.

To fuzz a new route, give it an entry in tests/security/routes.py; list its query parameters
(`query`) and form fields (`form`, plus its example's data) so that the fuzz edits them.
"""
from __future__ import annotations

import json
import os
import time
import zlib
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, example, given, seed, settings

from storyboard.extensions import db, limiter
from tests.security import fuzz_report
from tests.security.fuzz_inputs import (
    SCENE,
    Fuzzed,
    body_of,
    edge_cases,
    edited,
    fuzzed_requests,
    urlencoded,
)
from tests.security.routes import ROUTES, url_map_routes
from tests.security.scene import PATH_VALUES, PLACEHOLDER, Objects, Scene
from tests.security.server_errors import ServerErrors, where
from tests.security.state import stored_garbage

pytestmark = pytest.mark.slow

# Examples per route and database in CI; STORYBOARD_FUZZ_EXAMPLES overrides it (and the long
# profile's twenty times as many).
EXAMPLES = int(os.environ.get("STORYBOARD_FUZZ_EXAMPLES", 60))
settings.register_profile(
    "storyboard-security-ci", max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
    suppress_health_check=list(HealthCheck), print_blob=False,
)
settings.register_profile(
    "storyboard-security-long", max_examples=EXAMPLES * 20, deadline=None,
    suppress_health_check=list(HealthCheck),
)
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
FUZZ = settings.get_profile("storyboard-security-long" if LONG else "storyboard-security-ci")


def raw_path(rule: str, request: Fuzzed, objects: Objects) -> bytes:
    """The path as bytes: the rule with each parameter filled as drawn, and any suffix."""
    out, last = b"", 0
    for match in PLACEHOLDER.finditer(rule):
        value = request.path[match["name"]]
        filled = str(PATH_VALUES[match["name"]](objects)).encode() if value == SCENE else value
        out += rule[last:match.start()].encode() + filled
        last = match.end()
    return out + rule[last:].encode() + request.suffix


def pairs_of(data: dict) -> list[tuple[str, str]]:
    return [(name, item) for name, value in data.items()
            for item in (value if isinstance(value, list) else [value])]


def short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 20]}...({len(value)} long)"


def described_body(data) -> str:
    """The body as someone would type it again: fields, files marked as such, or the raw bytes."""
    if isinstance(data, (bytes, str)):
        return short(data)
    return "{" + ", ".join(
        f"{name!r}: " + (f"<file {short(value[0].getvalue())}>" if isinstance(value, tuple) else short(value))
        for name, value in data.items(multi=True)
    ) + "}"


class Fuzzer:
    """Sends drawn requests for one route and checks each answer and what it stored."""

    def __init__(self, app, scene: Scene, endpoint: str, method: str):
        self.app, self.scene, self.endpoint, self.method = app, scene, endpoint, method
        self.route, self.rule = ROUTES[(endpoint, method)], url_map_routes(app)[(endpoint, method)]
        self.database = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]
        self.kept: dict[str, dict] = {}  # variant -> the objects' ids; dropped when a request may change them
        self.clients: dict[tuple[str, str], object] = {}  # (persona, variant) -> a signed-in client
        self.changed, self.garbage = False, set()
        with app.app_context():
            objects = self.objects(self.route.example.variant if self.route.example else self.route.variants[0])
            data = self.base(objects)
        self.form_names = tuple(dict.fromkeys((*self.route.form, *data)))

    def base(self, objects: Objects) -> dict:
        """The example's fields: its form data, or the top-level fields of its JSON body as text."""
        example = self.route.example
        if example is None:
            return {}
        body = example.json(objects, self.scene) if example.json else None
        fields = {name: value if isinstance(value, str) else json.dumps(value)
                  for name, value in body.items()} if isinstance(body, dict) else {}
        return example.data(objects, self.scene) | fields

    def headers(self, objects: Objects) -> dict:
        """An integration's credential (a bearer token, a signature), so the fuzz gets past it."""
        example = self.route.example
        return example.headers(objects, self.scene) if example and example.headers else {}

    def objects(self, variant: str) -> Objects:
        if variant not in self.kept:
            self.kept[variant] = self.scene.keep(self.scene.build(self.route.kind, variant))
        return self.scene.load(self.kept[variant])

    def prepare(self, request: Fuzzed) -> tuple:
        """Inside an app context: a signed-in client and the request's WSGI pieces."""
        limiter.reset()
        if self.changed:  # a request went through: undo what it may have done to the cast
            self.scene.reset_personas()
            self.clients.clear()
            self.changed = False
        objects = self.objects(request.variant)
        key = (request.persona, request.variant)
        if key not in self.clients:
            self.clients[key] = self.scene.client_for(request.persona, objects)
        path = raw_path(self.rule, request, objects)
        query = urlencoded(edited(pairs_of({k: v for k, v in self.route.query.items() if v is not None}),
                                  request.query))
        body = {}
        if self.method != "GET":
            body = body_of(request, edited(pairs_of(self.base(objects)), request.form))
        body["headers"] = self.headers(objects)
        return self.clients[key], path, query, body

    def send(self, request: Fuzzed) -> None:
        with self.app.app_context():
            client, path, query, body = self.prepare(request)
        quoted = quote_from_bytes(path, safe="/")
        environ = {"PATH_INFO": path.decode("latin-1"), "REQUEST_URI": quoted, "RAW_URI": quoted}
        sent = (f"{self.database}: {self.method} {short(path, 120)} ?{short(query)} as {request.persona}"
                f"{f' [{request.variant}]' if request.variant else ''}")
        if "data" in body:
            sent += f" {body['content_type'] or 'no type'} body {described_body(body['data'])}"
        fuzz_report.REQUESTS[self.database] += 1
        escaped = None
        with ServerErrors(self.app) as errors:
            try:
                with client.open("/", method=self.method, query_string=query,
                                 environ_overrides=environ, **body) as response:
                    status = response.status_code
            except Exception as exception:  # noqa: BLE001 - out of the app, past its error pages
                status, escaped = 500, exception
        failures = errors.exceptions + ([escaped] if escaped else [])
        if self.method != "GET" and status < 400:
            self.changed = True
            self.kept.pop(request.variant, None)  # the next request gets fresh objects
        if status >= 500 or failures:
            self.server_error(sent, status, failures)
        if self.method != "GET":  # GETs write nothing (see the authorization matrix)
            with self.app.app_context():
                found = set(stored_garbage())
            garbage, self.garbage = sorted(found - self.garbage), found
            if garbage:
                self.stored_garbage(sent, status, garbage)

    def stored_garbage(self, sent: str, status: int, garbage: list[str]) -> None:
        fuzz_report.record(self.database, self.endpoint, "stored garbage", f"{sent} -> {status} stored {garbage[:3]}")
        raise AssertionError(f"{sent} -> {status} stored garbage: {garbage[:5]}")

    def server_error(self, sent: str, status: int, failures: list) -> None:
        found = "; ".join(where(failure) for failure in failures) or "no exception logged"
        place = (f"{type(failures[0]).__name__} at {where(failures[0]).split(' at ')[-1]}" if failures
                 else str(status))
        fuzz_report.record(self.database, self.endpoint, place, f"{sent} -> {status} {found}")
        raise AssertionError(f"{sent} -> {status}: {found}") from (failures[0] if failures else None)


@pytest.fixture
def fuzz_scene(app, make_person, make_story):
    with app.app_context():
        return Scene(app, make_person, make_story)


@pytest.mark.parametrize("endpoint, method", sorted(ROUTES), ids=str)
def test_no_input_makes_a_server_error_or_stores_garbage(app, fuzz_scene, endpoint, method):
    fuzzer = Fuzzer(app, fuzz_scene, endpoint, method)
    placeholders = {match["name"]: match["converter"] for match in PLACEHOLDER.finditer(fuzzer.rule)}
    strategy = fuzzed_requests(fuzzer.route, placeholders, method, fuzzer.form_names)

    @given(request=strategy)
    def run(request: Fuzzed) -> None:
        fuzzer.send(request)

    for case in edge_cases(fuzzer.route, placeholders, method, fuzzer.form_names):
        run = example(request=case)(run)
    if not LONG:
        run = seed(zlib.crc32(f"{endpoint} {method}".encode()))(run)
    started = time.perf_counter()
    try:
        settings(FUZZ)(run)()
    finally:
        fuzz_report.SECONDS[fuzzer.database] += time.perf_counter() - started
        with app.app_context():
            db.session.remove()
