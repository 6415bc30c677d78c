"""What SCIM refuses before scim2-models reads a request: text the database cannot store, and
booleans that are not JSON booleans."""
from __future__ import annotations

import re

from scim2_models import InvalidValueException

# /scim/ is exempt from the app's text cleaning, so what the database cannot store (lone
# surrogates) or should not (NUL and other control characters) is refused here, as the API does.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refuse_unstorable(value, where: str = "the request") -> None:
    """A SCIM 400 invalidValue for any string (key or value) with a control character or a
    lone surrogate, rather than a 500 when it reaches the database."""
    if isinstance(value, str) and UNSTORABLE.search(value):
        raise InvalidValueException(detail=f"{where} contains a control character or an invalid character; "
                                           "remove it.")
    if isinstance(value, dict):
        for key, item in value.items():
            refuse_unstorable(key, "An attribute name")
            refuse_unstorable(item, str(key) if not UNSTORABLE.search(str(key)) else where)
    elif isinstance(value, list):
        for item in value:
            refuse_unstorable(item, where)


def _is_active(key) -> bool:
    return isinstance(key, str) and (key.lower() == "active" or key.lower().endswith(":user:active"))


def strict_active(user: dict) -> None:
    """SCIM booleans are JSON true or false: pydantic would read "yes" or 1 as true."""
    for key, value in user.items():
        if _is_active(key) and not isinstance(value, bool):
            raise InvalidValueException(detail="active must be true or false (a JSON boolean).")


def patch_active(payload: dict) -> None:
    """In PATCH, accept the strings "True" and "False" (any case) for active, as Microsoft
    Entra ID sends them, and nothing else that is not a JSON boolean."""
    operations = payload.get("Operations")
    for operation in operations if isinstance(operations, list) else ():
        if not isinstance(operation, dict):
            continue
        value = operation.get("value")
        if _is_active(operation.get("path")):
            if isinstance(value, str) and value.lower() in ("true", "false"):
                operation["value"] = value.lower() == "true"
            elif not isinstance(value, bool):
                raise InvalidValueException(detail="active must be true or false (a JSON boolean).")
        elif isinstance(value, dict):
            for key, item in list(value.items()):
                if _is_active(key) and isinstance(item, str) and item.lower() in ("true", "false"):
                    value[key] = item.lower() == "true"
            strict_active(value)
