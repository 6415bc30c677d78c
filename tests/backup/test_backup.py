"""`flask backup create` and `backup restore`: every row of every table comes back, on SQLite
and PostgreSQL; damaged, foreign and newer backups are refused and change nothing."""
from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import threading
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, inspect, select, text, update

import storyboard.photos.service as photos
from storyboard.api import tokens as api_tokens
from storyboard.backup import postgres
from storyboard.backup.common import head_revision
from storyboard.chat import slack
from storyboard.chat.webhooks import WebhookFields, create_webhook
from storyboard.demo import seed_demo
from storyboard.digest.issues import cut_issue
from storyboard.digest.preview import hold_back, save_introduction
from storyboard.extensions import db
from storyboard.feeds import tokens as feed_tokens
from storyboard.models import (
    FrictionItem,
    FrictionLink,
    FrictionNotice,
    ManagerEmail,
    NotificationKind,
    Person,
    SlackRequestSeen,
    SSOIdentity,
    Story,
    StoryStatus,
)
from storyboard.notifications.service import save_settings
from storyboard.people import imports
from storyboard.settings import set_setting
from storyboard.stories import lifecycle
from storyboard.stories.search import matching_ids
from tests.helpers import CUT, NOW, flask_command
from tests.photos.pictures import camera_jpeg

KEPT_TITLE = "Rowed the lighthouse keeper's parcel across the bay"


def dialect() -> str:
    return db.engine.dialect.name


def seed_every_table(make_person, make_story, login) -> int:
    """Rows in every table: the demo company, then what curation, sign-in and the digest write.

    Returns the id of a published story that search should find by the word "lighthouse".
    """
    seed_demo(people=8, stories=24, seed=5, anchor=CUT - timedelta(days=1))
    curator = login(make_person(role="curator", name="Cora Curator"))  # a sign-in, where kept
    manager = make_person(name="Mona Manager")
    hero = make_person(name="Harbour Hero", manager=manager)
    helper = make_person(name="Hal Helper")
    story = make_story(status=StoryStatus.SUBMITTED, nominees=[hero], title=KEPT_TITLE)
    # Integrations: a chat webhook (publishing below queues its delivery), a linked Slack
    # account and a request it sent, a single sign-on identity, feed and API tokens, an import.
    create_webhook(curator, WebhookFields("#kudos", "https://hooks.example.com/kudos", "slack", True, True))
    slack.link(hero, slack.Sender("T0001", "U0001", "harbour.hero"))
    db.session.add_all([SlackRequestSeen(signature="v0=" + "ab" * 32),
                        SSOIdentity(person_id=hero.id, provider="company", subject="00u1hero", email=hero.email)])
    feed_tokens.issue(hero)  # only its digest is stored
    api_tokens.create(hero, "Reporting script", "read", None)
    imports.upload(curator, b"email,name,title,department,location,manager_email,start_date,role\n"
                   b"new.starter@example.com,New Starter,,,,,,\n", "people.csv", False, False)
    lifecycle.publish(story, curator)  # audit entry; notifications to nominator, hero, manager
    story.published_at = CUT - timedelta(days=2)  # inside the window of the cut below
    story.co_nominators.append(helper)
    quiet = make_story(published_at=CUT - timedelta(days=3), title="Kept out of the digest")
    quiet.digest_opt_outs.append(quiet.nominees[0])
    save_settings(hero, {NotificationKind.THANK_YOU.value: (True, False)})
    hold_back(make_story(published_at=CUT - timedelta(days=4)), curator, "2026-12-07")
    save_introduction("2026-11-30", "Welcome to *December*.", curator)
    set_setting("DIGEST_CUT_TIME", "07:00")  # stored, though the same as the environment's
    # HR's insights: a rule filed under an item that changed (its people told), and a
    # manager's monthly email sent.
    item = FrictionItem(title="The £100 refund approval", status="changed", note="Now £250.", owner=manager)
    db.session.add(item)
    db.session.flush()
    db.session.add_all([FrictionLink(story_id=story.id, item_id=item.id),
                        FrictionNotice(item_id=item.id, person_id=hero.id),
                        ManagerEmail(person_id=manager.id, month="2026-10", story_count=1)])
    photos.add_photo(story, curator, camera_jpeg(60, 40), "The parcel on the boat")  # a story's photo
    db.session.commit()
    issue, created = cut_issue(CUT, NOW)  # the issue, its stories and one delivery per person
    assert created and issue.recipient_count > 0
    story_id = story.id
    empty = [name for name, rows in table_rows().items() if not rows]
    assert empty == [], f"seed these tables in tests/test_backup.py so the round trip covers them: {empty}"
    return story_id


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every table (and of alembic_version), in primary-key order."""
    db.session.remove()
    rows = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [tuple(row) for row in db.session.execute(select(table).order_by(*order))]
    rows["alembic_version"] = [tuple(row) for row in db.session.execute(text("SELECT * FROM alembic_version"))]
    return rows


def database_state() -> dict[str, list[tuple]]:
    """Rows, plus what lives outside the models: the schema's objects, sequences, search index."""
    state = table_rows()
    if dialect() == "sqlite":
        state["schema"] = db.session.execute(text(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")).all()
        # FTS5 compares its index with the stories it covers, and fails if they differ.
        db.session.execute(text("INSERT INTO story_fts(story_fts, rank) VALUES ('integrity-check', 1)"))
    else:
        state["schema"] = db.session.execute(text(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "ORDER BY indexname")).all()
        state["sequences"] = db.session.execute(text(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
            "ORDER BY sequencename")).all()
        state["search"] = db.session.execute(text(
            "SELECT id, search_vector::text FROM stories ORDER BY id")).all()
    db.session.rollback()
    return state


def change_everything(story_id: int, make_story) -> None:
    """What a bad day does after the backup: rows renamed, deleted and added."""
    db.session.execute(update(Person).values(name="Renamed After The Backup"))
    for table in ("digest_deliveries", "notifications", "audit_log"):
        db.session.execute(text(f"DELETE FROM {table}"))
    other_id = db.session.scalars(select(Story.id).where(Story.id != story_id).limit(1)).one()
    db.session.execute(delete(Story).where(Story.id == other_id))  # its rows elsewhere cascade
    story = db.session.get(Story, story_id)
    story.title = "Renamed after the backup"
    story.refresh_search_text()
    db.session.commit()
    make_story(title="Written after the backup about a submarine")


def backup(runner, path: Path) -> str:
    db.session.remove()
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def restore(runner, path: Path, *options: str, **invoke):
    db.session.remove()
    return runner.invoke(args=["backup", "restore", *options, str(path)], **invoke)


def suffix() -> str:
    return "db" if dialect() == "sqlite" else "dump"


def test_a_restore_brings_back_every_row_of_every_table(app, ctx, runner, tmp_path, make_person, make_story, login):
    story_id = seed_every_table(make_person, make_story, login)
    before = database_state()
    path = tmp_path / f"nightly.{suffix()}"
    output = backup(runner, path)
    assert re.fullmatch(rf"Backed up the .+ \(schema {head_revision()}\) to {re.escape(str(path))} "
                        r"\(\d+\.\d (KB|MB)\)\.\n", output), output
    change_everything(story_id, make_story)
    assert database_state() != before

    result = restore(runner, path, "--yes")

    assert result.exit_code == 0, result.output
    assert f"Restored {path} into the " in result.output
    # Every row comes back, except sign-ins: a restore signs everyone out, so sessions ended
    # after the backup (a sign-out, a password change, a leaver) cannot come back with it.
    assert "Signed everyone out (1 session): a restore brings back no session." in result.output
    after = database_state()
    assert after.keys() == before.keys()
    assert before["sign_ins"] and after["sign_ins"] == []
    for name in set(before) - {"sign_ins"}:
        assert after[name] == before[name], name
    assert matching_ids("lighthouse", 20) == [story_id]
    assert matching_ids("submarine", 20) == []
    assert make_story(title="Written after the restore").id  # ids carry on without clashing


def test_restore_asks_first_and_changes_nothing_when_told_no(app, ctx, runner, tmp_path, make_story):
    make_story(title="Before the backup")
    path = tmp_path / f"copy.{suffix()}"
    backup(runner, path)
    make_story(title="After the backup")
    before = table_rows()

    result = restore(runner, path, input="n\n")

    assert result.exit_code == 1
    assert "This replaces every row in the " in result.output and "Continue? [y/N]" in result.output
    assert "Aborted!" in result.output
    assert table_rows() == before


def test_the_real_command_writes_a_private_file_in_the_instance_folder(app, ctx, database_url, tmp_path, make_story):
    make_story(title="Kept by the real command")
    db.session.remove()
    created = flask_command(database_url, tmp_path, "backup", "create")
    out, err = created.communicate(timeout=120)
    assert created.returncode == 0, err
    path = Path(re.search(r" to (\S+) \(", out).group(1))
    folder = tmp_path / "instance" / "backups"
    assert path.parent == folder
    assert re.fullmatch(rf"storyboard-\d{{8}}T\d{{6}}Z\.{suffix()}", path.name)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [entry.name for entry in folder.iterdir()] == [path.name]  # no partial file left
    db.session.execute(delete(Story))
    db.session.commit()
    db.session.remove()

    restored = flask_command(database_url, tmp_path, "backup", "restore", "--yes", str(path))
    out, err = restored.communicate(timeout=120)

    assert restored.returncode == 0, err
    assert db.session.scalars(select(Story.title)).all() == ["Kept by the real command"]


def test_a_backup_from_a_newer_schema_is_refused(app, ctx, runner, tmp_path, make_story):
    make_story()
    db.session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    db.session.commit()
    path = tmp_path / f"newer.{suffix()}"
    try:
        backup(runner, path)
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()})
        db.session.commit()
    before = table_rows()

    result = restore(runner, path, "--yes")

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path} has schema revision '9999', which this version "
                                    "of Storyboard does not know")
    assert "Upgrade Storyboard first; nothing was restored." in result.output
    assert table_rows() == before


def table_names() -> set[str]:
    db.session.remove()
    return set(inspect(db.engine).get_table_names())


def test_a_backup_from_an_older_schema_restores_over_a_newer_one_and_says_to_upgrade(app, ctx, runner, tmp_path,
                                                                                    make_story):
    make_story(title="Written before the upgrade")
    db.session.remove()
    newest_tables = table_names()
    # Back to the newest revision with fewer tables: some revisions change no table (0014).
    for previous in [script.revision for script in
                     ScriptDirectory(app.extensions["migrate"].directory).walk_revisions()][1:]:
        downgrade(revision=previous)
        if table_names() != newest_tables:
            break
    old_tables = table_names()
    path = tmp_path / f"old.{suffix()}"
    try:
        backup(runner, path)
    finally:
        upgrade()
    assert table_names() != old_tables  # the newer schema has more, which the restore must drop

    result = restore(runner, path, "--yes")

    try:
        assert result.exit_code == 0, result.output
        assert result.output.endswith(f"(schema {previous}).\nThe backup's schema is older than this "
                                      f"Storyboard's ({head_revision()}): run `flask --app storyboard init-db` "
                                      "to upgrade it.\n")
        assert table_names() == old_tables
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == previous
    finally:
        db.session.remove()
        upgrade()
    assert db.session.scalars(select(Story.title)).all() == ["Written before the upgrade"]


def other_kind_of_backup(path: Path) -> None:
    """A file of the other database's kind than the one under test."""
    if dialect() == "sqlite":
        path.write_bytes(b"PGDMP" + os.urandom(2000))
    else:
        with closing(sqlite3.connect(path)) as foreign:
            foreign.execute("CREATE TABLE alembic_version (version_num TEXT)")
            foreign.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
            foreign.commit()


def foreign_database(path: Path) -> None:
    """A backup of the right kind from something that is not Storyboard (no alembic_version)."""
    if dialect() == "sqlite":
        with closing(sqlite3.connect(path)) as foreign:
            foreign.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
            foreign.commit()
    else:
        conninfo, env = postgres.libpq_connection(db.engine.url)
        subprocess.run(["pg_dump", "--format=custom", "--table=values", f"--file={path}",
                        f"--dbname={conninfo}"], env=env, check=True)


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(5000))


def plain_sql_dump(path: Path) -> None:
    path.write_text("--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n")


BAD_FILES = {
    "random bytes": (random_bytes, ("is not a Storyboard backup (neither a SQLite database nor a "
                                    "pg_dump custom-format file).")),
    "a plain-SQL dump": (plain_sql_dump, "is a plain-SQL pg_dump, not a backup this command made"),
    "the other database's kind": (other_kind_of_backup, "backup, but this Storyboard uses"),
    "another application's database": (foreign_database, ("but not a Storyboard backup "
                                                           "(it has no alembic_version table).")),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_file_that_is_not_a_storyboard_backup_is_refused(app, ctx, runner, tmp_path, make_story, kind):
    make_story(title="Still here")
    build, message = BAD_FILES[kind]
    path = tmp_path / "suspicious.bin"
    build(path)
    before = table_rows()

    result = restore(runner, path, "--yes")

    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1  # one line, no traceback
    assert table_rows() == before


def damaged_copy(path: Path, target: Path) -> Path:
    """The backup with a hole in it, in a place the revision check does not read."""
    data = bytearray(path.read_bytes())
    if dialect() == "sqlite":
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            root = copy.execute("SELECT rootpage FROM sqlite_master WHERE name = 'stories'").fetchone()[0]
            size = copy.execute("PRAGMA page_size").fetchone()[0]
        data[(root - 1) * size: root * size] = bytes(size)  # the stories table's first page
        target.write_bytes(bytes(data))
        return target
    # Cut off the end: the listing and alembic_version's rows (at the front) still read, so the
    # restore starts, drops and copies tables, then fails reading the rest.
    for fraction in (0.9, 0.8, 0.95, 0.7):
        target.write_bytes(bytes(data[: int(len(data) * fraction)]))
        script = subprocess.run(["pg_restore", "--file=-", str(target)], capture_output=True, text=True,
                                check=False)
        if script.returncode != 0 and "\nCOPY public." in script.stdout:
            postgres.revisions(target)  # the checks before the restore pass
            return target
    raise AssertionError("no cut of the dump fails part way through the data")


def test_a_damaged_backup_is_refused_and_the_database_is_left_as_it_was(app, ctx, runner, tmp_path, make_person,
                                                                         make_story, login):
    story_id = seed_every_table(make_person, make_story, login)
    path = tmp_path / f"good.{suffix()}"
    backup(runner, path)
    change_everything(story_id, make_story)
    before = database_state()

    result = restore(runner, damaged_copy(path, tmp_path / f"damaged.{suffix()}"), "--yes")

    assert result.exit_code == 1
    if dialect() == "sqlite":
        assert "is not a readable SQLite backup: database disk image is malformed" in result.output
    else:
        assert "pg_restore could not read all of" in result.output and "nothing was restored" in result.output
    assert database_state() == before
    assert matching_ids("submarine", 20) != []


def test_postgresql_a_statement_that_fails_rolls_the_whole_restore_back(app, ctx, runner, tmp_path, make_story):
    if dialect() != "postgresql":
        pytest.skip("the restore runs as one psql transaction on PostgreSQL only")
    role = f"storyboard_backup_test_{os.getpid()}"
    make_story(title="Before the backup")
    db.session.execute(text(f'CREATE ROLE "{role}"'))
    db.session.execute(text(f'GRANT SELECT ON "stories" TO "{role}"'))
    db.session.commit()
    path = tmp_path / "grants.dump"
    try:
        backup(runner, path)  # holds a GRANT to a role that will be gone
    finally:
        db.session.execute(text(f'REVOKE ALL ON "stories" FROM "{role}"'))
        db.session.execute(text(f'DROP ROLE "{role}"'))
        db.session.commit()
    make_story(title="After the backup")
    before = database_state()

    result = restore(runner, path, "--yes")

    assert result.exit_code == 1
    assert "The restore failed and was rolled back: " in result.output and "does not exist" in result.output
    assert database_state() == before


def test_a_sqlite_backup_taken_while_another_connection_writes_is_consistent(app, ctx, runner, tmp_path, make_person):
    if dialect() != "sqlite":
        pytest.skip("pg_dump reads one snapshot; SQLite's backup API is what needs showing")
    seed_demo(people=40, stories=400, seed=9)
    counter_id = make_person(name="Counter").id
    database = db.engine.url.database
    db.session.remove()
    writes, stop, errors = [0], threading.Event(), []

    def write_pairs() -> None:
        # Each transaction adds a notification and bumps a counter: a torn copy would disagree.
        with closing(sqlite3.connect(database, timeout=30)) as other:
            while not stop.is_set():
                try:
                    with other:
                        other.execute("INSERT INTO notifications (person_id, kind, message, created_at) "
                                      "VALUES (?, 'thank_you', 'tick', CURRENT_TIMESTAMP)", (counter_id,))
                        other.execute("UPDATE people SET bounce_score = bounce_score + 1 WHERE id = ?",
                                      (counter_id,))
                    writes[0] += 1
                except sqlite3.Error as error:
                    errors.append(error)
                    return

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        while writes[0] < 20 and writer.is_alive():
            stop.wait(0.01)
        paths, during = [], []
        for number in range(4):
            started = writes[0]
            paths.append(tmp_path / f"busy-{number}.db")
            backup(runner, paths[-1])
            during.append(writes[0] - started)
    finally:
        stop.set()
        writer.join()
    assert errors == []
    assert sum(during) > 0  # the writer kept going while backups were taken
    for path in paths:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            ticks = copy.execute("SELECT count(*) FROM notifications WHERE message = 'tick'").fetchone()[0]
            score = copy.execute("SELECT bounce_score FROM people WHERE id = ?", (counter_id,)).fetchone()[0]
            assert ticks == score > 0
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, no -wal


def test_postgresql_without_pg_dump_is_a_clear_error(app, ctx, runner, tmp_path, monkeypatch):
    if dialect() != "postgresql":
        pytest.skip("SQLite needs no client programs")
    (tmp_path / "bin").mkdir()
    (tmp_path / "backups").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # an empty folder: no pg_dump anywhere

    result = runner.invoke(args=["backup", "create", str(tmp_path / "backups" / "x.dump")])

    assert result.exit_code == 1
    assert result.output == ("Error: pg_dump was not found on PATH: install the PostgreSQL client "
                             "programs (Debian: apt install postgresql-client), as new as the server.\n")
    assert list((tmp_path / "backups").iterdir()) == []  # not even a partial file


def test_the_database_url_becomes_libpq_settings_with_the_password_kept_off_the_command_line():
    from sqlalchemy.engine import make_url

    url = make_url("postgresql+psycopg://story%40board:p%20w%27d@db.internal:6543/stories?sslmode=require")

    conninfo, env = postgres.libpq_connection(url)

    assert conninfo == "host=db.internal port=6543 user=story@board dbname=stories sslmode=require"
    assert env["PGPASSWORD"] == "p w'd"
    assert "p w" not in conninfo


def test_a_backup_path_in_a_missing_folder_is_a_clear_error(app, ctx, runner, tmp_path):
    result = runner.invoke(args=["backup", "create", str(tmp_path / "nowhere" / "x.db")])

    assert result.exit_code == 1
    assert result.output == f"Error: There is no folder {tmp_path / 'nowhere'} to write the backup into.\n"
