"""/people/import: an admin uploads a CSV, sees exactly what would change, and applies it."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import AuditEntry, Person
from storyboard.models.people import PeopleImport
from tests.people.test_import import HEADER

pytestmark = pytest.mark.usefixtures("ctx")


def csv_upload(*lines: str, raw: bytes | None = None, name: str = "staff.csv") -> tuple:
    return io.BytesIO(raw if raw is not None else ("\n".join(lines) + "\n").encode()), name


def send(client, *lines: str, raw: bytes | None = None, deactivate: bool = False, invite: bool = True,
         name: str = "staff.csv"):
    """Post the file, encoded in memory: the test client would spool a large body to a temporary
    file it never closes (a ResourceWarning, an error here; see tests/photos/test_upload.py)."""
    stream, name = csv_upload(*lines, raw=raw, name=name)
    fields = MultiDict({"file": FileStorage(stream, name, content_type="text/csv")})
    if deactivate:
        fields["deactivate_missing"] = "y"
    if invite:
        fields["invite"] = "y"
    boundary, body = encode_multipart(fields)
    return client.post("/people/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def fingerprint(html: str) -> str:
    return re.search(r'name="fingerprint"[^>]*value="([0-9a-f]{64})"', html).group(1)


def count_people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


@pytest.fixture
def admin(as_role):
    return as_role("admin", email="admin@example.com", name="Ada Admin")


def test_the_preview_shows_every_change_and_applying_does_exactly_that(client, admin, make_person, smtp_server):
    boss = make_person(email="boss@example.com", name="Bea Boss", job_title="Director", department="Ops",
                       location="Leeds")
    make_person(email="same@example.com", name="Sam Same", job_title="Advisor", department="Support",
                location="Leeds")
    leaver = make_person(email="leaver@example.com", name="Lee Leaver")
    response = send(client, HEADER,
                    "admin@example.com,Ada Admin,Advisor,Support,Leeds,,,",
                    "boss@example.com,Bea Boss,CEO,Ops,York,,,",
                    "same@example.com,Sam Same,Advisor,Support,Leeds,,,",
                    "new@example.com,Nia New,Picker,Warehouse,Hull,boss@example.com,2026-01-05,",
                    deactivate=True)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Applying will create 1, change 1 and deactivate 1; 2 people stay as they are." in html
    assert "Nia New" in html and "new@example.com" in html
    assert "<code>title</code>: Director → CEO" in html and "<code>location</code>: Leeds → York" in html
    assert "Lee Leaver" in html and "Sam Same" not in html
    assert count_people() == 4  # nothing yet

    applied = client.post(page.request.path + "/apply", data={"fingerprint": fingerprint(html)})
    assert applied.status_code == 302
    done = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert "Created 1, updated 1, unchanged 2, reactivated 0, deactivated 1. Sent 1 invitation." in done
    db.session.expire_all()
    new = db.session.scalars(select(Person).where(Person.email == "new@example.com")).one()
    assert (new.manager_id, new.start_date.isoformat()) == (boss.id, "2026-01-05")
    assert (boss.job_title, boss.location, leaver.active) == ("CEO", "York", False)
    assert [message["To"] for message in smtp_server.messages] == ["new@example.com"]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "person")).all()
    assert {(e.action, e.entity_id, e.actor_id) for e in entries} == {
        ("person.import", new.id, admin.id), ("person.deactivate", leaver.id, admin.id)}
    assert all(e.note == "people import: staff.csv" for e in entries)
    record = db.session.scalars(select(PeopleImport)).one()
    assert record.content == "" and record.applied_by_id == admin.id  # the file's personal data is gone
    again = client.post(f"/people/import/{record.id}/apply", data={"fingerprint": fingerprint(html)})
    assert again.status_code == 409 and count_people() == 5


def test_when_people_change_after_the_preview_nothing_is_applied(client, admin, make_person):
    cat = make_person(email="cat@example.com", name="Cat", job_title="Clerk")
    response = send(client, HEADER, "cat@example.com,Cat,Manager,Support,Leeds,,,")
    page = client.get(response.headers["Location"])
    seen = fingerprint(page.get_data(as_text=True))
    db.session.execute(update(Person).where(Person.id == cat.id).values(job_title="Supervisor"))
    db.session.commit()
    refused = client.post(page.request.path + "/apply", data={"fingerprint": seen})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "The people changed since you looked at this preview, so nothing was imported." in html
    assert "<code>title</code>: Supervisor → Manager" in html  # the preview as it is now
    db.session.expire_all()
    assert cat.job_title == "Supervisor"
    assert client.post(page.request.path + "/apply", data={"fingerprint": fingerprint(html)}).status_code == 302
    db.session.expire_all()
    assert cat.job_title == "Manager"


def test_bad_rows_are_listed_with_their_lines_and_the_choices_are_kept(client, admin):
    response = send(client, HEADER, "ok@example.com,Ok,,,,,,", "bad,,,,,,tomorrow,", "x@example.com,X,,,,,,boss",
                    deactivate=True, invite=False)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing can be imported from staff.csv" in html
    for line, problem in [(3, 'email "bad" is not valid'), (3, "name is required"),
                          (3, 'start_date must be a date as YYYY-MM-DD (got "tomorrow")'),
                          (4, 'role must be one of staff, curator, admin (got "boss")')]:
        assert re.search(rf"Line {line}</td><td[^>]*>{re.escape(problem)}", html.replace("&#34;", '"')), problem
    assert " checked " in re.search(r'<input[^>]*id="deactivate_missing"[^>]*>', html).group(0)
    assert " checked " not in re.search(r'<input[^>]*id="invite"[^>]*>', html).group(0)
    assert count_people() == 1 and db.session.scalar(select(func.count()).select_from(PeopleImport)) == 0


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "The file is empty"),
    (b"email,name\nx@example.com,X\n", "The header has missing column(s): title"),
    (f"{HEADER}\nJosé,José,,,,,,\n".encode("cp1252"), "staff.csv is not UTF-8 text"),
    (f"{HEADER}\na@example.com,A\x00,,,,,,\n".encode(), "staff.csv contains a NUL character (character 83)"),
])
def test_a_file_that_cannot_be_read_says_why(client, admin, raw, message):
    response = send(client, raw=raw)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "choose the file again" in response.get_data(as_text=True)


@pytest.mark.parametrize("rows", [15_000, 40_000])  # just over the limit, and far over the request's
def test_a_file_over_the_limit_is_refused(app, client, admin, rows):
    app.config["PEOPLE_IMPORT_MAX_BYTES"] = 512 * 1024
    response = send(client, HEADER, *[f"p{n}@example.com,Person {n},,,,,," for n in range(rows)])
    assert response.status_code == 413
    assert "That file is too large: at most 0.5 MB." in response.get_data(as_text=True)
    assert count_people() == 1


def test_no_file_is_a_form_error(client, admin):
    response = client.post("/people/import", data={"invite": "y"})
    assert response.status_code == 400
    assert "Choose the CSV file to import." in response.get_data(as_text=True)


def test_an_import_that_would_leave_no_admin_is_refused(client, admin):
    response = send(client, HEADER, "other@example.com,Other,,,,,,", deactivate=True)
    assert response.status_code == 400
    assert "it would leave no active admin" in response.get_data(as_text=True)


def test_staff_and_curators_cannot_import(client, as_role):
    for role in ("staff", "curator"):
        as_role(role)
        assert client.get("/people/import").status_code == 403
        assert send(client, HEADER, "a@example.com,A,,,,,,").status_code == 403
    assert count_people() == 2


def test_uploads_nobody_applied_are_forgotten_after_a_day(client, admin):
    send(client, HEADER, "a@example.com,A,,,,,,")
    db.session.execute(update(PeopleImport).values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    send(client, HEADER, "b@example.com,B,,,,,,")
    db.session.expire_all()
    kept = db.session.scalars(select(PeopleImport)).all()
    assert [("a@example.com" in r.content, "b@example.com" in r.content) for r in kept] == [(False, True)]


def test_a_file_name_is_kept_as_one_clean_line(client, admin):
    """The name the browser sends is shown and audited: no NUL (PostgreSQL refuses it), no
    terminal escapes or line breaks, no folders."""
    from storyboard.models import PeopleImport

    response = send(client, "email,name,title,department,location,manager_email,start_date,role",
                    "new.starter@example.com,New Starter,,,,,,", name="HR/2026/a\x00b\x1b[31m\tstaff.csv")
    assert response.status_code == 302  # to the preview
    [record] = db.session.scalars(select(PeopleImport)).all()
    assert record.filename == "a b [31m staff.csv"
