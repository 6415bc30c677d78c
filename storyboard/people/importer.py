"""People import from CSV: every row is checked first, then everyone is upserted in one transaction.

Shared by `flask people import` (storyboard/people/cli.py) and the admins' page
(/people/import, storyboard/people/imports.py): both read, check, plan and apply through here.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, insert, select, update

from storyboard import signals
from storyboard.auth.roles import ROLES, leaves_no_admin
from storyboard.errors import InvalidRequest
from storyboard.extensions import db
from storyboard.models import AuditEntry, Person, Role, SignIn, Story, story_nominees
from storyboard.text import one_line

COLUMNS = ("email", "name", "title", "department", "location", "manager_email", "start_date", "role")
PERSON_COLUMNS = ("email", "name", "job_title", "department", "location", "start_date")
MAX_TEXT = 120
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NO_ADMIN_LEFT = "it would leave no active admin"


class FileRefused(InvalidRequest):
    """The file as a whole cannot be read (not UTF-8, not CSV, a wrong header): 400."""


@dataclass
class Row:
    """One record of the file, normalised."""

    line: int
    email: str
    name: str
    job_title: str
    department: str
    location: str
    manager_email: str
    start_date: date | None
    role: str | None  # None: staff for a new person, the current role for an existing one


@dataclass
class Plan:
    """What an import will change, worked out before anything is written."""

    create: list[Row] = field(default_factory=list)
    update: list[tuple[Person, Row]] = field(default_factory=list)
    reactivate: list[tuple[Person, Row]] = field(default_factory=list)
    deactivate: list[Person] = field(default_factory=list)
    unchanged: int = 0
    admins_before: int = 0
    admins_after: int = 0

    def summary(self) -> str:
        """One line counting each kind of change."""
        return (
            f"Created {len(self.create)}, updated {len(self.update)}, unchanged {self.unchanged}, "
            f"reactivated {len(self.reactivate)}, deactivated {len(self.deactivate)}."
        )


def read_records(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The checked header and each non-blank record with the line it starts on (header is 1)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"{filename} is not UTF-8 text (byte {error.start + 1} cannot be read); "
            'save it as "CSV UTF-8" and try again.'
        ) from None
    if "\x00" in text:  # never in a spreadsheet's CSV, and PostgreSQL cannot store it
        raise FileRefused(f"{filename} contains a NUL character (character {text.index(chr(0)) + 1}), "
                          'so it is not a CSV file; save it as "CSV UTF-8" and try again.')
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        check_header(header)
        start = reader.line_num + 1
        for values in reader:
            if any(value.strip() for value in values):
                records.append((start, values))
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileRefused(f"line {reader.line_num}: this is not valid CSV ({error}).") from None
    return header, records


def check_header(header: list[str]) -> None:
    """Refuse a header that misses, repeats or adds columns, naming them."""
    if not header:
        raise FileRefused("The file is empty; the first line must name the columns.")
    problems = []
    if missing := [name for name in COLUMNS if name not in header]:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown := [name for name in header if name not in COLUMNS]:
        problems.append(f"unknown column(s): {', '.join(repr(name) for name in unknown)}")
    if repeated := sorted({name for name in header if header.count(name) > 1}):
        problems.append(f"repeated column(s): {', '.join(repeated)}")
    if problems:
        expected = ", ".join(COLUMNS)
        raise FileRefused(f"The header has {'; '.join(problems)}. Expected: {expected}.")


def parse_record(line: int, values: dict[str, str]) -> tuple[Row, list[str]]:
    """The row a record describes, as far as it can be read, and the problems with it."""
    # One line each: names and titles end up in email subjects.
    values = {name: one_line(value) for name, value in values.items()}
    problems = []
    email = values["email"].lower()
    if not email:
        problems.append("email is required")
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as error:
            problems.append(f'email "{email}" is not valid: {error}')
    if not values["name"]:
        problems.append("name is required")
    for column in ("name", "title", "department", "location"):
        if len(values[column]) > MAX_TEXT:
            problems.append(f"{column} is longer than {MAX_TEXT} characters")
    given_date = values["start_date"]
    start_date = _iso_date(given_date) if given_date else None
    if given_date and start_date is None:
        problems.append(f'start_date must be a date as YYYY-MM-DD (got "{given_date}")')
    given_role = values["role"]
    role = given_role.lower() or None
    if role is not None and role not in ROLES:
        problems.append(f'role must be one of {", ".join(ROLES)} (got "{given_role}")')
    manager_email = values["manager_email"].lower()
    if email and manager_email == email:
        problems.append("a person cannot be their own manager")
    row = Row(
        line, email, values["name"], values["title"], values["department"], values["location"],
        manager_email, start_date, role,
    )
    return row, problems


def _iso_date(text: str) -> date | None:
    # fromisoformat alone also accepts 20240302 and 2024-W10-6, which the column does not allow.
    try:
        return date.fromisoformat(text) if ISO_DATE.fullmatch(text) else None
    except ValueError:
        return None


def parse_rows(
    header: list[str], records: list[tuple[int, list[str]]], known_emails: set[str]
) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows, and every problem found as (line, message) in line order."""
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    for line, values in records:
        if len(values) != len(header):
            problems.append((line, f"expected {len(header)} fields, got {len(values)}"))
            continue
        row, row_problems = parse_record(line, dict(zip(header, values, strict=True)))
        problems.extend((line, problem) for problem in row_problems)
        if (earlier := first_line.get(row.email)) is not None:
            problems.append((line, f'email "{row.email}" is a duplicate of line {earlier}'))
        elif row.email:
            first_line[row.email] = line
        rows.append(row)
    known_emails = known_emails | first_line.keys()
    for row in rows:
        manager = row.manager_email
        if manager and manager != row.email and manager not in known_emails:
            problems.append((row.line, f'manager_email "{manager}" is not in the file or the database'))
    return rows, sorted(problems, key=lambda problem: problem[0])


def manager_loops(rows: list[Row], people: list[Person]) -> list[tuple[int, str]]:
    """Rows whose chain of managers, after the import, comes back to themselves."""
    email_by_id = {person.id: person.email for person in people}
    manager_of = {person.email: email_by_id.get(person.manager_id, "") for person in people}
    manager_of |= {row.email: row.manager_email for row in rows}
    problems = []
    for row in rows:
        chain, current = [row.email], row.manager_email
        while current and current not in chain and len(chain) <= len(manager_of):
            chain.append(current)
            current = manager_of.get(current, "")
        if current == row.email and len(chain) > 1:
            problems.append((row.line, f"managers go round in a circle: {' → '.join(chain + [current])}"))
    return problems


def _fields(row: Row, person: Person | None) -> dict[str, object]:
    """The Person columns a row sets; an empty role keeps the current one."""
    role = row.role or (person.role if person is not None else Role.STAFF.value)
    return {name: getattr(row, name) for name in PERSON_COLUMNS} | {"role": role}


def plan_import(rows: list[Row], people: list[Person], deactivate_missing: bool) -> Plan:
    """Sort the rows into creations, updates and reactivations, and find who leaves."""
    by_email = {person.email.lower(): person for person in people}
    email_by_id = {person.id: person.email.lower() for person in people}
    plan = Plan(admins_before=sum(p.active and p.role == Role.ADMIN for p in people))
    for row in rows:
        person = by_email.get(row.email)
        if person is None:
            plan.create.append(row)
        elif not person.active:
            plan.reactivate.append((person, row))
        elif email_by_id.get(person.manager_id, "") != row.manager_email or any(
            getattr(person, name) != value for name, value in _fields(row, person).items()
        ):
            plan.update.append((person, row))
        else:
            plan.unchanged += 1
    in_file = {row.email for row in rows}
    missing = [person for person in people if person.active and person.email.lower() not in in_file]
    if deactivate_missing:
        plan.deactivate = missing
    staying = [] if deactivate_missing else missing
    plan.admins_after = sum(p.role == Role.ADMIN for p in staying) + sum(
        _fields(row, by_email.get(row.email))["role"] == Role.ADMIN for row in rows
    )
    return plan


def check_file(
    data: bytes, filename: str, deactivate_missing: bool
) -> tuple[list[Person], Plan | None, list[tuple[int, str]]]:
    """Read and check a whole file against everyone in the database: the people, and either
    the plan (no problems) or every problem as (line, message), line 0 for the file as a whole.
    Raises FileRefused when the file cannot be read at all."""
    header, records = read_records(data, filename)
    people = list(db.session.scalars(select(Person)))
    rows, problems = parse_rows(header, records, {person.email.lower() for person in people})
    if not problems:
        problems = manager_loops(rows, people)
    if problems:
        return people, None, problems
    plan = plan_import(rows, people, deactivate_missing)
    if leaves_no_admin(plan.admins_before, plan.admins_after):
        return people, None, [(0, NO_ADMIN_LEFT)]
    return people, plan, []


def apply_plan(plan: Plan, people: list[Person], actor: Person | None = None,
               note: str = "people import") -> list[Person]:
    """Write the plan in a few bulk statements, without committing; return the people created.
    `actor` is the admin who applied it on the web page (None from the command line)."""
    # Bulk statements, because a self-referential mapper makes the ORM flush one row at a time.
    rows = [_fields(row, None) for row in plan.create]
    created = list(db.session.scalars(insert(Person).returning(Person), rows)) if rows else []
    ids = {person.email.lower(): person.id for person in people + created}
    changes = [
        _fields(row, person) | {"id": person.id, "active": True, "manager_id": ids.get(row.manager_email)}
        for person, row in plan.update + plan.reactivate
    ]
    changes += [{"id": person.id, "active": False} for person in plan.deactivate]
    # Managers are set once every new person has an id, so rows may name managers further down.
    changes += [
        {"id": ids[row.email], "manager_id": ids[row.manager_email]}
        for row in plan.create if row.manager_email
    ]
    _audit(plan, created, actor, note)  # before the update, while the people still hold their old values
    renamed = [person.id for person, row in plan.update + plan.reactivate if person.name != row.name]
    if changes:
        db.session.execute(update(Person), changes)
    # Leavers' sessions end now; returners' old cookies stay dead and they sign in afresh.
    ended = [person.id for person in plan.deactivate] + [person.id for person, _ in plan.reactivate]
    if ended:
        db.session.execute(delete(SignIn).where(SignIn.person_id.in_(ended)))
    if plan.deactivate:
        signals.people_left.send(actor, person_ids=[person.id for person in plan.deactivate])
    _refresh_search_text_about(renamed)
    return created


def _refresh_search_text_about(person_ids: list[int]) -> None:
    """Stories about renamed people are found by the new name, not the old one."""
    if not person_ids:
        return
    db.session.expire_all()  # the bulk update bypassed the loaded people
    about = select(Story).where(
        Story.id.in_(select(story_nominees.c.story_id).where(story_nominees.c.person_id.in_(person_ids)))
    )
    for story in db.session.scalars(about):
        story.refresh_search_text()


def _audit(plan: Plan, created: list[Person], actor: Person | None, note: str) -> None:
    """Audit what admins would see changed by hand: new people, roles, leavers, returners."""
    actor_id = actor.id if actor is not None else None
    entries = [
        {"action": "person.import", "entity_type": "person", "entity_id": person.id,
         "after": {"email": person.email, "role": person.role}, "note": note}
        for person in created
    ]
    for person, row in plan.update + plan.reactivate:
        role = _fields(row, person)["role"]
        if role != person.role:
            entries.append({"action": "person.role", "entity_type": "person", "entity_id": person.id,
                            "before": {"role": person.role}, "after": {"role": role}, "note": note})
    entries += [
        {"action": "person.reactivate", "entity_type": "person", "entity_id": person.id,
         "before": {"active": False}, "after": {"active": True}, "note": note}
        for person, _ in plan.reactivate
    ]
    entries += [
        {"action": "person.deactivate", "entity_type": "person", "entity_id": person.id,
         "before": {"active": True}, "after": {"active": False}, "note": note}
        for person in plan.deactivate
    ]
    if entries:
        db.session.execute(insert(AuditEntry), [entry | {"actor_id": actor_id} for entry in entries])
