"""Configuration layers, the generated secret key, and the init-db command."""
import stat

from sqlalchemy import func, inspect, select

from storyboard import create_app
from storyboard.extensions import db
from storyboard.models import Value


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path))
    first = create_app()
    second = create_app()
    key_file = tmp_path / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_layers_defaults_instance_file_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text('COMPANY_NAME = "From instance"\nFEED_PAGE_SIZE = 7\n')
    monkeypatch.setenv("STORYBOARD_FEED_PAGE_SIZE", "12")
    monkeypatch.setenv("STORYBOARD_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'other.db'}")
    app = create_app()
    assert app.config["COMPANY_NAME"] == "From instance"
    assert app.config["FEED_PAGE_SIZE"] == 12  # the environment wins, parsed as JSON
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert app.config["MAIL_PORT"] == 25  # an untouched default


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("STORYBOARD_SQLALCHEMY_DATABASE_URI", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'storyboard.db'}"
    assert app.config["OUTBOX_DIR"] == str(tmp_path / "outbox")


def test_init_db_creates_schema_and_values_and_can_run_twice(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "9 default values added" in first.output
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0 and "0 default values added" in again.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"people", "stories", "values", "applause", "story_readers", "thank_yous", "story_fts"} <= tables
        assert db.session.scalar(select(func.count()).select_from(Value)) == 9
        db.engine.dispose()
