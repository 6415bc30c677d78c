"""People import from CSV (filled in separately)."""
import click
from flask.cli import AppGroup

people_cli = AppGroup("people", help="Manage people.")
