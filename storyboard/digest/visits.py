"""Readers who came from the digest, counted without a tracking pixel.

Each story link in a digest carries `via`, a signed reference to the delivery it was sent in.
An issue is rendered once for everyone with a placeholder there; each person's message gets
their own token, as it gets its own unsubscribe link. Opening such a link records one
`DigestVisit` per delivery and story (a second click, or a colleague the email was forwarded to,
adds nothing), then redirects to the story's plain address, so the token is not kept in the
browser's history or passed on when the address is shared. Nothing is loaded when the email is
merely opened: only a reader who follows a link is counted.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, current_app, redirect, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from storyboard.db_helpers import MAX_ID, insert_if_absent
from storyboard.extensions import db
from storyboard.models import DigestDelivery, DigestIssueStory, DigestVisit

VIA = "via"  # the story link's parameter
VIA_PLACEHOLDER = "digest-via-placeholder"  # in the issue as rendered; one token per message
VIA_SALT = "storyboard.digest-visit"


def _serializer() -> URLSafeSerializer:
    # No expiry: a reader may follow a link from an old issue, and that is still a reader.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=VIA_SALT)


def via_token(delivery_id: int) -> str:
    return _serializer().dumps(delivery_id)


def with_via(text: str, delivery_id: int | None) -> str:
    """`text` (a message's HTML or plain text) with each link's placeholder made this
    delivery's token, or, with no delivery (a curator's test message), with the parameter gone."""
    if delivery_id is None:
        return text.replace(f"?{VIA}={VIA_PLACEHOLDER}", "")
    return text.replace(VIA_PLACEHOLDER, via_token(delivery_id))


def delivery_for_token(token: str) -> int | None:
    """The delivery id a valid token names, or None when it is forged, altered or out of range."""
    try:
        delivery_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(delivery_id, int) or isinstance(delivery_id, bool) or not 0 < delivery_id <= MAX_ID:
        return None
    return delivery_id


def record_visit(story_id: int, token: str) -> bool:
    """Count a reader who followed a digest link to `story_id`; True if this visit was new.
    The caller commits."""
    delivery_id = delivery_for_token(token)
    if delivery_id is None:
        return False
    if not 0 < story_id <= MAX_ID:
        return False
    # Only a story that was in the delivery's issue: a deleted delivery (its person erased) or
    # story (the insert would break its foreign key), or a reader who edits the story number
    # in their link, counts nothing.
    in_issue = (
        select(DigestDelivery.id)
        .join(DigestIssueStory, DigestIssueStory.issue_id == DigestDelivery.issue_id)
        .where(DigestDelivery.id == delivery_id, DigestIssueStory.story_id == story_id)
    )
    if db.session.scalar(in_issue) is None:
        return False
    return insert_if_absent(DigestVisit.__table__, {"delivery_id": delivery_id, "story_id": story_id})


def count_and_clean(story_endpoint: str) -> Response | None:
    """On a story page reached with `via`: count the visit, then redirect to the same address
    without it (keeping any other parameters)."""
    if request.endpoint != story_endpoint or VIA not in request.args or request.method != "GET":
        return None
    story_id = (request.view_args or {}).get("story_id")
    if isinstance(story_id, int) and record_visit(story_id, request.args.get(VIA, "")[:200]):
        db.session.commit()
    rest = [(key, value) for key, value in request.args.items(multi=True) if key != VIA]
    # With the script root: under a path prefix (EXTERNAL_URL may have one) the story is there.
    return redirect(request.script_root + request.path + (f"?{urlencode(rest)}" if rest else ""), code=302)
