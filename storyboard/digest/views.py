"""The digest on the web: every issue as a page for staff, the next issue for curators, leaving
the digest from an emailed link, and a nominee keeping a story about them out of digests."""
from __future__ import annotations

import re
import smtplib
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, select

from storyboard import mail
from storyboard.auth.roles import curator_required
from storyboard.clock import utcnow
from storyboard.curation import service as curation
from storyboard.db_helpers import insert_if_absent
from storyboard.digest import preview as previews
from storyboard.digest import visits
from storyboard.digest.forms import IntroductionForm
from storyboard.digest.issues import coming_cut, delivery_counts, introduction_for, issue_selection
from storyboard.digest.selection import issue_key_for
from storyboard.digest.subscriptions import person_for_unsubscribe_token, set_digest_frequency
from storyboard.extensions import csrf, db, limiter
from storyboard.forms import EmptyForm, check_one_button
from storyboard.models import DigestIssue, Story, story_digest_opt_outs
from storyboard.pagination import paginate
from storyboard.settings import setting
from storyboard.stories.service import get_story_for

bp = Blueprint("digest", __name__)  # paths spelled out: the consent button lives under /stories

PAGE_SIZE = 20
ISSUE_KEY = re.compile(r"\d{4}-\d{2}-\d{2}")
NEXT_ISSUE_ACTIONS = ("hold-back", "put-back", "pin", "unpin")
UNSUBSCRIBE_CHOICES = ("monthly", "never")


@bp.before_app_request
def count_digest_readers():
    """A story link from a digest email: count the reader, then show the plain address."""
    return visits.count_and_clean("stories.show")


@bp.app_template_filter("local_cut")
def local_cut(moment) -> str:
    """A stored naive-UTC cut as the digest's local time, e.g. "Monday 30 November 2026, 07:00"."""
    zone = ZoneInfo(setting("DIGEST_TIMEZONE"))
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


@bp.get("/digest/")
def archive():
    statement = select(DigestIssue).order_by(DigestIssue.cut_at.desc())
    return render_template("digest/archive.html", page=paginate(statement, PAGE_SIZE))


@bp.get("/digest/issues/<issue_key>")
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


@bp.get("/digest/next")
@curator_required
def next_issue():
    preview = previews.next_issue_preview(utcnow())
    form = IntroductionForm(introduction=introduction_for(preview.issue_key) or "")
    return _next_page(preview, form)


def _next_page(preview: previews.NextIssuePreview, form: IntroductionForm, status: int = 200):
    return render_template("digest/next.html", preview=preview, form=EmptyForm(), intro_form=form,
                           pinnable=previews.PINNABLE), status


def _coming_issue_key() -> str:
    """The key of the issue the next cut makes; a form for another one is out of date."""
    coming = issue_key_for(coming_cut(utcnow()))
    if request.form.get("issue_key") != coming:
        abort(409, f"That issue has been cut already; the next one is {coming}. "
                   "Reload the preview and choose again.")
    return coming


@bp.post("/digest/next/introduction")
@curator_required
def save_introduction():
    """Write (or clear) the few lines that open the coming issue."""
    form = IntroductionForm()
    if not form.validate_on_submit():
        return _next_page(previews.next_issue_preview(utcnow()), form, 400)
    coming = issue_key_for(coming_cut(utcnow()))
    if request.form.get("issue_key") != coming:
        # Shown again with what was typed: the page it came from was for an issue since cut
        # (or moved by a new schedule), and the form below is for the one coming now.
        form.introduction.errors.append(f"The issue you wrote this for has been cut or moved; the coming one is "
                                        f"{coming}. Check the text still fits it and save again.")
        return _next_page(previews.next_issue_preview(utcnow()), form, 409)
    previews.save_introduction(coming, form.introduction.data, current_user)
    db.session.commit()
    flash("The introduction is saved: it opens the coming issue." if form.introduction.data
          else "The introduction is removed.", "success")
    return redirect(url_for("digest.next_issue", _anchor="issue-introduction"))


@bp.post("/digest/next/test")
@curator_required
@limiter.limit("10 per hour", key_func=lambda: f"digest-test:{current_user.id}")
def send_test():
    """Send the coming issue, as it would go now, to the curator alone."""
    check_one_button()
    _coming_issue_key()
    preview = previews.next_issue_preview(utcnow())
    if preview.selection.is_empty:
        flash("Nothing qualifies for the coming issue yet, so there is nothing to send.", "info")
        return redirect(url_for("digest.next_issue"))
    try:
        mail.send([previews.test_message(preview, current_user)])
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Test digest to %s failed", current_user.email)
        flash("The test could not be sent: the mail server did not take it. Try again later.", "error")
    else:
        flash(f"A test of the coming issue is on its way to {current_user.email}.", "success")
    return redirect(url_for("digest.next_issue"))


@bp.post("/digest/next/<int:story_id>/<action>")
@curator_required
def change_next_issue(story_id: int, action: str):
    """Swap a story out of the coming issue, let it back in, or pin a fresh story into it."""
    if action not in NEXT_ISSUE_ACTIONS:
        abort(404)
    story = db.get_or_404(Story, story_id)
    check_one_button()
    coming = _coming_issue_key()
    if action == "hold-back":
        previews.hold_back(story, current_user, coming)
        message = f"“{story.title}” is held back from the coming issue."
    elif action == "put-back":
        previews.put_back(story, current_user, coming)
        message = f"“{story.title}” may go in the coming issue again."
    else:
        curation.set_pinned(story, current_user, action == "pin")
        message = f"“{story.title}” is pinned." if action == "pin" else f"“{story.title}” is unpinned."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("digest.next_issue"))


# Leaving the digest.


def _rate_limit() -> str:
    return current_app.config["DIGEST_UNSUBSCRIBE_RATE_LIMIT"]


@bp.route("/digest/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_rate_limit, methods=["POST"])
def unsubscribe(token: str):
    """Leave the digest (or take it monthly) from the signed link in every issue.

    `GET` changes nothing and offers "monthly instead" or "unsubscribe". `POST` with the body
    `List-Unsubscribe=One-Click` (RFC 8058) comes from a mail provider with no cookie and no CSRF
    token, so the view is exempt from CSRFProtect and checks for itself: either that exact body,
    or a valid form (with its CSRF token) choosing monthly or never. Both answer 200.
    """
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
    if choice not in UNSUBSCRIBE_CHOICES:
        abort(400)
    if person.digest_frequency != choice:  # idempotent: a repeat changes nothing
        set_digest_frequency(person, choice)
        db.session.commit()
    return render_template("digest/unsubscribe.html", person=person, form=form, done=choice)


# A nominee's consent.


@bp.post("/stories/<int:story_id>/digest-consent")
def story_consent(story_id: int):
    """A nominee keeps a story about them out of digests, or lets it back in."""
    story = get_story_for(current_user, story_id)
    if current_user not in story.nominees:
        abort(403, "Only the people a story is about can keep it out of digests.")
    check_one_button()
    keys = {"story_id": story.id, "person_id": current_user.id}
    if request.form.get("keep_out") == "yes":
        insert_if_absent(story_digest_opt_outs, keys)
        flash("This story will not appear in digests.", "success")
    else:
        db.session.execute(
            delete(story_digest_opt_outs).where(
                story_digest_opt_outs.c.story_id == story.id,
                story_digest_opt_outs.c.person_id == current_user.id,
            )
        )
        flash("This story may appear in digests again.", "success")
    db.session.commit()
    return redirect(url_for("stories.show", story_id=story.id))
