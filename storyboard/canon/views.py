"""/canon: every canon story with its lesson, the collections curators arranged, and the
reading path new hires follow; and how often a story was retold."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from storyboard.canon import collections, library
from storyboard.canon.forms import LibraryFilterForm
from storyboard.clock import utcnow
from storyboard.digest import preview as previews
from storyboard.extensions import db
from storyboard.forms import check_one_button
from storyboard.models import CanonCollection, Person, Story
from storyboard.pagination import paginate
from storyboard.urls import external_url

bp = Blueprint("canon", __name__, url_prefix="/canon")


@bp.get("/")
def library_page():
    values = library.all_values()
    form = LibraryFilterForm(values, library.canon_departments(), formdata=request.args)
    shelves = collections.all_collections()
    if not form.validate():
        return render_template("canon/library.html", form=form, page=None, told={}, filters={},
                               shelves=shelves), 400
    value = next((shown for shown in values if shown.slug == form.value.data), None)
    statement = library.canon_statement(value, form.department.data or None)
    page = paginate(statement, current_app.config["FEED_PAGE_SIZE"])
    filters = {name: data for name, data in (("value", form.value.data), ("department", form.department.data)) if data}
    told = library.retellings(story.id for story in page.items)
    # HR promotes from story pages and comes here to see the canon: the room is for them.
    room = previews.canon_room(utcnow()) if current_user.is_curator else None
    return render_template("canon/library.html", form=form, page=page, told=told, filters=filters, shelves=shelves,
                           room=room)


@bp.get("/collections/<int:collection_id>")
def collection(collection_id: int):
    return _collection_page(db.get_or_404(CanonCollection, collection_id))


@bp.get("/path")
def path():
    """The onboarding path, wherever curators put it: the link invitations and profiles give,
    which keeps working when the path moves to another collection."""
    shelf = collections.onboarding_collection()
    if shelf is None:
        return render_template("canon/no_path.html"), 404
    return _collection_page(shelf)


def _collection_page(shelf: CanonCollection):
    entries = collections.shown_entries(shelf)
    shown = [found.story_id for found in entries]
    read = collections.read_story_ids(current_user, shown) if shelf.onboarding else set()
    return render_template("canon/collection.html", collection=shelf, entries=entries, read=read)


@bp.get("/collections/<int:collection_id>/stories/<int:story_id>")
def step(collection_id: int, story_id: int):
    """One story of a collection as a step: the scenario first, then the story, then its lesson."""
    shelf = db.get_or_404(CanonCollection, collection_id)
    entries = collections.shown_entries(shelf)
    index = next((i for i, found in enumerate(entries) if found.story_id == story_id), None)
    if index is None:
        abort(404)
    read = collections.read_story_ids(current_user, [story_id]) if shelf.onboarding else set()
    return render_template(
        "canon/step.html", collection=shelf, entry=entries[index], number=index + 1, total=len(entries),
        previous=entries[index - 1] if index else None,
        following=entries[index + 1] if index + 1 < len(entries) else None,
        read=story_id in read,
    )


@bp.post("/collections/<int:collection_id>/stories/<int:story_id>/read")
def mark_read(collection_id: int, story_id: int):
    """Mark a path's story read (or not), and go on to the next one."""
    shelf = db.session.get(CanonCollection, collection_id)
    if shelf is None or not shelf.onboarding:
        abort(404, "This collection is not the reading path any more. The canon page lists what there is now.")
    entries = collections.shown_entries(shelf)
    index = next((i for i, found in enumerate(entries) if found.story_id == story_id), None)
    if index is None:
        abort(404, "That story is not on the reading path any more. The path's page shows what is.")
    check_one_button()
    read = request.form.get("read") != "no"
    collections.mark_read(current_user, entries[index].story, read)
    db.session.commit()
    following = entries[index + 1] if index + 1 < len(entries) else None
    if read and following is not None:
        return redirect(url_for("canon.step", collection_id=shelf.id, story_id=following.story_id))
    if read:
        unread = len(entries) - len(collections.read_story_ids(current_user, [found.story_id for found in entries]))
        flash("You have read every story on the path. Well read!" if not unread else
              f"That was the last story of the path; {unread} earlier {'one is' if unread == 1 else 'ones are'} "
              "still unread.", "success")
        return redirect(url_for("canon.collection", collection_id=shelf.id))
    flash("Marked as not read yet.", "info")
    return redirect(url_for("canon.step", collection_id=shelf.id, story_id=story_id))


@bp.app_template_global()
def retelling(story: Story) -> library.Retelling:
    """How often a story was retold in the digest, for its page."""
    return library.retellings([story.id]).get(story.id, library.NEVER)


@bp.app_template_global()
def new_hire_path(person: Person) -> collections.PathProgress | None:
    """The reading path and how far along it a person in their first 90 days is (profiles and
    the feed show it); None for everyone else, without a query."""
    if not getattr(person, "is_authenticated", False) or not collections.is_new_hire(person):
        return None
    return collections.path_progress(person)


@bp.app_template_global()
def reading_path_url() -> str | None:
    """Where the reading path is, for the invitation email; None when there is none. Looked up
    once per request: an import of a thousand people builds a thousand invitations."""
    if "reading_path_url" not in g:
        g.reading_path_url = external_url("canon.path") if collections.onboarding_collection() else None
    return g.reading_path_url
