"""A real webhook receiver and the app served over HTTP, both on loopback."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug.serving import make_server


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the receiver got, and how it answers next: `status` (200, 500...), `hang` seconds, or
    `drip`: its status line, then a header one byte every `drip` seconds for up to 5 s."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    hang: float = 0.0
    drip: float = 0.0

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.requests


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(request):
    """The receivers here listen on loopback, which production refuses: tests of that refusal
    set CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES back to False."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True


@pytest.fixture
def receiver():
    """A threaded HTTP server on loopback recording every POST, answering as told."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            if state.hang:
                time.sleep(state.hang)
            if state.drip:
                self._drip(time.monotonic() + 5)
                return
            answer = b"ok" if state.status < 300 else b"invalid_payload"
            self.send_response(state.status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def _drip(self, until: float) -> None:
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while time.monotonic() < until:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(state.drip)
                self.wfile.write(b"\r\nContent-Length: 2\r\n\r\nok")
            except OSError:
                pass  # the sender hung up

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/kudos"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.hang = 0
    server.shutdown()
    server.server_close()


@pytest.fixture
def served(app):
    """The app served over real HTTP on loopback (Werkzeug's server in a thread); its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
