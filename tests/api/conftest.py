"""Fixtures for the JSON API: personal access tokens made through the service, and headers."""
from __future__ import annotations

import pytest

from storyboard.api import tokens
from storyboard.extensions import db


@pytest.fixture
def make_token(app):
    """A token for `person` (read or write; `expires_at` as given); returns (token id, secret).
    Call inside an app context."""

    def make(person, scope: str = "read", name: str = "Dashboard", expires_at=None) -> tuple[int, str]:
        token, secret = tokens.create(person, name, scope, expires_at)
        db.session.commit()
        return token.id, secret

    return make


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
