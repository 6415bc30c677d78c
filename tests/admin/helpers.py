"""Small readers of pages and of the audit log, shared by the admin tests."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import AuditEntry, Value


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    """Audit entries, oldest first, optionally only one action."""
    db.session.expire_all()
    statement = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    return list(db.session.scalars(statement))


def value_names() -> list[str]:
    """Every value's name in list order, retired ones included."""
    db.session.expire_all()
    return list(db.session.scalars(select(Value.name).order_by(Value.position, Value.id)))


def value_by_slug(slug: str) -> Value:
    db.session.expire_all()
    return db.session.scalar(select(Value).where(Value.slug == slug))


class _Inputs(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name, self.values = name, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == self.name:
            self.values.append(attributes.get("value"))


def input_values(html: str, name: str) -> list[str]:
    """The `value` of every <input name=...> on a page, e.g. the nomination form's value boxes."""
    parser = _Inputs(name)
    parser.feed(html)
    return parser.values


def row(html: str, element_id: str) -> str:
    """The HTML of the table row with this id."""
    match = re.search(rf'<tr id="{re.escape(element_id)}">(.*?)</tr>\s*(?=<tr id=|</tbody>)', html, re.DOTALL)
    assert match, f"no row {element_id}"
    return match.group(1)


def text(response) -> str:
    return response.get_data(as_text=True)
