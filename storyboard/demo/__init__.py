"""Demo data: a believable company with stories in every state, seeded by `flask seed-demo`."""
from storyboard.demo.command import seed_demo_command
from storyboard.demo.seed import seed_demo

__all__ = ["seed_demo", "seed_demo_command"]
