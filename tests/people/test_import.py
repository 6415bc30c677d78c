"""`flask people import`: upsert people from CSV, reject bad files whole, invite the new people."""
import re
import socket
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storyboard import mail
from storyboard.extensions import db
from storyboard.models import Person

HEADER = "email,name,title,department,location,manager_email,start_date,role"


@pytest.fixture
def import_csv(runner, tmp_path):
    """Write the lines (or raw bytes) to a CSV file and run the import command on it."""

    def run(*lines: str, options: tuple[str, ...] = (), raw: bytes | None = None):
        path = tmp_path / "people.csv"
        path.write_bytes(raw if raw is not None else ("\n".join(lines) + "\n").encode())
        return runner.invoke(args=["people", "import", str(path), *options])

    return run


def everyone() -> dict[str, Person]:
    return {person.email: person for person in db.session.scalars(select(Person))}


def count_people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def link_in(message) -> str:
    body = message.get_payload(decode=True).decode()
    match = re.search(r"https://storyboard\.example\.com(/auth/set-password/\S+)", body)
    assert match, body
    return match.group(1)


def test_creates_people_and_prints_the_summary(app, ctx, import_csv):
    result = import_csv(
        HEADER,
        " Ann.Lee@Example.com ,Ann Lee,Picker,Warehouse,Hull,BOSS@example.com,2024-03-01,",
        "boss@example.com, Bea Boss ,Director,Warehouse,Leeds,,,Admin",
        "cy@example.com,Cy Curator,,,,,,curator",
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        "Created 3, updated 0, unchanged 0, reactivated 0, deactivated 0. Sent 3 invitations."
    )
    people = everyone()
    assert sorted(people) == ["ann.lee@example.com", "boss@example.com", "cy@example.com"]
    ann, boss, cy = people["ann.lee@example.com"], people["boss@example.com"], people["cy@example.com"]
    assert (ann.name, ann.job_title, ann.department) == ("Ann Lee", "Picker", "Warehouse")
    assert ann.location == "Hull"
    assert ann.start_date == date(2024, 3, 1) and ann.role == "staff" and ann.active
    assert ann.manager == boss and boss.manager is None
    assert (boss.name, boss.role, boss.start_date) == ("Bea Boss", "admin", None)
    assert cy.role == "curator" and cy.job_title == ""
    assert not any(person.has_password for person in people.values())
    assert len(list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))) == 3  # no MAIL_SERVER here


def test_updates_changed_people_and_keeps_roles_when_the_column_is_empty(ctx, make_person, import_csv):
    cat = make_person(email="cat@example.com", name="Cat", job_title="Clerk", department="Sales",
                      location="York", role="curator")
    make_person(email="dan@example.com", name="Dan", job_title="Driver", department="Transport",
                location="Hull", role="admin")
    eve = make_person(email="eve@example.com", name="Eve", role="staff")
    result = import_csv(
        HEADER,
        "cat@example.com,Cat Smith,Clerk,Sales,York,dan@example.com,2020-01-06,",
        "dan@example.com,Dan,Driver,Transport,Hull,,,",
        "eve@example.com,Eve,Advisor,Support,Leeds,,,curator",
        "fay@example.com,Fay,,,,,,",
    )
    assert result.exit_code == 0, result.output
    assert "Created 1, updated 2, unchanged 1, reactivated 0, deactivated 0." in result.output
    people = everyone()
    assert (cat.name, cat.role, cat.start_date) == ("Cat Smith", "curator", date(2020, 1, 6))
    assert cat.manager == people["dan@example.com"]
    assert people["dan@example.com"].role == "admin"
    assert eve.role == "curator"
    assert len(people) == 4 and all(person.active for person in people.values())


def test_people_not_in_the_file_stay_active_without_the_flag(ctx, make_person, import_csv):
    stayer = make_person()
    result = import_csv(HEADER, "new@example.com,New Person,,,,,,")
    assert result.exit_code == 0, result.output
    assert "deactivated 0" in result.output
    assert stayer.active


def test_importing_the_same_file_twice_changes_nothing_the_second_time(ctx, import_csv, smtp_server):
    lines = (
        HEADER,
        "gus@example.com,Gus,Chef,Kitchen,Leeds,hal@example.com,2023-05-02,",
        "hal@example.com,Hal,,,,,,admin",
    )
    assert import_csv(*lines).exit_code == 0
    before = {email: (p.name, p.manager_id, p.role, p.start_date) for email, p in everyone().items()}
    result = import_csv(*lines)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Created 0, updated 0, unchanged 2, reactivated 0, deactivated 0. Sent 0 invitations."
    )
    assert {email: (p.name, p.manager_id, p.role, p.start_date) for email, p in everyone().items()} == before
    assert len(smtp_server.messages) == 2


def test_managers_resolve_within_the_file_and_to_people_already_there(ctx, make_person, import_csv):
    boss = make_person(email="boss@example.com", name="Existing Boss")
    result = import_csv(
        HEADER,
        "ida@example.com,Ida,,,,BOSS@Example.com,,",
        "jon@example.com,Jon,,,,kim@example.com,,",  # Kim's row comes later
        "kim@example.com,Kim,,,,ida@example.com,,",
    )
    assert result.exit_code == 0, result.output
    people = everyone()
    assert people["ida@example.com"].manager == boss
    assert people["jon@example.com"].manager == people["kim@example.com"]
    assert people["kim@example.com"].manager == people["ida@example.com"]
    assert [report.email for report in boss.reports] == ["ida@example.com"]

    result = import_csv(HEADER, "ida@example.com,Ida,,,,,,", "jon@example.com,Jon,,,,kim@example.com,,")
    assert "Created 0, updated 1, unchanged 1" in result.output
    assert people["ida@example.com"].manager is None  # an empty manager_email clears it


GOOD_ROW = "good@example.com,Good Row,,,,,,"


@pytest.mark.parametrize(("row", "problem"), [
    ("not-an-email,Ann,,,,,,", 'email "not-an-email" is not valid: '),
    ("ann@example..com,Ann,,,,,,", 'email "ann@example..com" is not valid: '),
    (",Ann,,,,,,", "email is required"),
    ("ann@example.com,,Title,,,,,", "name is required"),
    ("ann@example.com," + "n" * 121 + ",,,,,,", "name is longer than 120 characters"),
    ("ann@example.com,Ann," + "t" * 121 + ",,,,,", "title is longer than 120 characters"),
    ("ann@example.com,Ann,," + "d" * 121 + ",,,,", "department is longer than 120 characters"),
    ("ann@example.com,Ann,,," + "l" * 121 + ",,,", "location is longer than 120 characters"),
    ("ann@example.com,Ann,,,,,2024-02-30,", 'start_date must be a date as YYYY-MM-DD (got "2024-02-30")'),
    ("ann@example.com,Ann,,,,,03/02/2024,", 'start_date must be a date as YYYY-MM-DD (got "03/02/2024")'),
    ("ann@example.com,Ann,,,,,20240302,", 'start_date must be a date as YYYY-MM-DD (got "20240302")'),
    ("ann@example.com,Ann,,,,,,boss", 'role must be one of staff, curator, admin (got "boss")'),
    ("ann@example.com,Ann,,,,nobody@example.com,,",
     'manager_email "nobody@example.com" is not in the file or the database'),
    ("ann@example.com,Ann,,,,ANN@example.com,,", "a person cannot be their own manager"),
    ("ann@example.com,Ann", "expected 8 fields, got 2"),
    ("ann@example.com,Ann,,,,,,,extra", "expected 8 fields, got 9"),
    (" GOOD@example.com,Good Again,,,,,,", 'email "good@example.com" is a duplicate of line 2'),
])
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_imported(
    ctx, make_person, import_csv, row, problem
):
    existing = make_person(email="existing@example.com", name="Existing")
    result = import_csv(HEADER, GOOD_ROW, row, "existing@example.com,Renamed,,,,,,")
    assert result.exit_code == 1
    assert f"line 3: {problem}" in result.output
    assert "line 2:" not in result.output and "line 4:" not in result.output
    assert "Nothing was imported: 1 problem(s)." in result.output
    db.session.expire_all()
    assert count_people() == 1
    assert existing.name == "Existing"


def test_every_bad_row_is_reported_with_its_physical_line(ctx, make_person, import_csv, smtp_server):
    make_person(email="existing@example.com", name="Existing", role="admin")
    result = import_csv(
        HEADER,
        'lou@example.com,Lou,,,"Hull',  # a quoted value over two lines: lines 2 and 3
        'Docks",,,',
        "max@example.com,Max,,,,nobody@example.com,,boss",
        GOOD_ROW,
        "",
        "bad,,,,,,tomorrow,",
        "lou@example.com,Lou Again,,,,,,",
    )
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if "line " in line]
    assert problems == [
        'Error: line 4: role must be one of staff, curator, admin (got "boss")',
        'line 4: manager_email "nobody@example.com" is not in the file or the database',
        'line 7: email "bad" is not valid: An email address must have an @-sign.',
        "line 7: name is required",
        'line 7: start_date must be a date as YYYY-MM-DD (got "tomorrow")',
        'line 8: email "lou@example.com" is a duplicate of line 2',
    ]
    assert "Nothing was imported: 6 problem(s)." in result.output
    assert count_people() == 1 and smtp_server.messages == []


@pytest.mark.parametrize(("header", "message"), [
    ("email,name,title,department,location,manager_email,start_date", "The header has missing column(s): role."),
    (HEADER + ",nickname,shoe size", "The header has unknown column(s): 'nickname', 'shoe size'."),
    ("email,name,title,department,location,manager_email,start_date,role,role",
     "The header has repeated column(s): role."),
    ("mail,name,title,department,location,manager_email,start_date,role",
     "The header has missing column(s): email; unknown column(s): 'mail'."),
])
def test_a_bad_header_is_refused_naming_the_columns(ctx, import_csv, header, message):
    result = import_csv(header, GOOD_ROW)
    assert result.exit_code == 1
    assert message in result.output
    assert f"Expected: {HEADER.replace(',', ', ')}." in result.output
    assert count_people() == 0


def test_an_empty_file_is_refused(ctx, import_csv):
    result = import_csv(raw=b"")
    assert result.exit_code == 1
    assert "The file is empty" in result.output


def test_a_file_that_is_not_utf8_is_refused(ctx, import_csv):
    content = f"{HEADER}\njose@example.com,José Núñez,,,,,,\n".encode("cp1252")
    result = import_csv(raw=content)
    assert result.exit_code == 1
    assert "people.csv is not UTF-8 text" in result.output
    assert 'save it as "CSV UTF-8"' in result.output
    assert count_people() == 0


def test_a_byte_order_mark_and_header_case_are_tolerated(ctx, import_csv):
    header = "Email, Name ,Title,Department,Location,Manager_Email,Start_Date,ROLE"  # as spreadsheets write it
    content = f"{header}\r\nzoe@example.com,Zoë Núñez,,,,,,\r\n".encode("utf-8-sig")
    result = import_csv(raw=content, options=("--no-invite",))
    assert result.exit_code == 0, result.output
    assert everyone()["zoe@example.com"].name == "Zoë Núñez"


def test_deactivate_missing_deactivates_leavers(ctx, make_person, import_csv):
    admin = make_person(email="admin@example.com", name="Admin", role="admin")
    mover = make_person(email="mover@example.com", name="Mover", location="Leeds")
    leaver = make_person(email="leaver@example.com", name="Leaver")
    gone = make_person(email="gone@example.com", name="Long Gone", active=False)
    result = import_csv(
        HEADER,
        "admin@example.com,Admin,Advisor,Support,Leeds,,,",
        "mover@example.com,Mover,Advisor,Support,York,admin@example.com,,",
        "newbie@example.com,Newbie,,,,mover@example.com,,",
        options=("--deactivate-missing", "--no-invite"),
    )
    assert result.exit_code == 0, result.output
    assert "Created 1, updated 1, unchanged 1, reactivated 0, deactivated 1." in result.output
    assert admin.active and admin.role == "admin"
    assert mover.active and mover.location == "York" and mover.manager == admin
    assert everyone()["newbie@example.com"].manager == mover
    assert not leaver.active and not gone.active


@pytest.mark.parametrize(("rows", "options"), [
    (["staff@example.com,Staff Member,,,,,,"], ("--deactivate-missing",)),
    (["admin@example.com,Admin,,,,,,staff", "other@example.com,Other,,,,,,curator"], ()),
])
def test_an_import_that_would_leave_no_active_admin_is_refused(
    ctx, make_person, import_csv, rows, options
):
    admin = make_person(email="admin@example.com", name="Admin", role="admin")
    result = import_csv(HEADER, *rows, options=options)
    assert result.exit_code == 1
    assert "Nothing was imported: it would leave no active admin." in result.output
    db.session.expire_all()
    assert admin.active and admin.role == "admin"
    assert count_people() == 1


def test_an_admin_in_the_file_satisfies_the_admin_guard(ctx, make_person, import_csv):
    old_admin = make_person(email="admin@example.com", name="Admin", role="admin")
    result = import_csv(
        HEADER, "new.admin@example.com,New Admin,,,,,,admin", options=("--deactivate-missing", "--no-invite")
    )
    assert result.exit_code == 0, result.output
    assert not old_admin.active and everyone()["new.admin@example.com"].is_admin


def test_an_inactive_person_in_the_file_is_reactivated_without_an_invitation(
    ctx, make_person, import_csv, smtp_server
):
    returner = make_person(email="back@example.com", name="Back Again", role="curator", active=False)
    result = import_csv(HEADER, "back@example.com,Back Again,Picker,Warehouse,Hull,,,")
    assert result.exit_code == 0, result.output
    assert "unchanged 0, reactivated 1, deactivated 0. Sent 0 invitations." in result.output
    assert returner.active and returner.job_title == "Picker" and returner.role == "curator"
    assert smtp_server.messages == []


def test_new_people_are_invited_over_one_connection_with_links_that_work(
    client, ctx, make_person, import_csv, smtp_server, monkeypatch
):
    make_person(email="old@example.com", name="Old Hand")
    connections = []
    connect = mail.connect
    monkeypatch.setattr(mail, "connect", lambda: connections.append(1) or connect())
    result = import_csv(
        HEADER,
        "old@example.com,Old Hand,Advisor,Support,Leeds,,,",
        "New.One@Example.com,New One,,,,,,",
        "new.two@example.com,New Two,,,,,,",
    )
    assert result.exit_code == 0, result.output
    assert "Created 2, updated 0, unchanged 1, reactivated 0, deactivated 0. Sent 2 invitations." in result.output
    assert len(connections) == 1
    recipients = sorted(message["To"] for message in smtp_server.messages)
    assert recipients == ["new.one@example.com", "new.two@example.com"]
    message = next(m for m in smtp_server.messages if m["To"] == "new.one@example.com")
    assert "invited" in message["Subject"]
    link = link_in(message)
    page = client.get(link)
    assert page.status_code == 200
    assert "Choose a password" in page.get_data(as_text=True)
    assert "Hello New One." in page.get_data(as_text=True)
    done = client.post(link, data={"password": "long enough pw", "confirm": "long enough pw"})
    assert done.status_code == 302
    assert client.get(link).status_code == 400  # single use


def test_no_invite_creates_people_and_sends_nothing(ctx, import_csv, smtp_server):
    result = import_csv(HEADER, "quiet@example.com,Quiet Person,,,,,,", options=("--no-invite",))
    assert result.exit_code == 0, result.output
    assert "Created 1," in result.output and "No invitations sent (--no-invite)." in result.output
    assert "quiet@example.com" in everyone()
    assert smtp_server.messages == []


def test_dry_run_reports_the_changes_and_writes_nothing(ctx, make_person, import_csv, smtp_server):
    make_person(email="admin@example.com", name="Admin", role="admin")
    changed = make_person(email="changed@example.com", name="Before")
    leaver = make_person(email="leaver@example.com", name="Leaver")
    result = import_csv(
        HEADER,
        "admin@example.com,Admin,Advisor,Support,Leeds,,,",
        "changed@example.com,After,,,,,,",
        "new@example.com,New Person,,,,,,",
        options=("--dry-run", "--deactivate-missing"),
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Created 1, updated 1, unchanged 1, reactivated 0, deactivated 1. "
        "Dry run: nothing was written and no invitations were sent."
    )
    db.session.expire_all()
    assert count_people() == 3
    assert changed.name == "Before" and leaver.active
    assert smtp_server.messages == []


def test_people_are_kept_when_the_invitations_cannot_be_sent(app, ctx, import_csv):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    result = import_csv(HEADER, "unlucky@example.com,Unlucky,,,,,,")
    assert result.exit_code == 1
    assert "Created 1, updated 0" in result.output
    assert "The people were imported but the invitations failed" in result.output
    assert "unlucky@example.com" in everyone()


def test_imports_write_the_audit_log(ctx, make_person, import_csv):
    from storyboard.models import AuditEntry

    make_person(email="admin@example.com", name="Admin", role="admin")
    promoted = make_person(email="promoted@example.com", name="Promoted")
    leaver = make_person(email="leaver@example.com", name="Leaver")
    result = import_csv(
        HEADER,
        "admin@example.com,Admin,,,,,,admin",
        "promoted@example.com,Promoted,,,,,,curator",
        "fresh@example.com,Fresh,,,,,,",
        options=("--deactivate-missing", "--no-invite"),
    )
    assert result.exit_code == 0, result.output
    entries = {(e.action, e.entity_id): e for e in db.session.scalars(select(AuditEntry))}
    fresh = everyone()["fresh@example.com"]
    assert set(entries) == {("person.import", fresh.id), ("person.role", promoted.id), ("person.deactivate", leaver.id)}
    assert (entries["person.role", promoted.id].before, entries["person.role", promoted.id].after) == (
        {"role": "staff"}, {"role": "curator"}
    )
    assert all(e.actor_id is None and e.note == "people import" for e in entries.values())


def test_managers_going_round_in_a_circle_are_refused(ctx, make_person, import_csv):
    boss = make_person(email="boss@example.com", name="Boss")
    result = import_csv(
        HEADER,
        "ann@example.com,Ann,,,,bob@example.com,,",
        "bob@example.com,Bob,,,,ann@example.com,,",
        "boss@example.com,Boss,,,,ann@example.com,,",
        "cal@example.com,Cal,,,,boss@example.com,,",
        options=("--no-invite",),
    )
    assert result.exit_code != 0
    assert "line 2: managers go round in a circle: ann@example.com → bob@example.com → ann@example.com" in result.output
    assert "line 3:" in result.output
    assert "line 5:" not in result.output  # Cal's chain ends in the loop but never returns to Cal
    assert set(everyone()) == {"boss@example.com"}
    assert boss.manager is None


def test_renamed_people_are_found_by_their_new_name(ctx, make_person, make_story, import_csv):
    from storyboard.models import Story

    person = make_person(email="maiden@example.com", name="Jo Maiden")
    story = make_story(nominees=[person])
    result = import_csv(HEADER, "maiden@example.com,Jo Married,,,,,,", options=("--no-invite",))
    assert result.exit_code == 0, result.output
    text = db.session.get(Story, story.id).search_text
    assert "Jo Married" in text and "Jo Maiden" not in text
