"""The digest on the web: every issue as a page for staff, and the next issue for curators."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from storyboard.auth.forms import EmptyForm
from storyboard.auth.roles import curator_required
from storyboard.clock import utcnow
from storyboard.curation import service as curation
from storyboard.digest import preview as previews
from storyboard.digest.candidates import next_cut
from storyboard.digest.issues import delivery_counts, issue_selection
from storyboard.digest.selection import issue_key_for
from storyboard.extensions import db
from storyboard.models import DigestIssue, Story
from storyboard.pagination import paginate

bp = Blueprint("digest_archive", __name__, url_prefix="/digest")

PAGE_SIZE = 20
ISSUE_KEY = re.compile(r"\d{4}-\d{2}-\d{2}")
NEXT_ISSUE_ACTIONS = ("hold-back", "put-back", "pin", "unpin")


@bp.app_template_filter("local_cut")
def local_cut(moment) -> str:
    """A stored naive-UTC cut as the digest's local time, e.g. "Monday 30 November 2026, 07:00"."""
    zone = ZoneInfo(current_app.config["DIGEST_TIMEZONE"])
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


@bp.get("/")
def archive():
    statement = select(DigestIssue).order_by(DigestIssue.cut_at.desc())
    return render_template("digest/archive.html", page=paginate(statement, PAGE_SIZE))


@bp.get("/issues/<issue_key>")
def issue(issue_key: str):
    if not ISSUE_KEY.fullmatch(issue_key):
        abort(404)
    found = db.first_or_404(select(DigestIssue).where(DigestIssue.issue_key == issue_key))
    selection, stories = issue_selection(found)
    by_id = {story.id: story for story in stories}
    return render_template(
        "digest/issue.html",
        issue=found,
        new=[by_id[i] for i in selection.new],
        canon=[by_id[i] for i in selection.canon],
        also_new=[by_id[i] for i in selection.also_new],
        withdrawn=len(found.stories) - len(stories),
        counts=delivery_counts(found) if current_user.is_curator else None,
    )


@bp.get("/next")
@curator_required
def next_issue():
    return render_template(
        "digest/next.html", preview=previews.next_issue_preview(utcnow()), form=EmptyForm()
    )


@bp.post("/next/<int:story_id>/<action>")
@curator_required
def change_next_issue(story_id: int, action: str):
    """Swap a story out of the coming issue, let it back in, or pin a fresh story into it."""
    if action not in NEXT_ISSUE_ACTIONS:
        abort(404)
    story = db.get_or_404(Story, story_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "Your form expired. Reload the page and try again.")
    coming = issue_key_for(next_cut(utcnow()))
    if request.form.get("issue_key") != coming:
        abort(409, f"That issue has been cut already; the next one is {coming}. "
                   "Reload the preview and choose again.")
    if action == "hold-back":
        previews.hold_back(story, current_user, coming)
        message = f"“{story.title}” is held back from the coming issue."
    elif action == "put-back":
        previews.put_back(story, current_user, coming)
        message = f"“{story.title}” may go in the coming issue again."
    else:
        try:
            curation.set_pinned(story, current_user, action == "pin")
        except curation.CurationRefused as refused:
            db.session.rollback()
            abort(409, str(refused))
        message = f"“{story.title}” is pinned." if action == "pin" else f"“{story.title}” is unpinned."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("digest_archive.next_issue"))
