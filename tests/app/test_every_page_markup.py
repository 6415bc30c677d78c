"""Every page of the app, as every kind of visitor, holds together for browsers and assistive
technology: no id appears twice (and no CSRF token input has one, which the next form on the
page would repeat), every reference to an id (a label's `for`, aria-labelledby,
aria-describedby, aria-controls, an in-page link) finds its element, no ARIA reference is empty,
and every <time datetime> is a valid HTML date or date and time. Every form sent back with
its errors (every field left blank) holds together too: its error summary links to the fields.

The pages come from the security route table (tests/security/routes.py), so a new page or form
is walked as soon as it has an entry there, with the objects and query the matrix uses, and with
CSRF on as in production (each form then carries its token). tests/app/test_page_markup.py
checks the main pages on a richer company, and their landmarks.
"""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from storyboard.extensions import limiter
from tests.security.routes import ROUTES, url_map_routes
from tests.security.scene import Scene, fill

# Anonymous visitors and the four signed-in kinds; a deactivated person is served as anonymous.
VISITORS = ("anonymous", "owner", "other", "curator", "admin")
# The new hires' reading path is there only once a collection is the path (the matrix checks its 404).
OBJECTS_FOR = {"canon.path": "collection"}
PAGES = sorted(endpoint for endpoint, method in ROUTES if method == "GET")
FORMS = sorted(endpoint for endpoint, method in ROUTES if method == "POST")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
REFERENCES = ("aria-labelledby", "aria-describedby", "aria-controls")
# What HTML accepts in <time datetime>, as Storyboard writes it: a month, a day, or a moment
# in UTC to the second (a datetime's isoformat() gives microseconds, which HTML does not allow).
VALID_DATETIME = re.compile(r"\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}Z)?)?")


class Markup(HTMLParser):
    """The ids on a page, what refers to them, and each <time>'s datetime."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.references: list[tuple[str, str]] = []  # (what refers, the id it names)
        self.empty: list[str] = []  # reference attributes present but naming nothing
        self.datetimes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"] or "")
        if tag == "label" and "for" in attributes:
            self.references.append(("label for", attributes["for"] or ""))
        for name in REFERENCES:
            if name in attributes:
                targets = (attributes[name] or "").split()
                if not targets:
                    self.empty.append(f'<{tag} {name}="">')
                self.references.extend((name, target) for target in targets)
        href = attributes.get("href") or ""
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.references.append(("href", href[1:]))
        if tag == "time" and "datetime" in attributes:
            self.datetimes.append(attributes["datetime"] or "")

    def problems(self) -> list[str]:
        """What is wrong with the page, one line each, or nothing."""
        found = [f"id {name!r} appears {count} times" for name, count in Counter(self.ids).items() if count > 1]
        found += ["the CSRF token input has an id"] if "csrf_token" in self.ids else []
        found += [f"empty reference {element}" for element in self.empty]
        found += [f'{attribute}="{target}" finds no element' for attribute, target in self.references
                  if target not in self.ids]
        found += [f'<time datetime="{value}"> is not a valid HTML date or time' for value in self.datetimes
                  if not VALID_DATETIME.fullmatch(value)]
        return found


def problems_on(html: str) -> list[str]:
    markup = Markup()
    markup.feed(html)
    return markup.problems()


def test_the_checker_finds_each_kind_of_problem():
    html = """<label for="email">Email</label><input id="email" aria-describedby="">
      <input id="csrf_token"><input id="csrf_token"><p aria-labelledby="gone">
      <a href="#nowhere">x</a><a href="#email">ok</a><a href="#">top</a>
      <time datetime="2026-12-03T09:15:00.123456">x</time><time datetime="2026-12-03T09:15:00Z">x</time>
      <time datetime="2026-12-03">x</time><time datetime="2026-12">x</time>"""
    assert problems_on(html) == [
        "id 'csrf_token' appears 2 times",
        "the CSRF token input has an id",
        'empty reference <input aria-describedby="">',
        'aria-labelledby="gone" finds no element',
        'href="nowhere" finds no element',
        '<time datetime="2026-12-03T09:15:00.123456"> is not a valid HTML date or time',
    ]


@pytest.fixture
def scene(csrf_app, make_person, make_story):
    with csrf_app.app_context():
        return Scene(csrf_app, make_person, make_story)


@pytest.mark.parametrize("endpoint", PAGES)
def test_every_page_has_unique_ids_and_references_that_find_them(csrf_app, scene, endpoint):
    rule = url_map_routes(csrf_app)[(endpoint, "GET")]
    route = ROUTES[(endpoint, "GET")]
    query = {name: value for name, value in route.query.items() if value is not None}
    problems, answers = [], set()
    for variant in route.variants:
        for visitor in VISITORS:
            with csrf_app.app_context():
                limiter.reset()
                objects = scene.build(OBJECTS_FOR.get(endpoint, route.kind), variant)
                client = scene.client_for(visitor, objects)
                path = fill(rule, objects)
                # An integration's GET (the JSON API) answers only with its own credential.
                example = route.example
                headers = example.headers(objects, scene) if example and example.headers else {}
            # Read whole and closed: a stylesheet or a streamed CSV download is a file left open otherwise.
            with client.get(path, query_string=query, headers=headers) as response:
                body = response.get_data()
            answers.add((response.status_code, response.mimetype))
            if (response.status_code, response.mimetype) == (200, "text/html"):
                place = f"{path}{f' [{variant}]' if variant else ''} as {visitor}"
                problems += [f"{place}: {problem}" for problem in problems_on(body.decode())]
    # Not walked for nothing: someone was shown it (a page, or a file), or it only redirects (/login).
    assert any(status == 200 for status, _ in answers) or {status for status, _ in answers} == {302}, (
        f"{endpoint}: no visitor was shown the page: {sorted(answers)}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("endpoint", FORMS)
def test_every_form_sent_back_with_errors_has_unique_ids_and_references_that_find_them(csrf_app, scene, endpoint):
    route = ROUTES[(endpoint, "POST")]
    example = route.example
    with csrf_app.app_context():
        limiter.reset()
        objects = scene.build(route.kind, example.variant)
        client = scene.client_for(example.persona, objects)
        path = fill(url_map_routes(csrf_app)[(endpoint, "POST")], objects)
        blank = dict.fromkeys(example.data(objects, scene), "")
    token = TOKEN.search(client.get("/auth/forgot").get_data(as_text=True))[1]
    query = {name: value for name, value in route.query.items() if value is not None}
    response = client.post(path, data={**blank, "csrf_token": token}, query_string=query)
    if response.status_code == 302 or response.mimetype != "text/html":
        return  # nothing to fill in (a one-button action), or not a page
    assert problems_on(response.get_data(as_text=True)) == []
