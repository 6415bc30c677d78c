"""Backups of the whole database: `flask --app storyboard backup create | restore`.

SQLite is copied with its online backup API and PostgreSQL with pg_dump's custom format, so a
backup is one file, taken while the app keeps running, that restore puts back row for row.
"""
from storyboard.backup.cli import backup_cli

__all__ = ["backup_cli"]
