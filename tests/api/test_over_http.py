"""The API end to end over real HTTP on loopback, as a script would use it: sign in on the web,
make a token on the tokens page, page through stories by following `next`, nominate, and see
the token's last use on the page."""
from __future__ import annotations

import re
import threading

import pytest
import requests
from werkzeug.serving import make_server

from tests.helpers import csrf_token_in, free_port

pytestmark = pytest.mark.slow
PASSWORD = "Quiet harbour lantern 1987"


@pytest.fixture
def served(app):
    app.config["WTF_CSRF_ENABLED"] = True  # real forms, real tokens
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_a_script_pages_through_stories_and_nominates(served, ctx, make_person, make_story):
    writer = make_person(email="wren@example.com", password=PASSWORD)
    nina = make_person(name="Nina Nominee")
    stories = [make_story(title=f"Story {number}") for number in range(6)]
    published, value_id = [story.id for story in stories], stories[0].values[0].id

    web = requests.Session()
    login = web.get(f"{served}/auth/login", timeout=10)
    signed_in = web.post(f"{served}/auth/login", timeout=10, data={
        "email": writer.email, "password": PASSWORD, "csrf_token": csrf_token_in(login.text)})
    assert signed_in.status_code == 200 and signed_in.url.endswith("/")
    page = web.get(f"{served}/settings/tokens", timeout=10)
    made = web.post(f"{served}/settings/tokens", timeout=10, data={
        "name": "Nightly export", "scope": "write", "expires": "30", "csrf_token": csrf_token_in(page.text)})
    assert made.status_code == 200
    secret = re.search(r'value="(sb_pat_[^"]+)"', made.text).group(1)

    script = requests.Session()  # no cookies: only the token
    script.headers["Authorization"] = f"Bearer {secret}"
    assert requests.get(f"{served}/api/v1/stories", timeout=10, cookies=web.cookies).status_code == 401
    seen, url, pages = [], f"{served}/api/v1/stories?limit=2", 0
    while url:
        response = script.get(url, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
        seen += [story["id"] for story in response.json()["items"]]
        url, pages = response.json()["next"], pages + 1
        assert url is None or url.startswith(served)
    assert pages == 3 and seen == sorted(published, reverse=True)

    nominated = script.post(f"{served}/api/v1/nominations", timeout=10, json={
        "nominees": [nina.id], "values": [value_id], "title": "Rang every depot", "body_md": "She *rang*.",
        "impact": "The parcel came.", "happened_on": "2026-11-02", "submit": True})
    assert nominated.status_code == 201, nominated.text
    assert nominated.json()["status"] == "submitted" and nominated.json()["nominator"]["id"] == writer.id
    mine = script.get(nominated.headers["Location"], timeout=10)
    assert mine.status_code == 200 and mine.json()["title"] == "Rang every depot"

    spec = script.get(f"{served}/api/v1/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.1") and spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    listing = web.get(f"{served}/settings/tokens", timeout=10).text
    assert secret not in listing and "Nightly export" in listing and "UTC" in listing  # last used: a time
