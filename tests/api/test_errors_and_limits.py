"""Every answer under /api/ that is not a success is JSON in one shape (never the web's HTML
error page), and each token has its own rate limit: 429 with Retry-After."""
from __future__ import annotations

import pytest

from storyboard.api import read
from tests.api.conftest import bearer


@pytest.fixture
def secret(ctx, make_person, make_token) -> str:
    return make_token(make_person())[1]


def error_of(response) -> dict:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    assert "<html" not in response.get_data(as_text=True).lower()
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == response.status_code
    return body["error"]


def test_every_error_is_json_in_one_shape(client, secret, monkeypatch):
    cases = [
        (client.get("/api/v1/stories/2147483647", headers=bearer(secret)), 404, "There is nothing at this address."),
        (client.get("/api/v1/nowhere", headers=bearer(secret)), 404, "There is nothing at this address."),
        (client.get("/api/nowhere"), 404, "There is nothing at this address."),
        (client.delete("/api/v1/stories", headers=bearer(secret)), 405, "That action is not allowed here."),
        (client.put("/api/v1/nominations", headers=bearer(secret)), 405, "That action is not allowed here."),
        (client.get("/api/v1/stories"), 401, "Send a personal access token: Authorization: Bearer sb_pat_..."),
        (client.get("/api/v1/stories?limit=101", headers=bearer(secret)), 400, "Some fields are not valid."),
        (client.post("/api/v1/nominations", data="x", headers=bearer(secret)), 403,
         "This token can only read. Make a write token to create nominations."),
    ]
    for response, status, message in cases:
        assert response.status_code == status, (status, response.get_data(as_text=True))
        assert error_of(response)["message"] == message

    def broken():
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(read.stories, "active_values", broken)
    crashed = client.get("/api/v1/values", headers=bearer(secret))
    assert crashed.status_code == 500
    assert error_of(crashed)["message"] == "Something went wrong on our side. It has been logged."
    assert "fell over" not in crashed.get_data(as_text=True)


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(app, client, ctx, make_person, make_token):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    _, busy = make_token(make_person())
    _, other = make_token(make_person())
    # One budget across endpoints.
    for path in ("/api/v1/values", "/api/v1/stories", "/api/v1/people"):
        assert client.get(path, headers=bearer(busy)).status_code == 200
    refused = client.get("/api/v1/values", headers=bearer(busy))
    assert refused.status_code == 429
    assert error_of(refused)["message"] == "Too many requests with this token (3 per 1 minute). Wait, then try again."
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    # Someone else's token has its own budget.
    assert client.get("/api/v1/values", headers=bearer(other)).status_code == 200
    # Requests without a valid token are refused, not counted against anyone.
    assert client.get("/api/v1/values", headers=bearer("sb_pat_guess")).status_code == 401
