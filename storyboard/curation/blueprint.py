"""The curation blueprint (the review queue and the curator panel), for the modules that add
routes to it."""
from __future__ import annotations

from flask import Blueprint, request

bp = Blueprint("curation", __name__, url_prefix="/queue")
QUEUE_ARGS = ("department", "value", "age", "after", "before")


def queue_args() -> dict[str, str]:
    """The queue's filters and page, carried through its forms so a curator stays where they were."""
    return {name: request.args[name] for name in QUEUE_ARGS if request.args.get(name)}
