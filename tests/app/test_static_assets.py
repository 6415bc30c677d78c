"""Static files named by their content and kept a year; compressed responses (issue 16).

What a browser sees: the page names /static/css/storyboard.<first 12 hex digits of the file's
SHA-256>.css, that address answers with the file's bytes and `immutable` caching, old plain
addresses still work, and pages, stylesheets and scripts come compressed when asked for, except
to requests from other sites (BREACH) and for CSV downloads, which keep streaming.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import zlib
from pathlib import Path

import brotli
import pytest
from backports import zstd
from flask import Flask, Response, render_template_string, request, stream_with_context

from storyboard import PROJECT_ROOT
from storyboard.assets import register_fingerprints
from storyboard.compression import register_compression

STATIC = PROJECT_ROOT / "static"
YEAR = "public, max-age=31536000, immutable"
EVERY_ENCODING = "gzip, deflate, br, zstd"
DECOMPRESS = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress,
              "deflate": zlib.decompress}
NAMED = re.compile(r'(?:href|src)="(/static/[^"#]+)')


def fingerprinted(filename: str, folder: Path = STATIC) -> str:
    """The address a file should have: its SHA-256's first 12 hex digits before the extension."""
    digest = hashlib.sha256((folder / filename).read_bytes()).hexdigest()[:12]
    stem, extension = filename.rsplit(".", 1)
    return f"/static/{stem}.{digest}.{extension}"


def body(response) -> bytes:
    """The bytes a browser would read, decompressed as the response says."""
    data = response.get_data()
    response.close()
    encoding = response.headers.get("Content-Encoding")
    return DECOMPRESS[encoding](data) if encoding else data


@pytest.fixture
def curator(ctx, as_role, make_story, make_person):
    person = as_role("curator")
    make_story(nominator=person, nominees=[make_person(name="Dana Olsen")])
    return person


# Fingerprinted addresses


def test_pages_name_their_files_by_content_and_those_are_kept_a_year(client, curator, make_story):
    story = make_story(nominator=curator)
    named = set()
    for path in ("/", "/nominate", f"/stories/{story.id}", f"/stories/{story.id}/print"):
        response = client.get(path)
        assert response.status_code == 200, path
        named |= set(NAMED.findall(response.get_data(as_text=True)))
    expected = {
        fingerprinted(name) for name in (
            "favicon.svg", "css/storyboard.css", "js/storyboard.js", "icons/icons.svg",
            "js/editor.js", "js/drafts.js", "css/print.css", "js/print.js",
        )
    }
    assert named == expected
    for url in sorted(named):
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == YEAR, url
            plain = re.sub(r"\.[0-9a-f]{12}\.", ".", url.removeprefix("/static/"))
            assert response.get_data() == (STATIC / plain).read_bytes(), url


def test_static_files_do_not_vary_by_the_session_cookie(client, curator):
    """A flash message changes the cookie: the browser must still use the files it keeps."""
    for url in (fingerprinted("css/storyboard.css"), "/static/css/storyboard.css"):
        with client.get(url, headers={"Accept-Encoding": "br"}) as response:
            assert response.headers["Vary"] == "Accept-Encoding", url
            assert "Set-Cookie" not in response.headers
    assert "Cookie" in client.get("/").headers["Vary"]  # pages do


def test_the_icon_sprite_is_named_once_for_every_icon(client, curator):
    html = client.get("/").get_data(as_text=True)
    sprites = re.findall(r'<use href="([^"#]+)#[\w-]+"', html)
    assert len(sprites) > 5 and set(sprites) == {fingerprinted("icons/icons.svg")}


def test_favicon_ico_leads_to_the_fingerprinted_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.headers["Location"] == fingerprinted("favicon.svg")


def test_plain_addresses_still_work_but_are_checked_again_each_time(client):
    with client.get("/static/css/storyboard.css") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["ETag"]
        assert response.get_data() == (STATIC / "css/storyboard.css").read_bytes()


def test_an_address_with_another_hash_gets_the_current_file_never_for_a_year(client):
    with client.get("/static/css/storyboard.0123456789ab.css") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.get_data() == (STATIC / "css/storyboard.css").read_bytes()
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/../storyboard/config.py").status_code == 404


def test_a_changed_file_gets_a_new_address(tmp_path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    sheet.write_text("body { color: black; }")
    before = small_app(tmp_path)
    old_url = url_in(before, "css/site.css")
    assert old_url == fingerprinted("css/site.css", tmp_path)

    sheet.write_text("body { color: darkslateblue; }")
    os.utime(sheet, ns=(sheet.stat().st_atime_ns, sheet.stat().st_mtime_ns + 10**9))
    after = small_app(tmp_path)
    new_url = url_in(after, "css/site.css")
    assert new_url == fingerprinted("css/site.css", tmp_path) and new_url != old_url
    with after.test_client().get(new_url) as response:
        assert response.headers["Cache-Control"] == YEAR
        assert response.get_data() == b"body { color: darkslateblue; }"
    # The process started before the change no longer promises its old name's bytes: the file
    # is served as it is now, to be checked again, under either name.
    for url in (old_url, new_url):
        with before.test_client().get(url) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "no-cache"
            assert response.get_data() == b"body { color: darkslateblue; }"


def test_files_keep_plain_names_when_fingerprints_are_off(database_url, tmp_path, monkeypatch):
    from storyboard import create_app

    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path / "instance"))
    for config in ({"STATIC_FINGERPRINTS": False}, {"DEBUG": True}):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"} | config)
        assert url_in(app, "css/storyboard.css") == "/static/css/storyboard.css", config


def small_app(static_folder: Path) -> Flask:
    app = Flask(__name__, static_folder=str(static_folder), static_url_path="/static")
    app.config.update(COMPRESS_RESPONSES=True, COMPRESS_MIN_SIZE=1024,
                      COMPRESS_MIMETYPES=["text/html", "text/css", "application/json"])
    register_compression(app)
    register_fingerprints(app)
    return app


def url_in(app: Flask, filename: str) -> str:
    with app.test_request_context("/"):
        return render_template_string("{{ static_url(name) }}", name=filename)


# Compression


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_a_compressed_page_reads_the_same_as_an_uncompressed_one(client, curator, encoding):
    plain = client.get("/")
    compressed = client.get("/", headers={"Accept-Encoding": encoding})
    assert plain.headers.get("Content-Encoding") is None
    assert compressed.headers["Content-Encoding"] == encoding
    assert len(compressed.get_data()) < len(plain.get_data()) / 2
    assert body(compressed) == plain.get_data()


def test_a_page_asked_for_gzip_comes_gzipped_and_says_it_varies(client, curator):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert b"Dana Olsen" in gzip.decompress(response.get_data())


@pytest.mark.parametrize("encoding", ["br", "zstd", "deflate"])
def test_a_stylesheet_comes_compressed_and_reads_the_same(client, encoding):
    with client.get(fingerprinted("css/storyboard.css"), headers={"Accept-Encoding": encoding}) as response:
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Cache-Control"] == YEAR
        assert "Accept-Encoding" in response.headers["Vary"]
        assert body(response) == (STATIC / "css/storyboard.css").read_bytes()


def test_part_of_a_file_is_sent_as_it_is(client):
    """A Range request's Content-Range counts the file's own bytes: no compression there."""
    url = fingerprinted("css/storyboard.css")
    with client.get(url, headers={"Range": "bytes=0-99", "Accept-Encoding": EVERY_ENCODING}) as response:
        assert response.status_code == 206 and "Content-Encoding" not in response.headers
        assert response.get_data() == (STATIC / "css/storyboard.css").read_bytes()[:100]


def test_small_bodies_are_sent_as_they_are(client):
    with client.get(fingerprinted("favicon.svg"), headers={"Accept-Encoding": EVERY_ENCODING}) as response:
        assert (STATIC / "favicon.svg").stat().st_size < 1024
        assert "Content-Encoding" not in response.headers
    assert "Content-Encoding" not in client.get("/healthz", headers={"Accept-Encoding": EVERY_ENCODING}).headers


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_page_opened_from_another_site_is_not_compressed(client, curator, site):
    """BREACH needs many loads of a page, made by the attacker's site: those are not compressed."""
    response = client.get("/", headers={"Accept-Encoding": EVERY_ENCODING, "Sec-Fetch-Site": site})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert {"Accept-Encoding", "Sec-Fetch-Site"} <= {part.strip() for part in response.headers["Vary"].split(",")}
    from_here = client.get("/", headers={"Accept-Encoding": EVERY_ENCODING, "Sec-Fetch-Site": "same-origin"})
    assert from_here.headers["Content-Encoding"] == "zstd"
    typed = client.get("/", headers={"Accept-Encoding": "gzip", "Sec-Fetch-Site": "none"})
    assert typed.headers["Content-Encoding"] == "gzip"
    # Static files hold no secret: compressed whoever asks.
    with client.get(fingerprinted("css/storyboard.css"),
                    headers={"Accept-Encoding": "br", "Sec-Fetch-Site": site}) as sheet:
        assert sheet.headers["Content-Encoding"] == "br"


def test_a_compressed_file_revalidates_with_its_etag(client):
    url = fingerprinted("js/storyboard.js")
    with client.get(url, headers={"Accept-Encoding": "br"}) as first:
        etag = first.headers["ETag"]
    assert etag.endswith(':br"')  # another encoding, other bytes: another strong tag
    with client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.get_data() == b""
    with client.get(url, headers={"If-None-Match": etag}) as uncompressed:
        assert uncompressed.status_code == 200  # its tag has no ":br"


def test_pages_with_etags_answer_304_when_compressed(tmp_path):
    app = small_app(tmp_path)

    @app.get("/strong")
    def strong():
        response = Response("<p>" + "story " * 400 + "</p>", mimetype="text/html")
        response.set_etag("v1")
        return response.make_conditional(request)

    @app.get("/weak")
    def weak():
        response = Response("<p>" + "story " * 400 + "</p>", mimetype="text/html")
        response.set_etag("v1", weak=True)
        return response.make_conditional(request)

    client = app.test_client()
    first = client.get("/strong", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and first.headers["ETag"] == '"v1:gzip"'
    assert client.get("/strong", headers={"Accept-Encoding": "gzip", "If-None-Match": '"v1:gzip"'}).status_code == 304
    assert client.get("/strong", headers={"If-None-Match": '"v1"'}).status_code == 304
    weak_first = client.get("/weak", headers={"Accept-Encoding": "gzip"})
    assert weak_first.headers["Content-Encoding"] == "gzip" and weak_first.headers["ETag"] == 'W/"v1"'
    assert client.get("/weak", headers={"Accept-Encoding": "gzip", "If-None-Match": 'W/"v1"'}).status_code == 304


# Streaming


def test_a_csv_export_streams_uncompressed(client, curator, make_story, make_person):
    for number in range(3):
        make_story(title=f"Story {number}")
    response = client.get("/insights/exports/stories.csv?start=2020-01-01&end=2030-12-31",
                          headers={"Accept-Encoding": EVERY_ENCODING}, buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert "Content-Encoding" not in response.headers and "Content-Length" not in response.headers
    chunks = response.iter_encoded()
    first = next(chunks)
    assert first.decode("utf-8").startswith("\ufeff") and first.count(b"\r\n") == 1  # the header alone
    rest = b"".join(chunks)
    response.close()
    assert rest.count(b"\r\n") == 4 and b"Story 2" in rest


def test_a_long_streamed_page_is_compressed_as_it_goes(tmp_path):
    app = small_app(tmp_path)
    made = []

    @app.get("/long")
    def long():
        def parts():
            for number in range(40):
                made.append(number)
                yield os.urandom(32 * 1024).hex()  # 64 KB that compresses only by half

        return Response(stream_with_context(parts()), mimetype="text/html")

    response = app.test_client().get("/long", headers={"Accept-Encoding": "br"}, buffered=False)
    assert response.headers["Content-Encoding"] == "br"
    chunks = response.iter_encoded()
    first = next(chunks)
    assert first and len(made) < 40  # sent before the page was all made
    whole = brotli.decompress(first + b"".join(chunks))
    response.close()
    assert len(made) == 40 and len(whole) == 40 * 64 * 1024
