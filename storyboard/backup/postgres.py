"""PostgreSQL backups with pg_dump's custom format; restores through pg_restore and psql.

pg_dump reads one snapshot, so the app can keep running. A restore is one transaction: the
SQL pg_restore writes is streamed into psql after a BEGIN, and COMMIT is sent only once
pg_restore has finished cleanly, so a damaged file or a failed statement changes nothing.
"""
from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404
import tempfile
from pathlib import Path
from typing import IO

from sqlalchemy.engine import URL

from storyboard.backup.common import BackupError

# Tables a newer schema added are not in an older backup, so --clean would leave them behind
# (and their foreign keys would stop it dropping the rest): empty the schema first, inside the
# restore's own transaction. The lock timeout turns a worker stuck in a transaction into an
# error instead of a restore that waits for ever.
PREAMBLE = b"""BEGIN;
SET LOCAL lock_timeout = '60s';
DO $$ DECLARE name text; BEGIN
  FOR name IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', name);
  END LOOP;
END $$;
"""
# Fresh tables have no planner statistics until autovacuum comes round; gather them now.
EPILOGUE = b"\nCOMMIT;\nANALYZE;\n"


def libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as a libpq connection string, and an environment holding the password.

    The password goes in PGPASSWORD, not the command line, which any local user can read.
    """
    from psycopg import ProgrammingError
    from psycopg.conninfo import make_conninfo

    params = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    params |= dict(url.query)  # libpq options such as sslmode, or host= for a socket folder
    try:
        conninfo = make_conninfo(**{key: str(value) for key, value in params.items()
                                    if value not in (None, "")})
    except ProgrammingError as error:
        raise BackupError(f"The database URL cannot be passed to pg_dump: {error}") from None
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return conninfo, env


def tool(name: str) -> str:
    """The full path of a PostgreSQL client program, or a clear error if it is not installed."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client programs "
                          "(Debian: apt install postgresql-client), as new as the server.")
    return found


def create(url: URL, target: Path) -> None:
    """Dump the database into `target` in the custom format (compressed, restorable per table)."""
    conninfo, env = libpq_connection(url)
    command = [tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}",
               f"--dbname={conninfo}"]
    _run(command, env, "pg_dump")


def revisions(path: Path) -> list[str]:
    """The schema revisions in a dump, after checking pg_restore can read the whole listing."""
    restore = tool("pg_restore")
    listing = _run([restore, "--list", str(path)], dict(os.environ), "pg_restore")
    if " TABLE DATA public alembic_version " not in listing:
        raise BackupError(f"{path} is a PostgreSQL dump but not a Storyboard backup "
                          "(it has no alembic_version table).")
    script = _run([restore, "--data-only", "--table=alembic_version", "--file=-", str(path)],
                  dict(os.environ), "pg_restore")
    return _copy_rows(script, "alembic_version")


def _copy_rows(script: str, table: str) -> list[str]:
    """The rows of one table's COPY block in a pg_restore script (one text column each)."""
    rows, inside = [], False
    for line in script.splitlines():
        if line.startswith(f"COPY public.{table} "):
            inside = True
        elif inside and line == "\\.":
            break
        elif inside:
            rows.append(line)
    return rows


def restore(path: Path, url: URL) -> None:
    """Replace everything in the database with the dump, in a single transaction."""
    conninfo, env = libpq_connection(url)
    script = [tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
              "--file=-", str(path)]
    apply = [tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
             f"--dbname={conninfo}"]
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as apply_errors:
        writer = subprocess.Popen(  # noqa: S603  # nosec B603
            script, stdout=subprocess.PIPE, stderr=script_errors)
        reader = subprocess.Popen(  # noqa: S603  # nosec B603
            apply, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=apply_errors, env=env)
        committed = _stream(writer, reader)
        writer.wait()
        if reader.wait() != 0:
            raise BackupError(f"The restore failed and was rolled back: {_first_error(apply_errors)}")
        if not committed:
            raise BackupError(f"pg_restore could not read all of {path}: "
                              f"{_first_error(script_errors)}; nothing was restored.")


def _stream(writer: subprocess.Popen, reader: subprocess.Popen) -> bool:
    """Feed pg_restore's script to psql inside a transaction; True if COMMIT was sent."""
    committed = False
    try:
        reader.stdin.write(PREAMBLE)
        shutil.copyfileobj(writer.stdout, reader.stdin)
        # Only a pg_restore that read the whole file earns a COMMIT; otherwise psql reaches the
        # end of its input inside the transaction, and PostgreSQL rolls it back.
        if writer.wait() == 0:
            reader.stdin.write(EPILOGUE)
            committed = True
    except BrokenPipeError:
        pass  # psql stopped at an error (ON_ERROR_STOP); its message says which
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.stdout.close()
        try:
            reader.stdin.close()
        except BrokenPipeError:
            committed = False
    return committed


def _run(command: list[str], env: dict[str, str], name: str) -> str:
    """Run a client program (an argument list, never a shell); its output, or BackupError."""
    with tempfile.TemporaryFile() as errors:
        result = subprocess.run(  # noqa: S603  # nosec B603
            command, env=env, stdout=subprocess.PIPE, stderr=errors, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(f"{name} failed: {_first_error(errors)}")
    return result.stdout


def _first_error(stream: IO[bytes]) -> str:
    """The most telling line a client program wrote to stderr, for a one-line message."""
    stream.seek(0)
    lines = [line.strip() for line in stream.read().decode(errors="replace").splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower() or "fatal" in line.lower():
            return line
    return lines[0] if lines else "no message"
