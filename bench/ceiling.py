"""The ceiling for bench/pages.py: a WSGI app that does nothing but return the feed page's bytes.

Served by the same gunicorn settings as Storyboard, it measures what the server, the sockets
and the load generator cost on this machine; each page's req/s is reported against it.
`BENCH_CEILING_BODY` names the file with the bytes to return.
"""
import os
from pathlib import Path

BODY = Path(os.environ["BENCH_CEILING_BODY"]).read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
