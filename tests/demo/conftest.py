"""The default demo, seeded once per test module that asks for it (it takes a few seconds)."""
from __future__ import annotations

import pytest

from storyboard import create_app
from storyboard.demo import seed_demo
from storyboard.extensions import db
from storyboard.stories.defaults import ensure_default_values


@pytest.fixture(scope="module")
def demo_app(database_url, tmp_path_factory):
    """An app whose database holds nothing but the default demo."""
    instance = tmp_path_factory.mktemp("instance")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYBOARD_INSTANCE_PATH", str(instance))
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "demo-secret",
                          "WTF_CSRF_ENABLED": False, "OUTBOX_DIR": str(instance / "outbox")})
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):  # whatever an earlier test left
            db.session.execute(table.delete())
        ensure_default_values()
        db.session.commit()
        seed_demo()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        yield demo_app
        db.session.rollback()
