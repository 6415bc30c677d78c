"""Two Storyboard hosts as a load balancer sees them: gunicorn processes with two sync workers
each, reached over plain HTTP by visitors with a cookie jar (one jar per person, as a browser has:
cookies are not kept per port, so one jar speaks to both hosts as it would to one hostname).

`Host.on_each_worker` makes a request once on each of a host's two workers, deterministically: a
sync worker that has accepted a connection whose request is not finished is busy with it, and
a listening socket hands out connections in the order they arrived. So a held connection takes
one worker and the request goes to the other; then a second held connection takes that other
worker, the first is let go, and the request goes to the first worker.
"""
from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import html5lib
import requests

from tests.helpers import csrf_token_in

REQUEST_TIMEOUT = 15  # seconds; a worker held by mistake shows as a timeout, not a hang


@dataclass
class Host:
    name: str
    port: int
    process: subprocess.Popen
    log: Path
    env: dict[str, str] = field(repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def on_each_worker(self, request):
        """`request()` run twice, served once by each of the host's two workers; both answers."""
        first_held = self._hold_a_worker()
        try:
            on_the_other = request()
            second_held = self._hold_a_worker()
        finally:
            first_held.close()
        try:
            on_the_first = request()
        finally:
            second_held.close()
        return [on_the_other, on_the_first]

    def _hold_a_worker(self) -> socket.socket:
        """A connection with half a request, taken by a worker before this returns."""
        held = socket.create_connection(("127.0.0.1", self.port), timeout=REQUEST_TIMEOUT)
        held.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: unfinished
        self._wait_until_accepted()
        return held

    def _wait_until_accepted(self) -> None:
        deadline = time.monotonic() + REQUEST_TIMEOUT
        while _waiting_connections(self.port):
            assert time.monotonic() < deadline, f"no worker of host {self.name} took the connection"
            time.sleep(0.002)


def _waiting_connections(port: int) -> int:
    """Connections the kernel holds for the listening socket on `port`, not yet accepted
    (the receive queue of a LISTEN row of /proc/net/tcp)."""
    with open("/proc/net/tcp") as table:
        for line in table.read().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[3] == "0A" and local_port == port:  # 0A: LISTEN
                return int(fields[4].split(":")[1], 16)
    raise AssertionError(f"nothing listens on port {port}")


class Visitor:
    """A browser: one cookie jar for every host, no following of redirects."""

    def __init__(self) -> None:
        self.http = requests.Session()

    def get(self, host: Host, path: str, **headers) -> requests.Response:
        return self.http.get(host.base + path, headers=headers, allow_redirects=False, timeout=REQUEST_TIMEOUT)

    def post(self, host: Host, path: str, form: dict | list, **sent) -> requests.Response:
        return self.http.post(host.base + path, data=form, allow_redirects=False, timeout=REQUEST_TIMEOUT, **sent)

    def csrf_token(self, host: Host, path: str) -> str:
        page = self.get(host, path)
        assert page.status_code == 200, (path, page.status_code)
        return csrf_token_in(page.text)

    def sign_in(self, host: Host, email: str, password: str, remember: bool = False) -> requests.Response:
        form = {"email": email, "password": password, "csrf_token": self.csrf_token(host, "/auth/login")}
        if remember:
            form["remember"] = "y"
        return self.post(host, "/auth/login", form)

    def cookies(self) -> dict[str, str]:
        return self.http.cookies.get_dict()


# Reading pages.


def parsed(html: str):
    return html5lib.parse(html, namespaceHTMLElements=False)


def words(element) -> str:
    """An element's text as a reader sees it: whitespace runs as one space."""
    return " ".join("".join(element.itertext()).split())


def form_fields(html: str, selector: str = ".//form") -> list[tuple[str, str]]:
    """What a browser sends for the first form matching `selector`, without any button:
    inputs (ticked boxes only), text areas and chosen options."""
    form = parsed(html).find(selector)
    assert form is not None, f"no {selector} on the page"
    sent = []
    for element in form.iter():
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"} and element.get("checked") is None:
                continue
            sent.append((name, element.get("value") or ("on" if kind in {"checkbox", "radio"} else "")))
        elif element.tag == "textarea":
            sent.append((name, "".join(element.itertext()).removeprefix("\n")))
        elif element.tag == "select":
            chosen = [option for option in element.iter("option") if option.get("selected") is not None]
            sent.extend((name, option.get("value", words(option))) for option in chosen)
    return sent


def story_cards(tree, story_id: int) -> list:
    """Every story card on a parsed page that links to the story."""
    link = f"/stories/{story_id}"
    return [card for card in tree.iter("article") if "story-card" in (card.get("class") or "").split()
            and any(anchor.get("href") == link for anchor in card.iter("a"))]


def page_text(html: str) -> str:
    """Everything a reader (or a screen reader) gets from the page: its title and body text."""
    tree = parsed(html)
    return " ".join(words(part) for part in (tree.find(".//title"), tree.find(".//body")) if part is not None)
