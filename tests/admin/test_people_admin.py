"""People admin: the list and its filters, roles, deactivation, invitations, and the last admin."""
from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy import text as text_sql

from storyboard.admin import service
from storyboard.extensions import db
from storyboard.models import Person
from tests.helpers import audit_entries, free_port, session_token_for, text

PASSWORD = "correct horse battery"
LAST_ADMIN = "is the last active admin, so they cannot be {}. Make someone else an admin first."


def fresh(person: Person) -> Person:
    db.session.expire_all()
    return db.session.get(Person, person.id)


def listed(response) -> list[str]:
    """The names in the people table, in order."""
    return re.findall(r'<td class="stack-title"><a href="/admin/people/\d+">([^<]+)</a></td>', text(response))


def person_row(page: str, name: str) -> str:
    start = page.index(f">{name}</a>")
    return page[start: page.index("</tr>", start)]


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/auth/login", data={"email": email, "password": password})


# The list.


@pytest.fixture
def crowd(ctx, make_person):
    """A few people to filter: names sort in the order they are listed here."""
    return {
        "ann": make_person(name="Ann Archer", email="ann@example.com", role="admin"),
        "bob": make_person(name="Bob Baker", email="bob.b@example.com", role="curator"),
        "cat": make_person(name="Cat Cole", email="cat@sales.example.com", active=False),
        "dan": make_person(name="Dan 50% Dean", email="dan@example.com"),
    }


@pytest.mark.parametrize("query, names", [
    ({}, ["Ann Archer", "Bob Baker", "Cat Cole", "Dan 50% Dean", "Zed Admin"]),
    ({"q": "BOB"}, ["Bob Baker"]),
    ({"q": "sales.example"}, ["Cat Cole"]),  # email
    ({"q": "50%"}, ["Dan 50% Dean"]),  # % is a character, not a wildcard
    ({"q": "a_"}, []),
    ({"role": "admin"}, ["Ann Archer", "Zed Admin"]),
    ({"role": "curator"}, ["Bob Baker"]),
    ({"status": "inactive"}, ["Cat Cole"]),
    ({"status": "active", "role": "staff"}, ["Dan 50% Dean"]),
    ({"q": "a", "status": "active", "role": "admin"}, ["Ann Archer", "Zed Admin"]),
])
def test_filters(client, crowd, as_role, query, names):
    as_role("admin", name="Zed Admin")
    response = client.get("/admin/people", query_string=query)
    assert response.status_code == 200
    assert listed(response) == names


def test_list_shows_role_status_and_unset_passwords(client, crowd, as_role, make_person):
    make_person(name="Has Password", password=PASSWORD)
    as_role("admin")
    page = text(client.get("/admin/people"))
    assert "deactivated" in person_row(page, "Cat Cole")
    assert "deactivated" not in person_row(page, "Bob Baker")
    assert "invited, no password yet" not in person_row(page, "Has Password")
    assert '<td data-label="Role">admin</td>' in person_row(page, "Ann Archer")
    assert "invited, no password yet" in person_row(page, "Ann Archer")


def test_pages_keep_the_filters(app, client, ctx, as_role, make_person):
    app.config["DIRECTORY_PAGE_SIZE"] = 2
    for number in range(5):
        make_person(name=f"Member {number}", role="curator")
    as_role("admin", name="Zed Admin")
    first = client.get("/admin/people", query_string={"role": "curator", "q": "member"})
    assert listed(first) == ["Member 0", "Member 1"]
    older = re.search(r'<a rel="next" href="([^"]+)"', text(first)).group(1).replace("&amp;", "&")
    assert "role=curator" in older and "q=member" in older and "page=2" in older
    assert listed(client.get(older)) == ["Member 2", "Member 3"]
    last = client.get("/admin/people", query_string={"role": "curator", "q": "member", "page": 3})
    assert listed(last) == ["Member 4"]
    assert 'rel="next"' not in text(last)


@pytest.mark.parametrize("query, message", [
    ({"q": "kept", "role": "superuser"}, "Choose a role from the list."),
    ({"q": "kept", "status": "gone"}, "Choose active, deactivated or both."),
    ({"q": "kept" + "x" * 100}, "Search with at most 100 characters."),
])
def test_bad_filters_are_a_400_that_keeps_the_search(client, ctx, as_role, query, message):
    as_role("admin")
    response = client.get("/admin/people", query_string=query)
    assert response.status_code == 400
    assert message in text(response)
    assert f'value="{query["q"]}"' in text(response)


# Roles.


@pytest.mark.parametrize("old, new", [("staff", "curator"), ("curator", "admin"), ("admin", "staff")])
def test_change_role(client, ctx, as_role, make_person, old, new):
    person = make_person(role=old)
    admin = as_role("admin")
    response = client.post(f"/admin/people/{person.id}/role", data={"role": new})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/people/{person.id}"
    assert fresh(person).role == new
    [entry] = audit_entries("person.role")
    assert (entry.actor_id, entry.entity_type, entry.entity_id) == (admin.id, "person", person.id)
    assert (entry.before, entry.after) == ({"role": old}, {"role": new})


def test_a_new_curator_gets_the_values_admin(client, ctx, as_role, make_person, login):
    person = make_person()
    as_role("admin")
    client.post(f"/admin/people/{person.id}/role", data={"role": "curator"})
    login(fresh(person))
    assert client.get("/admin/values").status_code == 200


def test_same_role_changes_nothing(client, ctx, as_role, make_person):
    person = make_person(role="curator")
    as_role("admin")
    response = client.post(f"/admin/people/{person.id}/role", data={"role": "curator"}, follow_redirects=True)
    assert "was already curator; nothing changed." in text(response)
    assert audit_entries() == []


@pytest.mark.parametrize("role", ["superuser", "", "ADMIN"])
def test_unknown_role_is_a_400(client, ctx, as_role, make_person, role):
    person = make_person()
    as_role("admin")
    response = client.post(f"/admin/people/{person.id}/role", data={"role": role})
    assert response.status_code == 400
    assert "Choose staff, curator or admin." in text(response)
    assert fresh(person).role == "staff"
    assert audit_entries() == []


def test_people_that_do_not_exist_are_404(client, ctx, as_role):
    as_role("admin")
    assert client.get("/admin/people/999999").status_code == 404
    assert client.post("/admin/people/999999/role", data={"role": "staff"}).status_code == 404
    assert client.post("/admin/people/999999/deactivate").status_code == 404


# The last admin.


def test_the_last_admin_cannot_demote_themselves(client, ctx, as_role):
    admin = as_role("admin", name="Only Admin")
    response = client.post(f"/admin/people/{admin.id}/role", data={"role": "curator"})
    assert response.status_code == 409
    page = text(response)
    assert "Only Admin " + LAST_ADMIN.format("demoted") in page
    assert '<option selected value="curator">' in page  # what they picked, kept
    assert fresh(admin).role == "admin"
    assert audit_entries() == []


def test_the_last_admin_cannot_be_deactivated(client, ctx, as_role):
    admin = as_role("admin", name="Only Admin")
    response = client.post(f"/admin/people/{admin.id}/deactivate")
    assert response.status_code == 409
    assert "Only Admin " + LAST_ADMIN.format("deactivated") in text(response)
    assert fresh(admin).active is True
    assert audit_entries() == []


def test_deactivated_admins_do_not_count(client, ctx, as_role, make_person):
    make_person(role="admin", active=False)
    admin = as_role("admin")
    assert client.post(f"/admin/people/{admin.id}/role", data={"role": "staff"}).status_code == 409
    assert client.post(f"/admin/people/{admin.id}/deactivate").status_code == 409


def test_with_two_admins_one_may_go_then_the_other_is_the_last(client, ctx, as_role, make_person):
    other = make_person(role="admin", name="Other Admin")
    admin = as_role("admin")
    assert client.post(f"/admin/people/{other.id}/role", data={"role": "staff"}).status_code == 302
    assert client.post(f"/admin/people/{admin.id}/role", data={"role": "staff"}).status_code == 409
    client.post(f"/admin/people/{other.id}/role", data={"role": "admin"})
    assert client.post(f"/admin/people/{other.id}/deactivate").status_code == 302
    response = client.post(f"/admin/people/{admin.id}/deactivate")
    assert response.status_code == 409


def test_the_service_itself_refuses(ctx, make_person):
    # The views are not the only callers; the rule lives in the service.
    admin = make_person(role="admin", name="Sole Admin")
    with pytest.raises(service.Refused, match="Sole Admin " + re.escape(LAST_ADMIN.format("demoted"))):
        service.change_role(admin, admin, "curator")
    with pytest.raises(service.Refused, match=re.escape(LAST_ADMIN.format("deactivated"))):
        service.deactivate(admin, admin)
    db.session.rollback()
    assert fresh(admin).role == "admin" and fresh(admin).active


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, database_url, make_person):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time; the row locks matter on PostgreSQL")
    with app.app_context():
        first_id = make_person(role="admin").id
        second_id = make_person(role="admin").id
    watcher = create_engine(database_url)
    first_has_counted = threading.Event()
    outcomes: dict[str, str] = {}

    def someone_waits_for_a_lock() -> bool:
        with watcher.connect() as connection:
            return bool(connection.scalar(text_sql("SELECT count(*) FROM pg_locks WHERE NOT granted")))

    def demote(name: str, target_id: int, actor_id: int, before_commit=None) -> None:
        with app.app_context():
            target, actor = db.session.get(Person, target_id), db.session.get(Person, actor_id)
            try:
                service.change_role(actor, target, "staff")
            except service.Refused:
                db.session.rollback()
                outcomes[name] = "refused"
                return
            if before_commit:
                before_commit()
            db.session.commit()
            outcomes[name] = "demoted"

    def hold_the_transaction_open() -> None:
        # Commit only once the second demotion is waiting on our locks (or, were the rows not
        # locked, has already finished), so the two transactions truly overlap.
        first_has_counted.set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "second" not in outcomes and not someone_waits_for_a_lock():
            time.sleep(0.02)

    first = threading.Thread(target=demote, args=("first", first_id, second_id, hold_the_transaction_open))
    first.start()
    assert first_has_counted.wait(10)
    second = threading.Thread(target=demote, args=("second", second_id, first_id))
    second.start()
    first.join(15)
    second.join(15)
    watcher.dispose()
    assert outcomes == {"first": "demoted", "second": "refused"}
    with app.app_context():
        admins = db.session.scalar(
            select(func.count()).select_from(Person).where(Person.role == "admin", Person.active)
        )
        assert admins == 1


# Deactivating and reactivating.


def test_deactivate_ends_sessions_and_sign_in(app, make_person):
    # No shared `ctx`: each request gets a fresh `g`, as in production, so sessions are re-checked.
    with app.app_context():
        leaver = make_person(email="leaver@example.com", password=PASSWORD)
        admin = make_person(role="admin")
        person_id, admin_id = leaver.id, admin.id
        session_ids = {person_id: session_token_for(app, leaver), admin_id: session_token_for(app, admin)}
    theirs, admins = app.test_client(), app.test_client()
    for client, signed_in in ((theirs, person_id), (admins, admin_id)):
        with client.session_transaction() as session:
            session["_user_id"] = session_ids[signed_in]
    assert theirs.get("/").status_code == 200

    assert admins.post(f"/admin/people/{person_id}/deactivate").status_code == 302
    signed_out = theirs.get("/")
    assert signed_out.status_code == 302 and signed_out.headers["Location"].startswith("/auth/login")
    assert sign_in(app.test_client(), "leaver@example.com").status_code == 401
    with app.app_context():
        [entry] = audit_entries("person.deactivate")
        assert (entry.actor_id, entry.entity_id, entry.before, entry.after) == (
            admin_id, person_id, {"active": True}, {"active": False}
        )
    assert "Person" in text(admins.get("/admin/people", query_string={"status": "inactive"}))

    again = admins.post(f"/admin/people/{person_id}/deactivate")
    assert again.status_code == 409 and "is already deactivated." in text(again)

    assert admins.post(f"/admin/people/{person_id}/reactivate").status_code == 302
    assert sign_in(app.test_client(), "leaver@example.com").status_code == 302
    with app.app_context():
        [entry] = audit_entries("person.reactivate")
        assert (entry.before, entry.after) == ({"active": False}, {"active": True})
    again = admins.post(f"/admin/people/{person_id}/reactivate")
    assert again.status_code == 409 and "is already active." in text(again)


def test_an_admin_may_deactivate_another_admin_while_one_remains(client, ctx, as_role, make_person):
    other = make_person(role="admin")
    as_role("admin")
    assert client.post(f"/admin/people/{other.id}/deactivate").status_code == 302
    assert fresh(other).active is False


# Invitations.


def link_in(message) -> str:
    body = message.get_payload(decode=True).decode()
    match = re.search(r"https://storyboard\.example\.com(/auth/set-password/\S+)", body)
    assert match, body
    return match.group(1)


def test_invite_writes_an_audit_entry(client, ctx, as_role, smtp_server):
    admin = as_role("admin")
    response = client.post("/people/invite", data={
        "email": "New.Person@Example.com", "name": "New Person", "job_title": "Picker",
        "department": "Warehouse", "location": "Hull", "role": "curator", "start_date": "2026-12-14",
    })
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.email == "new.person@example.com"))
    [entry] = audit_entries("person.invite")
    assert (entry.actor_id, entry.entity_id, entry.before) == (admin.id, person.id, None)
    assert entry.after == {
        "email": "new.person@example.com", "name": "New Person", "job_title": "Picker",
        "department": "Warehouse", "location": "Hull", "role": "curator", "start_date": "2026-12-14",
    }
    assert person.start_date.isoformat() == "2026-12-14"
    [message] = smtp_server.messages
    assert message["To"] == "new.person@example.com"


def test_resend_invitation_emails_a_working_link(client, ctx, as_role, make_person, smtp_server):
    person = make_person(email="slow@example.com", name="Slow Starter")
    admin = as_role("admin")
    page = text(client.get(f"/admin/people/{person.id}"))
    assert f"/admin/people/{person.id}/resend-invitation" in page
    response = client.post(f"/admin/people/{person.id}/resend-invitation")
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "slow@example.com" and "invited" in message["Subject"]
    [entry] = audit_entries("person.invite")
    assert (entry.actor_id, entry.entity_id, entry.note) == (admin.id, person.id, "Invitation sent again.")
    client.post("/auth/logout")
    link = link_in(message)
    done = client.post(link, data={"password": "long enough pw", "confirm": "long enough pw"})
    assert done.status_code == 302
    assert fresh(person).has_password


@pytest.mark.parametrize("overrides, message", [
    ({"password": PASSWORD}, "has already set a password, so there is nothing to resend."),
    ({"active": False}, "is deactivated. Reactivate them before inviting them again."),
])
def test_resend_is_refused_when_it_makes_no_sense(
    client, ctx, as_role, make_person, smtp_server, overrides, message
):
    person = make_person(**overrides)
    as_role("admin")
    page = text(client.get(f"/admin/people/{person.id}"))
    assert f"/admin/people/{person.id}/resend-invitation" not in page
    response = client.post(f"/admin/people/{person.id}/resend-invitation")
    assert response.status_code == 409
    assert message in text(response)
    assert smtp_server.messages == []
    assert audit_entries() == []


def test_resend_with_the_mail_server_down_is_a_503_and_logs_nothing(app, client, ctx, as_role, make_person):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nobody listens
    person = make_person()
    as_role("admin")
    response = client.post(f"/admin/people/{person.id}/resend-invitation")
    assert response.status_code == 503
    assert "The mail server could not be reached, so the invitation was not sent." in text(response)
    assert audit_entries() == []


# Navigation.


@pytest.mark.parametrize("role, link", [
    ("admin", 'href="/admin/people">Admin</a>'),
    ("curator", 'href="/admin/values">Admin</a>'),
    ("staff", None),
])
def test_the_admin_link_in_the_menu(client, ctx, as_role, role, link):
    as_role(role)
    page = text(client.get("/"))
    if link:
        assert link in page
    else:
        assert ">Admin</a>" not in page


def test_person_page_lists_their_history(client, ctx, as_role, make_person):
    person = make_person(name="Pat Person")
    as_role("admin", name="Ada Admin")
    client.post(f"/admin/people/{person.id}/role", data={"role": "curator"})
    page = text(client.get(f"/admin/people/{person.id}"))
    assert "person.role by Ada Admin" in page
    assert f"/admin/audit?entity_type=person&amp;entity_id={person.id}" in page


def test_an_admin_who_steps_down_lands_on_the_stories(client, ctx, as_role, make_person):
    make_person(role="admin")
    admin = as_role("admin")
    response = client.post(f"/admin/people/{admin.id}/role", data={"role": "curator"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert fresh(admin).role == "curator"
    assert client.get("/admin/people").status_code == 403
    assert client.get("/admin/values").status_code == 200
