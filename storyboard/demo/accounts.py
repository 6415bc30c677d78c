"""The three demo sign-ins: the only demo people with a password."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from storyboard.demo.company import HEAD_OFFICE, DemoPerson
from storyboard.extensions import db
from storyboard.models import Person, Role

# Bandit B105 checked: the demo's published password, printed by `make run`.
DEMO_PASSWORD = "storyboard-demo"  # nosec B105


@dataclass(frozen=True)
class DemoAccount:
    """A fixed demo sign-in and the person behind it."""

    email: str
    role: str
    name: str
    job_title: str
    department: str
    location: str
    tenure_days: int
    manager_title: str  # whom they report to, if the seeded company has one


DEMO_ACCOUNTS = (
    DemoAccount(
        "admin@demo.example.com", Role.ADMIN.value, "Morgan Reyes", "HR Systems Lead",
        "HR", HEAD_OFFICE, 2900, "Head of People",
    ),
    DemoAccount(
        "curator@demo.example.com", Role.CURATOR.value, "Priya Shah", "People Partner",
        "HR", HEAD_OFFICE, 1800, "HR Manager",
    ),
    DemoAccount(
        "staff@demo.example.com", Role.STAFF.value, "Sam Taylor", "Customer Support Advisor",
        "Customer Support", "Leeds Contact Centre", 700, "Team Leader",
    ),
)
STAFF_EMAIL = DEMO_ACCOUNTS[2].email


def existing_accounts() -> list[Person]:
    """The demo sign-ins already in the database, in the order of DEMO_ACCOUNTS."""
    emails = [account.email for account in DEMO_ACCOUNTS]
    found = {p.email: p for p in db.session.scalars(select(Person).where(Person.email.in_(emails)))}
    return [found[email] for email in emails if email in found]


def demo_people(
    company: list[DemoPerson], first_id: int, anchor: datetime
) -> tuple[list[DemoPerson], list[DemoPerson]]:
    """The three demo sign-ins as demo people, and which of them are new (ids from `first_id`)."""
    stored = {person.email: person for person in existing_accounts()}
    people, new = [], []
    for account in DEMO_ACCOUNTS:
        if account.email in stored:
            people.append(_from_stored(stored[account.email], anchor))
            continue
        person = _new_account(account, first_id + len(new), company, anchor)
        people.append(person)
        new.append(person)
    return people, new


def _new_account(
    account: DemoAccount, person_id: int, company: list[DemoPerson], anchor: datetime
) -> DemoPerson:
    manager = _manager_for(account, company)
    start = (anchor - timedelta(days=account.tenure_days)).date()
    return DemoPerson(
        id=person_id,
        name=account.name,
        job_title=account.job_title,
        department=account.department,
        location=account.location,
        start_date=start,
        email=account.email,
        manager_id=manager.id if manager else None,
        role=account.role,
        password_hash=generate_password_hash(DEMO_PASSWORD),
        created_at=anchor - timedelta(days=min(account.tenure_days, 1000)),
    )


def _manager_for(account: DemoAccount, company: list[DemoPerson]) -> DemoPerson | None:
    """Their manager's title in the same department (and location, if possible), else the top."""
    candidates = [
        person for person in company
        if person.job_title == account.manager_title and person.department == account.department
    ]
    local = [p for p in candidates if p.location == account.location]
    for choice in (local, candidates, company):
        if choice:
            return choice[0]
    return None


def _from_stored(person: Person, anchor: datetime) -> DemoPerson:
    return DemoPerson(
        id=person.id,
        name=person.name,
        job_title=person.job_title,
        department=person.department,
        location=person.location,
        start_date=person.start_date or (anchor - timedelta(days=365)).date(),
        email=person.email,
        manager_id=person.manager_id,
        role=person.role,
        active=person.active,
    )


def login_lines(people: list[Person]) -> list[str]:
    """How the command prints the sign-ins that exist."""
    lines = [f"Demo sign-ins (password: {DEMO_PASSWORD}):"]
    for person in people:
        who = f"{person.name}, {person.job_title}, {person.department}"
        lines.append(f"  {person.email:<30} {person.role:<8} {who}")
    return lines
