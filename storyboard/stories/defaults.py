"""The company's service ideals, seeded as the first values."""
from __future__ import annotations

from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Value

DEFAULT_VALUES: list[tuple[str, str, str]] = [
    ("Courtesy", "courtesy", "Treated people with warmth and respect, whatever the pressure."),
    ("Empathy", "empathy", "Saw the situation through the other person's eyes."),
    ("Responsibility", "responsibility", "Took the problem as their own instead of passing it on."),
    ("Practicality", "practicality", "Found the simple fix that actually worked."),
    ("Positive attitude", "positive-attitude", "Kept spirits up and made the hard day lighter."),
    ("Threw out the script", "threw-out-the-script", "Left the script behind to meet a real need."),
    ("Broke the right rule", "broke-the-right-rule", "Bent a rule that was in the way of doing right."),
    ("Owned it end to end", "owned-it-end-to-end", "Stayed with it until it was truly resolved."),
    ("Made it right", "made-it-right", "Turned a failure into a customer who came back."),
]


def ensure_default_values() -> int:
    """Create any missing default values; returns how many were created. The caller commits."""
    existing = set(db.session.scalars(select(Value.slug)))
    created = 0
    for position, (name, slug, description) in enumerate(DEFAULT_VALUES, start=1):
        if slug not in existing:
            db.session.add(Value(name=name, slug=slug, description=description, position=position))
            created += 1
    return created
