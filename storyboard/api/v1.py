"""The /api/v1 blueprint: who is asking (a bearer token, never the session cookie), how often
(a rate limit per token), what they may send (JSON, checked text), and errors as JSON.

The blueprint is nested in storyboard/api/views.py's, exempt from CSRF (no browser sends a
bearer token on its own), and its failed sign-in is 401 rather than the web's redirect.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from storyboard.api import tokens
from storyboard.api.spec import BadRequest, document
from storyboard.errors import MESSAGES, NotPermitted, Refused
from storyboard.extensions import csrf, db, limiter

v1 = Blueprint("v1", __name__, url_prefix="/api/v1")
csrf.exempt(v1)

# Text nobody types: NUL (PostgreSQL cannot store it), lone surrogates (no encoding can), and
# control characters other than tab and line breaks. The web's forms strip the latter
# (storyboard/__init__.py clean_request_text); an API client is told instead.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_QUERY_VALUE = 500  # no query parameter here needs more
API_MESSAGES = MESSAGES | {
    401: "Send a personal access token: Authorization: Bearer sb_pat_...",
    415: "Send the body as JSON, with Content-Type: application/json.",
}


@v1.record_once
def _setup(state) -> None:
    # An API answers a missing token with 401, not the web's redirect to the sign-in page
    # (flask_login.LoginManager.unauthorized looks this up by blueprint).
    state.app.login_manager.blueprint_login_views[f"api.{v1.name}"] = None


@v1.url_value_preprocessor
def identify(endpoint: str | None, values: dict | None) -> None:
    """Who the bearer token names, before any other code asks: URL value preprocessors run
    before every before-request function, including the app's sign-in check, which then sees
    the token's owner (or nobody). The session cookie is never read here."""
    token, reason = tokens.authenticate(request.headers.get("Authorization"))
    g.api_token, g.api_refusal = token, reason
    g._login_user = token.person if token is not None else current_app.login_manager.anonymous_user()


@v1.teardown_request
def forget(error: BaseException | None) -> None:
    """Drop who the token named: where the app context outlives the request (tests sharing
    one), the next request, to a page, must look at its own session, not this token."""
    for name in ("_login_user", "api_token", "api_refusal"):
        g.pop(name, None)


def _token_key() -> str:
    return f"api-token:{g.api_token.token_hash}"


# One budget per token across every endpoint; requests without a valid token are refused
# before they cost anything, and a guessed token is 256 random bits.
rate_limited = limiter.shared_limit(
    lambda: current_app.config["API_RATE_LIMIT"], scope="api-v1", key_func=_token_key,
    exempt_when=lambda: g.get("api_token") is None,
)


def needs_write(view: Callable) -> Callable:
    """Only a write token may change anything: a read token gets 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not g.api_token.can_write:
            raise NotPermitted("This token can only read. Make a write token to create nominations.")
        return view(*args, **kwargs)

    return wrapped


@v1.before_request
def check_what_was_sent() -> None:
    """Refuse query values holding text Storyboard cannot store or show (bodies: takes_json)."""
    for name, value in request.args.items(multi=True):
        if _UNSTORABLE.search(name) or _UNSTORABLE.search(value):
            raise BadRequest("The request holds a control character, NUL or lone surrogate.",
                             {name if not _UNSTORABLE.search(name) else "query": ["Remove the control character."]})
        if len(value) > MAX_QUERY_VALUE:
            raise BadRequest("A query parameter is too long.", {name: [f"Keep it under {MAX_QUERY_VALUE} characters."]})


def takes_json(view: Callable) -> Callable:
    """The body must be a JSON object, with no text Storyboard cannot store (415 or 400)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not request.is_json:
            return _fail(415, API_MESSAGES[415])
        try:
            body = request.get_json(silent=True)
            bad = sorted(_unstorable(body)) if isinstance(body, dict) else []
        except RecursionError:  # thousands of nested lists: no nomination looks like that
            raise BadRequest("The body is nested too deeply.") from None
        if body is None:
            raise BadRequest("The body is not valid JSON.")
        if not isinstance(body, dict):
            raise BadRequest("Send a JSON object.")
        if bad:
            raise BadRequest("The request holds a control character, NUL or lone surrogate.",
                             {field: ["Remove the control character, NUL or lone surrogate."] for field in bad})
        return view(*args, **kwargs)

    return wrapped


def _unstorable(value: Any, where: str = "") -> set[str]:
    """The fields whose name or text (at any depth) holds a character Storyboard cannot keep."""
    if isinstance(value, str):
        return {where or "body"} if _UNSTORABLE.search(value) else set()
    found: set[str] = set()
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        key_text = str(key)
        if isinstance(key, str) and _UNSTORABLE.search(key):
            found.add(where or "body")
            continue
        found |= _unstorable(item, where or key_text)
    return found


# Errors: one JSON shape for every answer that is not a success.


def error_response(status: int, message: str, fields: dict[str, list[str]] | None = None):
    body: dict[str, Any] = {"status": status, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _fail(status: int, message: str):
    db.session.rollback()
    return error_response(status, message)


@v1.errorhandler(HTTPException)
def http_error(error: HTTPException):
    status = error.code or 500
    if status == 401:
        message = g.get("api_refusal") or API_MESSAGES[401]
    elif isinstance(error, RateLimitExceeded):
        message = f"Too many requests with this token ({error.description}). Wait, then try again."
    else:
        described = error.description if error.description != type(error).description else None
        message = described or API_MESSAGES.get(status, error.name)
    response = _fail(status, message)
    if isinstance(error, RateLimitExceeded):
        response.headers["Retry-After"] = str(_retry_after())
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="storyboard"'
    return response


def _retry_after() -> int:
    """Seconds until the token's window lets a request through again (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(int(current.reset_at - time.time()) + 1, 1)


@v1.errorhandler(Refused)
def refused(error: Refused):
    db.session.rollback()
    message = str(error) or API_MESSAGES.get(error.status, "")
    return error_response(error.status, message, getattr(error, "fields", None))


@v1.errorhandler(Exception)
def unexpected(error: Exception):
    current_app.logger.exception("Unhandled error in the API")
    return _fail(500, API_MESSAGES[500])


@v1.get("/openapi.json")
@rate_limited
def openapi():
    """The OpenAPI 3.1 document, generated from the code (storyboard/api/spec.py). It needs a
    token like everything else here: Storyboard's only public pages are sign-in and its kin."""
    return jsonify(document(current_app))
