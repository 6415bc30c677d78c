"""WSGI entry point: `gunicorn wsgi:app`."""
from storyboard import create_app

app = create_app()
