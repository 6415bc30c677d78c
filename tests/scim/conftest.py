"""The app served on a loopback port with a SCIM token, and an HR system's HTTP session."""
from __future__ import annotations

import threading

import pytest
import requests
from werkzeug.serving import make_server

from tests.helpers import free_port

TOKEN = "hr-system-token-" + "s3cr3t" * 6  # over the 32 characters SCIM asks for
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def scim_url(app):
    """Serve the test app (SCIM switched on) in a thread on loopback; yields /scim/v2's URL."""
    app.config["SCIM_BEARER_TOKEN"] = TOKEN
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/scim/v2"
    server.shutdown()
    thread.join()


@pytest.fixture
def hr(scim_url):
    """The HR system: a requests session that sends the token and SCIM's media type."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json",
                            "Accept": "application/scim+json"})
    session.base = scim_url
    yield session
    session.close()


def user_payload(email: str, name: str, **extra) -> dict:
    """A User as an HR system sends it, with the enterprise extension when `department` or
    `manager` is given."""
    enterprise = {key: extra.pop(key) for key in ("department", "manager") if key in extra}
    payload = {"schemas": [USER], "userName": email, "displayName": name, **extra}
    if enterprise:
        payload["schemas"].append(ENTERPRISE)
        payload[ENTERPRISE] = enterprise
    return payload
