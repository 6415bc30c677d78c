"""The signed-in Flask floor for bench/pages.py: the least any signed-in Storyboard page must do.

Per request it decodes Flask's session cookie (same secret key and cookie name as Storyboard,
read by Storyboard's own load_config), takes Flask-Login's session token from it, looks up the
sign-in by the token's SHA-256 joined to its person (one query on a unique index, on an engine
built from the same database URL and SQLALCHEMY_ENGINE_OPTIONS, with the same SQLite tuning),
checks the person is active, and returns the feed page's bytes (`BENCH_FLOOR_BODY` names the
file). No templates, no ORM session, no idle-clock touch: a page can get no faster than this
while still knowing who is asking, so each page's req/s is given as a ratio to it.
Served as `gunicorn -c gunicorn.conf.py bench.floor:app`.
"""
import hashlib
import os
from pathlib import Path

from flask import Flask, Response, session
from sqlalchemy import create_engine, text

# Importing the package registers Storyboard's SQLite connect tuning (WAL, busy timeout).
from storyboard import PROJECT_ROOT, load_config

BODY = Path(os.environ["BENCH_FLOOR_BODY"]).read_bytes()
SIGNED_IN = text(
    "SELECT people.id, people.active FROM sign_ins JOIN people ON people.id = sign_ins.person_id"
    " WHERE sign_ins.token_hash = :token_hash"
)

app = Flask(__name__, instance_path=os.environ.get("STORYBOARD_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
            instance_relative_config=True)
load_config(app, None)
engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **app.config["SQLALCHEMY_ENGINE_OPTIONS"])


@app.get("/")
def feed() -> Response:
    token = session.get("_user_id")  # where Flask-Login keeps Storyboard's session token
    if not token:
        return Response("sign in", status=401)
    with engine.connect() as connection:
        row = connection.execute(SIGNED_IN, {"token_hash": hashlib.sha256(token.encode()).hexdigest()}).first()
    if row is None or not row.active:
        return Response("sign in", status=401)
    return Response(BODY, content_type="text/html; charset=utf-8")
