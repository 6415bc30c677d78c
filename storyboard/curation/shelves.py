"""The review queue's pages: its tabs (waiting, changes requested, old drafts, rejected,
archived), the policy on showing old drafts' titles, and moving several waiting stories at once.

Every tab keeps the filters (department, value, age) in its links, so a curator moving between
tabs and pages keeps looking at the same slice of the company.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from storyboard.auth.roles import admin_required, curator_required
from storyboard.curation import bulk as bulk_moves
from storyboard.curation import queue
from storyboard.curation.blueprint import bp, queue_args
from storyboard.curation.forms import BulkForm, DecisionNoteForm, DraftTitlesForm
from storyboard.extensions import db
from storyboard.forms import EmptyForm
from storyboard.models import Story
from storyboard.pagination import keyset_paginate
from storyboard.people.service import departments
from storyboard.stories.service import active_values


def _tab_context(tab: queue.Tab, filters: queue.QueueFilters) -> dict:
    """What every tab shows around its list: the tabs with their counts, and the filters."""
    return {
        "tab": tab,
        "tabs": queue.TABS,
        "counts": queue.tab_counts(),
        "filters": filters,
        "age_choices": queue.AGE_CHOICES,
        "departments": departments(),
        "values": active_values(),
    }


def _page(tab: queue.Tab, statement):
    return keyset_paginate(statement, tab.moment, Story.id, current_app.config["QUEUE_PAGE_SIZE"],
                           descending=not tab.oldest_first, moment_of=tab.since)


def render_waiting(note_form: DecisionNoteForm, failed_story_id: int | None = None,
                   confirm_story_id: int | None = None, confirm_message: str = "",
                   bulk_form: BulkForm | None = None):
    """The waiting tab: each story in full with its own buttons, and a box to tick it for a
    bulk move. Shown again with a problem when one of its forms was refused."""
    filters = queue.QueueFilters.from_request(request)
    page = _page(queue.WAITING, queue.waiting_stories(filters))
    context = _tab_context(queue.WAITING, filters)
    return render_template(
        "curation/queue.html",
        **context,
        page=page,
        stories=page.items,
        total_waiting=context["counts"][queue.WAITING.endpoint],
        waited_days=queue.waited_days,
        action_form=EmptyForm(),
        note_form=note_form,
        failed_story_id=failed_story_id,
        confirm_story_id=confirm_story_id,
        confirm_message=confirm_message,
        bulk_form=bulk_form or BulkForm(formdata=None),
        queue_args=queue_args(),
    )


@bp.get("/changes-requested", endpoint="changes_requested")
@bp.get("/rejected", endpoint="rejected")
@bp.get("/archived", endpoint="archived")
@curator_required
def shelf():
    """Stories sent back to their writers, rejected or archived: who, about whom, since when, and why."""
    tab = queue.TAB_BY_ENDPOINT[request.endpoint]
    filters = queue.QueueFilters.from_request(request)
    page = _page(tab, queue.tab_stories(tab, filters))
    return render_template("curation/shelf.html", **_tab_context(tab, filters), page=page)


@bp.get("/old-drafts")
@curator_required
def old_drafts():
    """Drafts nobody has touched for over two weeks: how many, by department, and (only when
    the policy allows) which."""
    filters = queue.QueueFilters.from_request(request)
    shown = queue.draft_titles_shown()
    page = _page(queue.OLD_DRAFTS, queue.tab_stories(queue.OLD_DRAFTS, filters)) if shown else None
    return render_template(
        "curation/old_drafts.html",
        **_tab_context(queue.OLD_DRAFTS, filters),
        page=page,
        titles_shown=shown,
        draft_counts=queue.old_draft_counts(filters),
        old_draft_days=queue.OLD_DRAFT_DAYS,
        queue_args=queue_args(),
    )


@bp.post("/old-drafts/titles")
@admin_required
def draft_titles():
    """Show or hide old drafts' titles and writers: an admin's choice, audited."""
    form = DraftTitlesForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "Your form expired. Reload the page and try again.")
        abort(400, next(iter(form.errors.values()))[0])
    shown = form.show.data == "yes"
    if queue.show_draft_titles(current_user, shown):
        db.session.commit()
        flash("Old drafts now show their titles and writers." if shown
              else "Old drafts now show only how many there are.", "success")
    return redirect(url_for("curation.old_drafts", **queue_args()))


@bp.post("/bulk")
@curator_required
def bulk():
    """Publish or reject the stories ticked on the waiting tab, then show that tab again as it
    was (filters and page), saying what moved and what could not, and why."""
    form = BulkForm()
    if not form.validate_on_submit():
        return render_waiting(DecisionNoteForm(formdata=None), bulk_form=form), 400
    publishing = form.action.data == "publish"
    # Each ticked story's seen-<id>: what the page showed of it (lifecycle.seen_token).
    seen = {story_id: request.form[f"seen-{story_id}"] for story_id in form.story.data
            if f"seen-{story_id}" in request.form}
    if publishing:
        result = bulk_moves.publish_selected(form.story.data, current_user, seen)
    else:
        result = bulk_moves.reject_selected(form.story.data, current_user, form.reason.data.strip(), seen)
    db.session.commit()
    for category, message in bulk_moves.report(result, published=publishing):
        flash(message, category)
    return redirect(url_for("curation.queue", **queue_args()))
