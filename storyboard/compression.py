"""Compressed responses (zstd, Brotli, gzip or deflate, as the browser accepts) by Flask-Compress.

What is compressed: HTML, CSS, JavaScript, SVG, JSON and Atom, 200 responses of at least
COMPRESS_MIN_SIZE bytes (smaller ones gain less than the header costs). CSV downloads are not
(text/csv is not in the list): they stream row by row and must keep streaming. Streamed responses
that are compressed (static files, sent from disk) are compressed chunk by chunk as they are sent,
never gathered first. Partial responses (206, a Range request) are left alone: their
Content-Range counts the uncompressed bytes.

ETags: Flask-Compress gives a compressed response's strong ETag the encoding as a suffix
("abc" becomes "abc:gzip"), as the compressed bytes differ, and evaluates If-None-Match after
compressing, so a browser sending back "abc:gzip" gets its 304. Weak ETags (W/"abc") are kept
as they are: they promise the same meaning, not the same bytes.

BREACH. A compressed page's length tells something about its content: an attacker who can
watch the encrypted traffic and make the victim's browser load a page many times, with text of
the attacker's choosing reflected in it (a search for ?q=...), can guess a secret on that page
one character at a time. Storyboard compresses pages only for requests made from Storyboard
itself or typed by the person (`Sec-Fetch-Site: same-origin` or `none`), and for clients that
send no such header (API clients, feed readers, older browsers). A page opened from another site
(`cross-site` or `same-site`) is sent uncompressed: those are the only requests an attacker's
page can make the browser send with the session cookie (it is SameSite=Lax, so only a top-level
navigation carries it), and so the requests the attack needs. The form's CSRF token would resist
anyway: Flask-WTF signs it with a timestamp, so its signature changes every second, and its
constant part (the session's raw token) is useless without SECRET_KEY. Static files hold no
secret and are compressed for everyone.
"""
from __future__ import annotations

from flask import Flask, request
from flask.wrappers import Response
from flask_compress import Compress

# Which sites' requests may get a compressed page (see BREACH above); no header counts as these.
COMPRESSIBLE_FETCH_SITES = frozenset({"same-origin", "none"})


def register_compression(app: Flask) -> None:
    """Compress responses as described above, unless COMPRESS_RESPONSES is off (a proxy in
    front compresses instead).

    Registered before any other after-request function of the app, so it runs after them all
    (Flask runs them in reverse): the last change to a response is its compression.
    """
    if not app.config["COMPRESS_RESPONSES"]:
        return
    app.config["COMPRESS_REGISTER"] = False  # compress_response below decides, then asks Flask-Compress
    compress = Compress()  # one per app: it keeps the app's settings
    compress.init_app(app)
    app.extensions["storyboard_compress"] = compress

    @app.after_request
    def compress_response(response: Response) -> Response:
        if response.status_code != 200:
            return response
        if request.endpoint != "static":
            response.vary.add("Sec-Fetch-Site")
            if request.headers.get("Sec-Fetch-Site", "none") not in COMPRESSIBLE_FETCH_SITES:
                response.vary.add("Accept-Encoding")
                return response
        original = response.response
        response = compress.after_request(response)
        if response.response is not original and hasattr(original, "close"):
            # Flask-Compress streams a file through a generator of its own and drops the file's
            # close(): without this, each compressed static file would leave its file open
            # until the garbage collector found it.
            response.call_on_close(original.close)
        return response
