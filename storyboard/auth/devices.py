"""Device cookies: a browser that has signed in to an account before is throttled on its own.

Failed sign-ins are counted per address and account. Behind an office's one NAT address, a
colleague failing at someone's account would then slow the owner down too. A browser that
signed in successfully carries a signed cookie naming the account (a hash of its email) and a
random device id: its failures are counted per device, and it is exempt from the per-address
limit, so only the owner's own wrong guesses ever slow the owner down. (OWASP's "slow down
online guessing attacks with device cookies".) The cookie is no credential: it signs nobody in.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "storyboard_device"
SALT = "storyboard.device"
MAX_AGE = 365 * 24 * 3600
MAX_COOKIE_LENGTH = 256  # a real one is about 110 characters


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def device_for(email: str) -> str | None:
    """The id of this browser if it has signed in to the account with `email` before."""
    raw = request.cookies.get(COOKIE, "")
    if not raw or len(raw) > MAX_COOKIE_LENGTH:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _account(email) or not isinstance(data.get("d"), str):
        return None
    return data["d"]


def remember_device(response: Response, email: str) -> None:
    """Mark this browser as one that signed in to the account (keeping its id if it had one)."""
    device = device_for(email) or secrets.token_urlsafe(16)
    response.set_cookie(
        COOKIE, _serializer().dumps({"a": _account(email), "d": device}), max_age=MAX_AGE,
        path="/auth/", httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
