"""One way to refuse, and one handler for every HTTP error: an HTML page, JSON for paths under
/api/, or the body an integration registered for its own paths (SCIM's Error resource).

Services never call abort(): they raise a `Refused` (or a subclass named for what it refuses),
and the handler here rolls the session back and answers with the refusal's status and message.
A view catches a refusal only to show a page again with what was typed (and then keeps the
status).
"""
from collections.abc import Callable

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from storyboard.extensions import db

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that.",
    404: "There is nothing at this address.",
    405: "That action is not allowed here.",
    409: "That change conflicts with the current state.",
    413: "That is too large to accept.",
    415: "Send this as a form.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged.",
}


# Path prefix -> how errors there are answered (status, message, the exception), for protocols
# whose clients read a body of their own (SCIM). Filled in by the features that own the paths.
ERROR_BODIES: dict[str, Callable[[int, str, HTTPException], Response]] = {}


def answer_errors_under(prefix: str, answer: Callable[[int, str, HTTPException], Response]) -> None:
    """Answer every HTTP error under `prefix` (and `prefix` itself) with `answer`, addresses no
    route matches included (an unknown path, a wrong method)."""
    ERROR_BODIES[prefix.rstrip("/")] = answer


def _registered_answer(path: str) -> Callable[[int, str, HTTPException], Response] | None:
    for prefix, answer in ERROR_BODIES.items():
        if path == prefix or path.startswith(f"{prefix}/"):
            return answer
    return None


class Refused(Exception):
    """A change the current state or the rules do not allow: 409 with this message."""

    status = 409


class InvalidRequest(Refused):
    """What was sent cannot be acted on (a text that is not there, a bad page cursor): 400."""

    status = 400


class NotPermitted(Refused):
    """The person may see this but not do that: 403."""

    status = 403


class NotFound(Refused):
    """Nothing here, or nothing this person may see (the two look the same): 404."""

    status = 404


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 500:
            db.session.rollback()
        if isinstance(error, CSRFError):
            message = "Your form expired or was sent from elsewhere. Reload the page and try again."
        else:
            description = error.description or ""
            generic = type(error).description
            message = description if description and description != generic else MESSAGES.get(code, description)
        answer = _registered_answer(request.path)
        if answer is not None:
            return answer(code, message, error)
        if request.path.startswith("/api/"):  # the JSON API's shape (storyboard/api/)
            return {"error": {"status": code, "message": message}}, code
        response = render_template("errors/error.html", code=code, message=message, title=error.name)
        return response, code

    @app.errorhandler(Refused)
    def refused(error: Refused):
        db.session.rollback()  # nothing half-done by the refused change is kept
        return http_error(default_exceptions[error.status](description=str(error) or None))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return http_error(InternalServerError())
