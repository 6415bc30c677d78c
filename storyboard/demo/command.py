"""`flask --app storyboard seed-demo`: fill the database with a demo company."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from storyboard.demo.accounts import existing_accounts, login_lines
from storyboard.demo.seed import seed_demo
from storyboard.extensions import db
from storyboard.models import Person


@click.command("seed-demo")
@click.option("--people", default=200, show_default=True, type=click.IntRange(min=1),
              help="People to add, besides the three demo sign-ins.")
@click.option("--stories", default=600, show_default=True, type=click.IntRange(min=0),
              help="Stories to add.")
@click.option("--seed", default=1, show_default=True, type=int,
              help="Random seed; the same seed on the same day gives the same data.")
@click.option("--if-empty", is_flag=True, help="Only seed when there are no people yet.")
@with_appcontext
def seed_demo_command(people: int, stories: int, seed: int, if_empty: bool) -> None:
    """Seed a demo company: people, stories in every state, readers, applause and notes, the
    canon and its collections, and a year of digest issues already sent (no email goes out)."""
    if if_empty and db.session.scalar(select(Person.id).limit(1)) is not None:
        _echo_skipped()
        return
    started = time.perf_counter()
    click.echo(f"Adding {people} people, and the demo sign-ins if missing...")
    with click.progressbar(length=stories, label="Writing stories") as bar:
        summary = seed_demo(people, stories, seed=seed, progress=bar.update)
    click.echo(
        f"Added {summary.people} people and {summary.stories} stories with {summary.readers} "
        f"readers, {summary.applause} applause and {summary.thanks} thank-you notes "
        f"in {time.perf_counter() - started:.1f}s."
    )
    click.echo(
        f"Promoted {summary.canon} stories into the canon, arranged {summary.collections} collections, and "
        f"recorded {summary.issues} past digest issues ({summary.deliveries} deliveries, already sent)."
    )
    insights = summary.insights
    click.echo(
        f"For HR's insights: the customer's voice on {insights.evidence} stories, {insights.filed} rules that got "
        f"in the way filed under {insights.friction_items} items ({insights.told} people told of a change), "
        f"{insights.visits} visits from digest links, {insights.bounces} bounces and {insights.unsubscribed} "
        "people who left the digest."
    )
    _echo_logins()


def _echo_skipped() -> None:
    if existing_accounts():
        click.echo("Demo data already present; not seeding.")
        _echo_logins()
    else:
        # Someone's real people: the demo sign-ins would not work here, so don't list them.
        click.echo("People already present and no demo sign-ins among them; not seeding.")


def _echo_logins() -> None:
    for line in login_lines(existing_accounts()):
        click.echo(line)
