"""Leaving the digest: a signed per-person link, and RFC 8058 one-click unsubscribe.

`GET` changes nothing and offers "monthly instead" or "unsubscribe". `POST` with the body
`List-Unsubscribe=One-Click` comes from a mail provider with no cookie and no CSRF token, so the
view is exempt from CSRFProtect and checks for itself: either that exact body, or a valid form
(with its CSRF token) choosing monthly or never. Both answer 200 with no redirect.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer

from storyboard.auth.forms import EmptyForm
from storyboard.auth.service import external_url
from storyboard.db_helpers import MAX_ID
from storyboard.digest.subscriptions import set_digest_frequency
from storyboard.extensions import csrf, db, limiter
from storyboard.models import Person

bp = Blueprint("digest", __name__, url_prefix="/digest")

UNSUBSCRIBE_SALT = "storyboard.digest-unsubscribe"
CHOICES = ("monthly", "never")


def _serializer() -> URLSafeSerializer:
    # No expiry: a link in a digest from last year must still work.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(person) -> str:
    """The signed token in a person's unsubscribe link; its payload is the person's id."""
    return _serializer().dumps(person.id)


def unsubscribe_url(person) -> str:
    """The absolute https (EXTERNAL_URL) link for List-Unsubscribe and the email's footer."""
    return external_url("digest.unsubscribe", token=unsubscribe_token(person))


def person_for_unsubscribe_token(token: str) -> Person | None:
    """The person a valid token names, or None when it is tampered with or names nobody."""
    try:
        person_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(person_id, int) or isinstance(person_id, bool) or not 0 < person_id <= MAX_ID:
        return None
    return db.session.get(Person, person_id)


def _rate_limit() -> str:
    return current_app.config["DIGEST_UNSUBSCRIBE_RATE_LIMIT"]


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_rate_limit, methods=["POST"])
def unsubscribe(token: str):
    one_click = request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and not one_click and current_app.config["WTF_CSRF_ENABLED"]:
        # Exempt from CSRFProtect for the one-click body only: the page's own form still needs
        # its token, refused with the usual CSRF error page.
        csrf.protect()
    person = person_for_unsubscribe_token(token)
    if person is None:
        abort(404)
    form = EmptyForm()
    if request.method == "GET":
        return render_template("digest/unsubscribe.html", person=person, form=form, done=None)
    choice = "never" if one_click else request.form.get("choice")
    if choice not in CHOICES:
        abort(400)
    if person.digest_frequency != choice:  # idempotent: a repeat changes nothing
        set_digest_frequency(person, choice)
        db.session.commit()
    return render_template("digest/unsubscribe.html", person=person, form=form, done=choice)
