"""Demo data: a believable company with stories in every state (filled in by seed-demo)."""
import click


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when there are no people yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Seed a demo company."""
    raise click.ClickException("seed-demo is not built yet")
