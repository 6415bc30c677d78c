"""The writer's own ways out before HR decides: withdraw a story from review, delete a draft.

Its routes join the stories blueprint (`register`, called by stories/views.py), which keeps that
module short. Who may do what, and from which status, is stories.lifecycle's to say: a refusal
there is a 403 (not the writer) or a 409 (not a draft, not waiting for review) with its message.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from storyboard.extensions import db
from storyboard.forms import check_one_button
from storyboard.models import StoryRevision
from storyboard.stories import lifecycle, service

CONFIRMED = "yes"  # the confirmation page's second button sends confirm=yes


def register(bp: Blueprint) -> None:
    """Add the routes to the stories blueprint."""
    bp.add_url_rule("/stories/<int:story_id>/withdraw", view_func=withdraw, methods=["POST"])
    bp.add_url_rule("/stories/<int:story_id>/delete", view_func=delete_draft, methods=["POST"])


def withdraw(story_id: int):
    """The writer takes a story out of HR's queue; it is a draft again, theirs to change."""
    story = service.get_story_for(current_user, story_id)
    check_one_button()
    lifecycle.withdraw(story, current_user)
    db.session.commit()
    flash("Your story is withdrawn from review and is a draft again. HR will not see it in the queue; "
          "change it and submit it again whenever you like.", "success")
    return redirect(url_for("stories.show", story_id=story.id))


def delete_draft(story_id: int):
    """The first post asks to confirm (a page, so it works without JavaScript); the second,
    with confirm=yes, deletes the draft and lands on My stories."""
    story = service.get_story_for(current_user, story_id)
    check_one_button()
    lifecycle.check_deletable(story, current_user)
    if request.form.get("confirm") != CONFIRMED:
        saves = db.session.scalar(
            select(func.count()).select_from(StoryRevision).where(StoryRevision.story_id == story.id)
        )
        return render_template("stories/delete.html", story=story, saves=saves, confirmed=CONFIRMED)
    title = story.title
    lifecycle.delete_draft(story, current_user)
    db.session.commit()
    flash(f"Your draft “{title}” is deleted.", "success")
    return redirect(url_for("stories.mine"))
