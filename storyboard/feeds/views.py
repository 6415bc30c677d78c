"""Atom feeds opened with a personal feed token, and the page where people manage theirs.

The feed routes read no session: a feed reader has none, and a session cookie sent along must
not open a feed its owner revoked. Everything about who may read comes from the token in the
URL. A token that opens nothing answers 404 with a short plain message, never 401 or 403, so
nobody can tell a revoked token from one that never existed.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storyboard import signals
from storyboard.db_helpers import MAX_ID
from storyboard.extensions import db
from storyboard.feeds import atom, tokens
from storyboard.forms import check_one_button
from storyboard.models import Person, Value
from storyboard.stories.service import active_values
from storyboard.urls import external_url

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

NO_FEED = "No feed at this address. If it is yours, get its current address on Storyboard's Feeds page.\n"


@bp.record_once
def _forget_leavers_tokens(state) -> None:
    # Connecting again (every app the tests build) changes nothing.
    signals.people_left.connect(tokens.forget_leavers)


def not_found(message: str = NO_FEED) -> Response:
    return Response(message, 404, content_type="text/plain; charset=utf-8")


@bp.get("/<token>/stories.atom")
def stories(token: str):
    if tokens.holder(token) is None:
        return not_found()
    return _serve(atom.company_feed(token))


@bp.get("/<token>/values/<slug>.atom")
def value(token: str, slug: str):
    if tokens.holder(token) is None:
        return not_found()
    shown = db.session.scalar(select(Value).where(Value.slug == slug))
    if shown is None:
        return not_found("No value has this address.\n")
    return _serve(atom.value_feed(token, shown))


@bp.get("/<token>/people/<int:person_id>.atom")
def person(token: str, person_id: int):
    if tokens.holder(token) is None:
        return not_found()
    about = db.session.get(Person, person_id)
    if about is None:
        return not_found("Nobody has this address.\n")
    return _serve(atom.person_feed(token, about))


def _serve(spec: atom.FeedSpec) -> Response:
    """The feed with a strong ETag of its bytes: a reader that has them gets 304."""
    body = atom.atom_document(spec)
    db.session.commit()  # the token's "last used"
    response = Response(body, content_type=atom.ATOM_TYPE)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    # A reader keeps what it fetched (that is its job), so "no-store" protects nothing there;
    # "private" keeps shared caches out, and "no-cache" makes readers ask again each time, so
    # a revoked token or an archived story is noticed on the next fetch. No Last-Modified: a
    # story archived or redacted can move the newest change back in time.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"  # the URL is a credential
    return response.make_conditional(request)


# The page: see the feed URLs, make or replace the token, revoke it.


@bp.get("")
def manage():
    return _page()


@bp.post("/token")
def rotate():
    """Make a token (or replace the one there is) and show its URLs, this once."""
    check_one_button()
    replaced = tokens.token_of(current_user) is not None
    token = tokens.issue(current_user)
    try:
        db.session.commit()
    except IntegrityError:  # two clicks at once both made a first token; one won
        db.session.rollback()
        flash("Your feed token was being made at the same moment. Make a new one to see its URLs.", "error")
        return redirect(url_for("feeds.manage"))
    return _page(token=token, replaced=replaced)


@bp.post("/token/revoke")
def revoke():
    check_one_button()
    if tokens.revoke(current_user):
        db.session.commit()
        flash("Your feed token is revoked: your feed URLs no longer work.", "success")
    else:
        flash("You have no feed token to revoke.", "info")
    return redirect(url_for("feeds.manage"))


def _page(token: str | None = None, replaced: bool = False):
    """The page; with `token` (just made) the URLs are shown in full, as they are only now."""
    context = {"existing": tokens.token_of(current_user), "token": token, "replaced": replaced}
    if token is not None:
        context["feeds"] = feed_links(token)
        prefix, _, suffix = external_url("feeds.person", token=token, person_id=MAX_ID).rpartition(str(MAX_ID))
        context["person_pattern"] = f"{prefix}NUMBER{suffix}"
    return render_template("feeds/manage.html", **context)


@dataclass(frozen=True)
class FeedLink:
    label: str
    url: str


def feed_links(token: str) -> list[FeedLink]:
    """The holder's feeds: every story, the stories about them, and each active value's."""
    return [
        FeedLink("Every story", external_url("feeds.stories", token=token)),
        FeedLink("Stories about you", external_url("feeds.person", token=token, person_id=current_user.id)),
        *(FeedLink(f"Stories showing {value.name}", external_url("feeds.value", token=token, slug=value.slug))
          for value in active_values()),
    ]
