"""The JSON API v1 (/api/v1/, storyboard/api/v1.py and the modules that add its routes), and the
signed-in page where people make and revoke their personal access tokens (HTML, CSRF)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from storyboard.api import nominations, read, tokens  # noqa: F401  nominations and read add their routes to v1
from storyboard.api.forms import TokenForm
from storyboard.api.v1 import v1
from storyboard.clock import utcnow
from storyboard.errors import Refused
from storyboard.extensions import db
from storyboard.forms import check_one_button

bp = Blueprint("api", __name__)
bp.register_blueprint(v1)


@bp.get("/settings/tokens")
def token_list():
    return _page(TokenForm())


@bp.post("/settings/tokens")
def create_token():
    """Make a token and show its secret, once: the page is answered directly (never through a
    redirect, which would carry the secret in the session cookie), and stored by nobody."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    days = int(form.expires.data) if form.expires.data else None
    expires_at = utcnow() + timedelta(days=days) if days else None
    try:
        token, secret = tokens.create(current_user, form.name.data, form.scope.data, expires_at)
    except Refused as refused:
        db.session.rollback()
        form.name.errors = [str(refused)]
        return _page(form, status=409)
    db.session.commit()
    return _page(TokenForm(formdata=None), created=token, secret=secret)


@bp.post("/settings/tokens/<int:api_token_id>/revoke")
def revoke_token(api_token_id: int):
    check_one_button()
    token = tokens.revoke(current_user, api_token_id)
    db.session.commit()
    flash(f"The token “{token.name}” is revoked: anything using it is refused from now on.", "success")
    return redirect(url_for("api.token_list"))


def _page(form: TokenForm, status: int = 200, **shown):
    return render_template("api/tokens.html", form=form, tokens=tokens.tokens_of(current_user), now=utcnow(),
                           **shown), status
