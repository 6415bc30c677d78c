"""Driving single sign-on in tests: the OpenID provider process (tests/sso/provider.py) and
the browser's part of the flow, with the Flask test client on Storyboard's side and real HTTP
(requests, redirects not followed) on the provider's."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from tests.helpers import free_port

PROVIDER_SCRIPT = Path(__file__).with_name("provider.py")
EXTERNAL_URL = "https://storyboard.example.com"  # conftest's app: redirect URIs are built on it
CLIENT_ID = "storyboard"
CLIENT_SECRET = "provider-shared-secret"  # noqa: S105 - a test provider's client secret
START_TIMEOUT = 30


@dataclass
class RunningProvider:
    """An OpenID provider process on loopback, and the knobs that make it misbehave."""

    url: str
    process: subprocess.Popen

    def control(self, **knobs) -> None:
        requests.post(f"{self.url}/control", json=knobs, timeout=5).raise_for_status()

    def settings(self, name: str = "company", label: str = "Company account", **extra) -> dict:
        """The entry of OIDC_PROVIDERS for this provider under `name`."""
        return {"name": name, "label": label, "issuer": self.url, "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET, **extra}


def start_provider(names: tuple[str, ...], log_path: Path) -> RunningProvider:
    """Start tests/sso/provider.py with Storyboard registered under each of `names`, and wait
    until its discovery document answers."""
    port = free_port()
    clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{EXTERNAL_URL}/auth/sso/{name}/callback" for name in names]}]
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, str(PROVIDER_SCRIPT), "--port", str(port), "--clients", json.dumps(clients)],
            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test provider stopped: {log_path.read_text()}")
        try:
            requests.get(f"{url}/.well-known/openid-configuration", timeout=1).raise_for_status()
            return RunningProvider(url, process)
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the test provider did not answer within {START_TIMEOUT} s: {log_path.read_text()}")


def stop_provider(provider: RunningProvider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()


def local(url: str) -> str:
    """A URL on EXTERNAL_URL as the test client asks for it: path and query."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == EXTERNAL_URL, url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def to_provider(client, name: str = "company", next_url: str | None = None) -> str:
    """Press "Sign in with ...": the address Storyboard sends the browser to at the provider."""
    response = client.get(f"/auth/sso/{name}" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def at_provider(authorize_url: str) -> str:
    """The browser at the provider, which approves at once: where it sends the browser back."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return local(response.headers["Location"])


def sign_in_with_sso(client, name: str = "company", next_url: str | None = None):
    """The whole round trip; the answer of Storyboard's callback."""
    return client.get(at_provider(to_provider(client, name, next_url)))
