"""The feeds as a feed reader meets them: the app served on loopback, fetched with requests."""
from __future__ import annotations

import threading

import pytest
import requests
from werkzeug.serving import make_server

from tests.feeds.reading import parse, token_for


@pytest.fixture
def served(app):
    """The app on a real HTTP server on 127.0.0.1, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.slow
def test_a_reader_fetches_a_feed_then_asks_again_with_its_etag(served, ctx, make_person, make_story):
    make_story(title="Fetched over HTTP")
    token = token_for(make_person())
    with requests.Session() as reader:
        url = f"{served}/feeds/{token}/stories.atom"
        first = reader.get(url, timeout=10)
        assert first.status_code == 200
        assert first.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        assert first.headers["Cache-Control"] == "private, no-cache"
        assert not first.cookies  # no session for a feed reader
        assert parse(first.content).titles == ["Fetched over HTTP"]

        unchanged = reader.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
        assert (unchanged.status_code, unchanged.content) == (304, b"")
        assert unchanged.headers["ETag"] == first.headers["ETag"]

        make_story(title="Published since")
        changed = reader.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
        assert changed.status_code == 200
        assert parse(changed.content).titles == ["Published since", "Fetched over HTTP"]

        gone = reader.get(f"{served}/feeds/sbf_not-a-token/stories.atom", timeout=10)
        assert (gone.status_code, gone.headers["Content-Type"]) == (404, "text/plain; charset=utf-8")
        assert gone.text.startswith("No feed at this address.")
