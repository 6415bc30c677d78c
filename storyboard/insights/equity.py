"""Recognition equity (`/insights/equity`): who and which departments have had no published
story lately, with a link to nominate each person.

Curators see everyone, a list per manager's reports, and departments; a manager who is not a
curator sees only their own active reports. The 90- and 180-day windows count back from today
(the date-range filter of the other insights pages does not apply); department and location do.
Each list is a page of its own (`show`), so 2,000 people stay one short page at a time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from storyboard.db_helpers import parse_id
from storyboard.extensions import db
from storyboard.insights.blueprint import bp, curator_or_manager_required, sees_everyone
from storyboard.insights.common import filter_context, page_filters
from storyboard.insights.filters import company_today, company_zone
from storyboard.insights.recognition import (
    RECENT_DAYS,
    WINDOWS,
    Scope,
    Windows,
    company_date,
    equity_counts,
    manager_summary,
    managers_with_reports,
    unrecognised_departments,
    unrecognised_people,
    with_last_recognised,
)
from storyboard.models import Person
from storyboard.pagination import Page, requested_page

PAGE_SIZE = 50
LISTS = ("people", "newcomers", "departments", "managers")
CURATORS_ONLY = ("departments", "managers")


@dataclass(frozen=True)
class PersonRow:
    person: Person
    last_recognised_on: date | None  # the company's day of their latest published story
    started_on: date  # their start date, or the day they were added when it is unknown


@dataclass(frozen=True)
class EquityChoices:
    """What the URL asks for besides department and location, and what could not be read."""

    show: str = "people"
    within: int = RECENT_DAYS
    manager_id: int | None = None
    errors: tuple[str, ...] = ()


def read_choices(args, managers: dict[int, tuple[str, bool]] | None) -> EquityChoices:
    """The list, window and manager asked for; `managers` is None for a manager who is not a
    curator, who may only see their own reports (anything else is a 403)."""
    errors = []
    show = args.get("show", "people")
    if show not in LISTS:
        errors.append("There is no such list here: showing the people with no recent story.")
        show = "people"
    if managers is None and show in CURATORS_ONLY:
        abort(403)
    within_text = args.get("within", str(RECENT_DAYS))
    within = int(within_text) if within_text in {str(days) for days in WINDOWS} else None
    if within is None:
        errors.append(f"Choose {' or '.join(str(days) for days in WINDOWS)} days: showing {RECENT_DAYS}.")
        within = RECENT_DAYS
    manager_text = args.get("manager", "")
    manager_id = None
    if managers is None:
        asked = parse_id(manager_text)
        if manager_text and asked is None:
            errors.append("That is not a manager's id: showing your reports.")
        elif asked is not None and asked != current_user.id:
            abort(403)  # another manager's team
        manager_id = current_user.id
    elif manager_text:
        manager_id = parse_id(manager_text)
        if manager_id not in managers:
            errors.append("Nobody with active reports has that id: showing everyone.")
            manager_id = None
    return EquityChoices(show, within, manager_id, tuple(errors))


def paged_rows(statement, per_page: int = PAGE_SIZE) -> Page:
    """One page of (row...) tuples; `storyboard.pagination.paginate` pages single entities."""
    number = requested_page()
    rows = db.session.execute(statement.limit(per_page + 1).offset((number - 1) * per_page)).all()
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page)


def list_for(choices: EquityChoices, scope: Scope, windows: Windows):
    """The page (or, for departments, the whole short list) the chosen tab shows."""
    zone = company_zone()
    if choices.show in ("people", "newcomers"):
        newcomers = choices.show == "newcomers"
        page = paged_rows(unrecognised_people(scope, windows, choices.within, newcomers))
        page.items = [
            PersonRow(person, company_date(last, zone), person.start_date or company_date(person.created_at, zone))
            for person, last in with_last_recognised(page.items)
        ]
        return page
    if choices.show == "managers":
        return paged_rows(manager_summary(scope, windows))
    return [(row, company_date(row.last_story_at, zone))
            for row in unrecognised_departments(scope, windows, choices.within)]


@bp.get("/equity")
@curator_or_manager_required
def equity():
    filters = page_filters()
    everyone = sees_everyone()
    managers = {id_: (name, active) for id_, name, active in managers_with_reports()} if everyone else None
    choices = read_choices(request.args, managers)
    scope = Scope(filters, choices.manager_id)
    windows = Windows(company_today())
    errors = filters.errors + choices.errors
    return render_template(
        "insights/equity.html",
        **filter_context(filters, "insights.equity"),
        everyone=everyone,
        managers=managers,
        choices=choices,
        errors=errors,
        windows=windows,
        counts=equity_counts(scope, windows),
        listing=list_for(choices, scope, windows),
        page_args=_page_args(filters, choices, everyone),
    ), 400 if errors else 200


def _page_args(filters, choices: EquityChoices, everyone: bool) -> dict[str, str]:
    """The URL parameters that keep this page's filters on its tabs and pager links."""
    args = {key: value for key, value in filters.query_args().items() if key in ("department", "location")}
    if everyone and choices.manager_id is not None:
        args["manager"] = str(choices.manager_id)
    if choices.within != RECENT_DAYS:
        args["within"] = str(choices.within)
    return args
