"""Role checks on the server, as view decorators."""
from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from storyboard.models import Person


def role_required(allowed: Callable[[Person], bool]):
    """Let through signed-in people for whom `allowed(person)` holds; 403 for everyone else."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


curator_required = role_required(lambda person: person.is_curator)
admin_required = role_required(lambda person: person.is_admin)
