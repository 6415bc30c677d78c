"""Curators say which departments face customers (front line) and which work backstage.

Departments are names on people, so only departments of active people can be classified;
a department without a `DepartmentKind` row is "not classified". Every change is audited.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, update

from storyboard.audit import record
from storyboard.db_helpers import insert_if_absent
from storyboard.errors import InvalidRequest
from storyboard.extensions import db
from storyboard.insights.figures import department_kinds
from storyboard.models import DepartmentKind, Person
from storyboard.people.service import departments

# What the form sends for each choice, and what it means.
KIND_CHOICES = {"front_line": True, "backstage": False, "": None}
KIND_NAMES = {True: "front_line", False: "backstage", None: "not_classified"}


def classify_departments(actor: Person, choices: Iterable[tuple[str, str]]) -> int:
    """Store each (department, kind) choice; returns how many departments changed. The caller
    commits. Refuses the whole form if one department or kind is not one it offered."""
    known, stored = set(departments()), department_kinds()
    wanted: dict[str, bool | None] = {}
    for department, kind in choices:
        if department not in known:
            raise InvalidRequest(
                f"No active people work in a department called “{department[:60]}”: reload the page and try again."
            )
        if kind not in KIND_CHOICES:
            raise InvalidRequest("Choose front line, backstage or not classified for each department.")
        if department in wanted:
            raise InvalidRequest(f"The department “{department[:60]}” was sent twice: reload the page and try again.")
        wanted[department] = KIND_CHOICES[kind]
    changed = 0
    for department, front_line in wanted.items():
        before = stored.get(department)
        if front_line == before:
            continue
        _store(department, front_line)
        record(actor, "department.kind", "department", 0,
               before={"department": department, "kind": KIND_NAMES[before]},
               after={"department": department, "kind": KIND_NAMES[front_line]})
        changed += 1
    return changed


def _store(department: str, front_line: bool | None) -> None:
    if front_line is None:
        db.session.execute(delete(DepartmentKind).where(DepartmentKind.department == department))
        return
    # Insert-or-update in statements: two curators saving at once must not both insert.
    if not insert_if_absent(DepartmentKind.__table__, {"department": department, "front_line": front_line}):
        db.session.execute(
            update(DepartmentKind).where(DepartmentKind.department == department).values(front_line=front_line)
        )
