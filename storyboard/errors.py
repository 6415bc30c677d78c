"""One handler for every HTTP error: an HTML page, or JSON for paths under /api/."""
from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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
        if request.path.startswith("/api/"):
            return {"error": message, "status": code}, code
        response = render_template("errors/error.html", code=code, message=message, title=error.name)
        return response, code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return http_error(InternalServerError())
