"""The friction report: the rules and processes that got in the way of published stories,
counted and listed, filed by HR under items with an owner and a status, and downloadable.

Its forms post to addresses that carry the report's filters and page, so after a change (or a
refusal shown on the form) HR is back where they were.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from storyboard.errors import InvalidRequest
from storyboard.extensions import db
from storyboard.forms import check_one_button, form_status
from storyboard.insights import friction_queries as queries
from storyboard.insights import friction_service as service
from storyboard.insights.blueprint import bp, insights_required
from storyboard.insights.common import filter_context, filter_status, page_filters
from storyboard.insights.csv_stream import csv_response
from storyboard.insights.filters import InsightFilters, company_today
from storyboard.insights.friction_forms import FileUnderItemForm, ItemForm, NewItemForm
from storyboard.models import FrictionItem, FrictionStatus, Story
from storyboard.pagination import MAX_PAGE, requested_page
from storyboard.urls import external_id_url

HERE = "insights.friction"


@bp.get("/friction")
@insights_required
def friction():
    filters = page_filters()
    return _report(filters), filter_status(filters)


@bp.get("/friction.csv")
@insights_required
def friction_csv():
    """The report's frictions as a CSV, one row per story, with the page's filters."""
    filters = page_filters()
    if filters.errors:
        raise InvalidRequest(" ".join(filters.errors))
    rows = queries.csv_rows(filters, external_id_url("stories.show", "story_id"))
    return csv_response(f"friction-{filters.start}-to-{filters.end}.csv", queries.CSV_HEADER, rows)


def _report(filters: InsightFilters, problem: dict | None = None) -> str:
    """The report page; `problem` keeps a refused filing form's story, what was typed and why."""
    show = _show()
    return render_template(
        "insights/friction.html",
        **filter_context(filters, HERE),
        totals=queries.totals(filters),
        department_counts=queries.by_department(filters),
        value_counts=queries.by_value(filters),
        trend=queries.trend(filters),
        items=queries.item_rows(filters, _number("items_page")),
        frictions=queries.friction_rows(filters, show, requested_page()),
        item_choices=queries.item_choices(),
        show=show,
        show_choices=queries.SHOW_CHOICES,
        report_args=_report_args(),
        report_url=_report_url,
        problem=problem,
        suggested_title=service.suggested_title,
        statuses=FrictionStatus,
        company_date=company_today,  # published on the company's calendar, as the filters and CSV count
    )


def _show() -> str:
    show = request.args.get("show", "all")
    return show if show in queries.SHOW_CHOICES else "all"


def _number(name: str) -> int:
    """A page number from the query string, clamped like `requested_page`; junk means 1."""
    return min(max(request.args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


REPORT_ARGS = ("start", "end", "department", "location", "show", "page", "items_page")


def _report_args() -> dict[str, str]:
    """The report's filters and pages as sent, for forms and redirects that come back to it."""
    return {name: request.args[name] for name in REPORT_ARGS if request.args.get(name)}


def _report_url(**changes) -> str:
    """The report's address as it is now, with `changes` to its arguments (None drops one)."""
    args = {name: value for name, value in (_report_args() | changes).items() if value is not None}
    return url_for(HERE, **args)


def _back_to_report():
    return redirect(url_for(HERE, **_report_args(), _anchor="frictions"))


@bp.post("/friction/stories/<int:story_id>/new-item")
@insights_required
def friction_new_item(story_id: int):
    """File a story's friction under a new item with the title HR gave it."""
    story = service.story_with_friction(story_id)
    form = NewItemForm()
    if not form.validate_on_submit():
        return _refused_filing(story_id, "new", form.title.data, _first_error(form)), 400
    item = service.create_item(story, current_user, form.title.data)
    db.session.commit()
    flash(f"Filed “{story.title}” under the new item “{item.title}”.", "success")
    return _back_to_report()


@bp.post("/friction/file")
@insights_required
def friction_file():
    """Add the frictions ticked on the report to an existing item."""
    sent = request.form.getlist("story")
    form = FileUnderItemForm()
    try:
        if not form.validate_on_submit():
            raise InvalidRequest(_first_error(form))
        story_ids = service.chosen_story_ids(sent)
        item = service.item_named(form.item.data)
    except InvalidRequest as refused:
        return _refused_filing(None, "file", form.item.data, str(refused), ticked=sent), 400
    stories = service.stories_with_friction(story_ids)
    for story in stories:
        service.file_story(story, item, current_user)
    db.session.commit()
    added = f"“{stories[0].title}”" if len(stories) == 1 else f"{len(stories)} frictions"
    flash(f"Added {added} to “{item.title}”.", "success")
    return _back_to_report()


@bp.post("/friction/stories/<int:story_id>/unfile")
@insights_required
def friction_unfile(story_id: int):
    """Take a story's friction out of its item; back to the item's page when it came from there."""
    check_one_button()
    story = db.get_or_404(Story, story_id)  # any status: a story filed, then archived, can come out
    item = service.unfile_story(story, current_user)
    db.session.commit()
    flash(f"Took “{story.title}” out of “{item.title}”.", "success")
    if request.args.get("back") == "item":
        return redirect(url_for("insights.friction_item", item_id=item.id))
    return _back_to_report()


def _refused_filing(story_id: int | None, form: str, typed: str | None, message: str,
                    ticked: list[str] = ()) -> str:
    """The report again, the refused form showing why with what was typed (and ticked)."""
    db.session.rollback()
    problem = {"story_id": story_id, "form": form, "typed": typed or "", "message": message,
               "ticked": set(ticked)}
    return _report(page_filters(), problem)


def _first_error(form) -> str:
    if "csrf_token" in form.errors:
        return "Your form expired. Reload the page and try again."
    return next(iter(form.errors.values()))[0]


@bp.route("/friction/items/<int:item_id>", methods=["GET", "POST"])
@insights_required
def friction_item(item_id: int):
    """An item's page: HR's edit of its title, owner, status and note, and its stories."""
    item = db.get_or_404(FrictionItem, item_id)
    form = ItemForm(data=None if request.method == "POST" else {
        "title": item.title, "owner": item.owner.email if item.owner else "",
        "status": item.status, "note": item.note,
    })
    if form.validate_on_submit():
        changes = service.ItemChanges(form.title.data, form.owner.data, FrictionStatus(form.status.data),
                                      form.note.data)
        try:
            told = service.update_item(item, current_user, changes)
        except service.OwnerRefused as refused:
            db.session.rollback()
            form.owner.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_saved_message(told), "success")
            return redirect(url_for("insights.friction_item", item_id=item.id))
    return render_template(
        "insights/friction_item.html", item=item, form=form,
        stories=queries.item_stories(item, requested_page()), told=service.people_told(item),
        statuses=FrictionStatus, company_date=company_today,
    ), form_status(form)


def _saved_message(told: int | None) -> str:
    if told is None:
        return "Saved."
    if told == 0:
        return "Saved. Everyone behind its published stories had already been told it changed."
    return f"Saved. {told} {'person was' if told == 1 else 'people were'} told it has changed."
