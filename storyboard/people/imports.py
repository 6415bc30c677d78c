"""The people import as a web page: upload a CSV, look at exactly what it would change, apply.

The file is checked by the same importer as `flask people import` (storyboard/people/importer.py).
An upload that reads is kept as a `PeopleImport` until it is applied; its preview is worked out
afresh each time it is shown, and each preview carries a fingerprint of what it showed. Applying
works the plan out again and goes ahead only if its fingerprint is the one the admin saw: when
someone changed people in between, the admin gets the new preview instead of a surprise.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.errors import NotFound, Refused
from storyboard.extensions import db
from storyboard.models import Person
from storyboard.models.people import PeopleImport
from storyboard.people.importer import NO_ADMIN_LEFT, Plan, Row, apply_plan, check_file
from storyboard.people.invitations import build_invitations

# An upload nobody applied is forgotten after a day: the file holds personal data.
KEEP_PENDING = timedelta(days=1)
# What the preview compares, with the column's name in the CSV.
COMPARED = (("name", "name"), ("title", "job_title"), ("department", "department"),
            ("location", "location"), ("start_date", "start_date"), ("role", "role"))


class PreviewChanged(Refused):
    """The people changed between the preview and the apply: 409, with the new preview shown."""


@dataclass
class Change:
    """One existing person the import changes: each field as (column, before, after)."""

    person: Person
    line: int
    fields: list[tuple[str, str, str]]
    reactivated: bool = False


@dataclass
class Preview:
    """What applying the file would do now, or why it cannot."""

    new: list[Row] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    deactivated: list[Person] = field(default_factory=list)
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    fingerprint: str = ""
    plan: Plan | None = None
    people: list[Person] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def preview_of(data: bytes, filename: str, deactivate_missing: bool) -> Preview:
    """Check the file against the people now and describe every change it would make.
    Raises FileRefused (400) for a file that cannot be read at all."""
    people, plan, problems = check_file(data, filename, deactivate_missing)
    if plan is None:
        return Preview(problems=problems, people=people)
    email_by_id = {person.id: person.email.lower() for person in people}
    preview = Preview(new=list(plan.create), deactivated=list(plan.deactivate), unchanged=plan.unchanged,
                      plan=plan, people=people)
    for (person, row), reactivated in [(pair, False) for pair in plan.update] + [
            (pair, True) for pair in plan.reactivate]:
        role = row.role or person.role
        fields = [(column, _text(getattr(person, name)), _text(role if name == "role" else getattr(row, name)))
                  for column, name in COMPARED]
        fields.append(("manager_email", email_by_id.get(person.manager_id, ""), row.manager_email))
        changes = [(column, before, after) for column, before, after in fields if before != after]
        preview.changed.append(Change(person, row.line, changes, reactivated))
    preview.changed.sort(key=lambda change: change.line)
    preview.fingerprint = _fingerprint(preview)
    return preview


def _fingerprint(preview: Preview) -> str:
    """A digest of everything the preview shows, so a different plan has a different one."""
    shown = {
        "new": [[_text(getattr(row, name)) for name in row.__dataclass_fields__] for row in preview.new],
        "changed": [[change.person.id, change.reactivated, change.fields] for change in preview.changed],
        "deactivated": sorted(person.id for person in preview.deactivated),
        "unchanged": preview.unchanged,
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def upload(actor: Person, data: bytes, filename: str, deactivate_missing: bool, invite: bool
           ) -> tuple[PeopleImport | None, Preview]:
    """Check an uploaded file; keep it for applying if it has no problems. The caller commits."""
    db.session.execute(delete(PeopleImport).where(
        PeopleImport.applied_at.is_(None), PeopleImport.created_at < utcnow() - KEEP_PENDING))
    preview = preview_of(data, filename, deactivate_missing)
    if preview.problems:
        return None, preview
    record = PeopleImport(uploaded_by_id=actor.id, filename=filename[:255], content=data.decode("utf-8-sig"),
                          deactivate_missing=deactivate_missing, invite=invite, fingerprint=preview.fingerprint)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "people_import.upload", "people_import", record.id, None,
                 {"filename": record.filename, "deactivate_missing": deactivate_missing, "invite": invite})
    return record, preview


def pending_or_404(import_id: int) -> PeopleImport:
    record = db.session.get(PeopleImport, import_id)
    if record is None:
        raise NotFound("There is no such import: uploads nobody applied are forgotten after a day.")
    return record


def preview_record(record: PeopleImport) -> Preview:
    """The preview of a kept upload, against the people as they are now."""
    return preview_of(record.content.encode(), record.filename, record.deactivate_missing)


def apply(actor: Person, record: PeopleImport, seen: str) -> tuple[Plan, list]:
    """Apply a kept upload if it would still do what the preview with fingerprint `seen`
    showed; return the plan and the invitations to send once the caller has committed."""
    if record.applied_at is not None:
        raise Refused("This import has already been applied.")
    preview = preview_record(record)
    if preview.problems:
        message = NO_ADMIN_LEFT if preview.problems[0][0] == 0 else "some rows no longer fit the people here"
        raise PreviewChanged(f"The people changed since this preview: {message}. Nothing was imported.")
    if preview.fingerprint != seen:
        raise PreviewChanged("The people changed since you looked at this preview, so nothing was imported. "
                             "Below is what the import would do now; apply it again if it is right.")
    # One admin applies it: a second click, or a second admin at the same moment, finds it taken.
    claimed = db.session.execute(
        update(PeopleImport).where(PeopleImport.id == record.id, PeopleImport.applied_at.is_(None))
        .values(applied_at=utcnow(), applied_by_id=actor.id, content="")
    ).rowcount
    if not claimed:
        raise Refused("This import has already been applied.")
    try:
        created = apply_plan(preview.plan, preview.people, actor, note=f"people import: {record.filename}")
        invitations = build_invitations(created) if record.invite else []
        db.session.flush()
    except IntegrityError:  # someone added one of these people while it was being applied
        db.session.rollback()
        raise Refused("People changed while the import was being applied; nothing was imported. "
                      "Upload the file again.") from None
    db.session.execute(update(PeopleImport).where(PeopleImport.id == record.id)
                       .values(summary=preview.plan.summary()))
    audit.record(actor, "people_import.apply", "people_import", record.id, None,
                 {"summary": preview.plan.summary(), "invitations": len(invitations)})
    return preview.plan, invitations
