"""Curators arrange the canon: collections, their order, their stories and scenarios, and how
far new hires got along the reading path."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from storyboard.auth.roles import curator_required
from storyboard.canon import collections
from storyboard.canon.forms import AddStoryForm, CollectionForm, ScenarioForm
from storyboard.canon.views import bp
from storyboard.extensions import db
from storyboard.forms import check_one_button, form_status
from storyboard.models import CanonCollection, Story

MOVES = {"move-up": -1, "move-down": 1}


def _collection(collection_id: int) -> CanonCollection:
    return db.get_or_404(CanonCollection, collection_id)


def _edit_page(shelf: CanonCollection, form: CollectionForm | None = None, add: AddStoryForm | None = None,
               scenario_errors: dict[int, ScenarioForm] | None = None, status: int = 200):
    """The collection's edit page; a refused form is shown again where it was, with its errors."""
    outside = collections.canon_stories_outside(shelf)
    add = add or AddStoryForm()
    add.story.choices = [("", "Choose a canon story"), *((story.id, story.title) for story in outside)]
    entries = collections.shown_entries(shelf)
    scenarios = {found.story_id: ScenarioForm(formdata=None, scenario=found.scenario or "") for found in entries}
    scenarios.update(scenario_errors or {})
    return render_template(
        "canon/edit_collection.html", collection=shelf, form=form or CollectionForm(obj=shelf),
        add=add, entries=entries, scenarios=scenarios, hidden=_hidden_count(shelf, entries),
    ), status


def _hidden_count(shelf: CanonCollection, entries) -> int:
    """Entries readers do not see now (their story left the canon or was archived)."""
    return len(shelf.entries) - len(entries)


@bp.route("/collections/new", methods=["GET", "POST"])
@curator_required
def new_collection():
    form = CollectionForm()
    if form.validate_on_submit():
        try:
            shelf = collections.save_collection(None, current_user, name=form.name.data,
                                                introduction=form.introduction.data, onboarding=form.onboarding.data)
        except collections.CollectionError as refused:
            form.name.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"The collection “{shelf.name}” is created. Now add its stories.", "success")
            return redirect(url_for("canon.edit_collection", collection_id=shelf.id))
    return render_template("canon/new_collection.html", form=form), form_status(form)


@bp.route("/collections/<int:collection_id>/edit", methods=["GET", "POST"])
@curator_required
def edit_collection(collection_id: int):
    shelf = _collection(collection_id)
    form = CollectionForm(obj=shelf)
    if not form.validate_on_submit():
        return _edit_page(shelf, form, status=form_status(form))
    try:
        collections.save_collection(shelf, current_user, name=form.name.data,
                                    introduction=form.introduction.data, onboarding=form.onboarding.data)
    except collections.CollectionError as refused:
        form.name.errors.append(str(refused))
        return _edit_page(shelf, form, status=400)
    db.session.commit()
    flash("The collection is saved.", "success")
    return redirect(url_for("canon.edit_collection", collection_id=shelf.id))


@bp.post("/collections/<int:collection_id>/delete")
@curator_required
def delete_collection(collection_id: int):
    shelf = _collection(collection_id)
    check_one_button()
    name = shelf.name
    collections.delete_collection(shelf, current_user)
    db.session.commit()
    flash(f"The collection “{name}” is deleted; its stories stay in the canon.", "success")
    return redirect(url_for("canon.library_page"))


@bp.post("/collections/<int:collection_id>/<any('move-up', 'move-down'):move>")
@curator_required
def move_collection(collection_id: int, move: str):
    shelf = _collection(collection_id)
    check_one_button()
    if collections.move_collection(shelf, current_user, MOVES[move]):
        db.session.commit()
    return redirect(url_for("canon.library_page", _anchor="collections"))


@bp.post("/collections/<int:collection_id>/stories")
@curator_required
def add_story(collection_id: int):
    shelf = _collection(collection_id)
    add = AddStoryForm()
    story = None
    if add.validate_on_submit():
        story = db.session.get(Story, add.story.data) if add.story.data else None
        if story is None or not (story.in_canon and story.status == "published"):
            add.story.errors.append("Choose a published canon story from the list.")
    if add.errors or story is None:
        return _edit_page(shelf, add=add, status=400)
    if collections.add_story(shelf, story, current_user, add.scenario.data):
        flash(f"“{story.title}” is added at the end.", "success")
    else:
        flash(f"“{story.title}” is in this collection already.", "info")
    db.session.commit()
    return redirect(url_for("canon.edit_collection", collection_id=shelf.id, _anchor="stories"))


@bp.post("/collections/<int:collection_id>/stories/<int:story_id>/scenario")
@curator_required
def set_scenario(collection_id: int, story_id: int):
    shelf = _collection(collection_id)
    found = collections.entry(shelf, story_id) or abort(404)
    form = ScenarioForm()
    if not form.validate_on_submit():
        return _edit_page(shelf, scenario_errors={story_id: form}, status=400)
    collections.set_scenario(found, current_user, form.scenario.data)
    db.session.commit()
    flash("The scenario is saved." if form.scenario.data else "The scenario is removed.", "success")
    return redirect(url_for("canon.edit_collection", collection_id=shelf.id, _anchor=f"entry-{story_id}"))


@bp.post("/collections/<int:collection_id>/stories/<int:story_id>/<any('move-up', 'move-down', 'remove'):change>")
@curator_required
def change_entry(collection_id: int, story_id: int, change: str):
    shelf = _collection(collection_id)
    found = collections.entry(shelf, story_id) or abort(404)
    check_one_button()
    if change == "remove":
        title = found.story.title
        collections.remove_story(found, current_user)
        flash(f"“{title}” is taken out of the collection (it stays in the canon).", "success")
    else:
        collections.move_story(found, current_user, MOVES[change])
    db.session.commit()
    return redirect(url_for("canon.edit_collection", collection_id=shelf.id, _anchor="stories"))


@bp.get("/progress")
@curator_required
def progress():
    """How far new hires got along the reading path: each person, and the share who finished."""
    shelf = collections.onboarding_collection()
    rows, total = collections.new_hire_progress(shelf) if shelf else ([], 0)
    finished = sum(1 for row in rows if total and row.read >= total)
    started = sum(1 for row in rows if row.read)
    return render_template("canon/progress.html", collection=shelf, rows=rows, total=total,
                           finished=finished, started=started, new_hire_days=collections.NEW_HIRE_DAYS)
