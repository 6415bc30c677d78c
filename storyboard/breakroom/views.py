"""The break room's pages: the story of the week, a story's print version, and their QR codes.

Printing follows the story page's rule for who may read a story (404 for anyone else, so the
address says nothing about a story one may not read), and then asks for a published story:
a draft or a rejected story on a notice board would put words in colleagues' mouths that HR
never agreed to, so the nominator and curators, who may read it, are told why it cannot be
printed (409).
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storyboard.breakroom import qr
from storyboard.breakroom.week import story_of_the_week
from storyboard.clock import utcnow
from storyboard.errors import NotFound, Refused
from storyboard.extensions import db
from storyboard.models import Story, StoryStatus
from storyboard.stories import service

bp = Blueprint("breakroom", __name__)


@bp.get("/breakroom/")
def week():
    """The story of the week, ready to print; or what to do when there is none."""
    pick = story_of_the_week(utcnow())
    if pick is None:
        return render_template("breakroom/empty.html")
    return render_template("breakroom/sheet.html", story=pick.story, pick=pick, **_codes(pick.story))


@bp.get("/stories/<int:story_id>/print")
def print_story(story_id: int):
    """A published story as one printed page, with its QR codes."""
    story = _load(story_id)
    if story is not None and story.merged_into_id and not service.can_view(current_user, story):
        # As on the story page: an old link to a merged duplicate leads to the story it joined.
        return redirect(url_for("breakroom.print_story", story_id=story.merged_into_id))
    story = _printable(story)
    return render_template("breakroom/sheet.html", story=story, pick=None, **_codes(story))


@bp.get("/breakroom/qr/story/<int:story_id>.svg")
def story_code(story_id: int):
    """The "Read it and applaud" code: the same access as the sheet it is printed on."""
    story = _printable(_load(story_id))
    return qr.svg_response(qr.story_url(story.id))


@bp.get("/breakroom/qr/nominate.svg")
def nominate_code():
    """The "Tell us about a colleague" code: everyone signed in may nominate."""
    return qr.svg_response(qr.nominate_url())


def _load(story_id: int) -> Story | None:
    """The story with the people and values a sheet names."""
    return db.session.scalars(
        select(Story).where(Story.id == story_id)
        .options(selectinload(Story.nominees), selectinload(Story.values))
    ).first()


def _printable(story: Story | None) -> Story:
    """The story, if the reader may read it (404 otherwise, as on its page) and it is published."""
    if story is None or not service.can_view(current_user, story):
        raise NotFound()
    if not story.is_published:
        raise Refused(
            f"This story is {StoryStatus(story.status).label}, so it cannot be printed for the break room: "
            "only published stories go on the notice board."
        )
    return story


def _codes(story: Story) -> dict[str, str]:
    """The addresses the sheet prints under its codes (the codes themselves are images)."""
    return {"story_url": qr.story_url(story.id), "nominate_url": qr.nominate_url()}
