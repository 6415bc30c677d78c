"""What the app logged as unhandled while a request ran, and a short description of a response.

The app answers an unexpected exception with its 500 page and logs it (storyboard/errors.py);
`ServerErrors` catches those records so a test can say which exception, and where, made the 500.
"""
from __future__ import annotations

import logging
import re
import traceback
from html import unescape
from typing import Self

from flask import Flask


class ServerErrors(logging.Handler):
    """Collects exceptions logged by the app while installed (`with ServerErrors(app) as errors`)."""

    def __init__(self, app: Flask):
        super().__init__(level=logging.ERROR)
        self.logger, self.exceptions = app.logger, []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.exceptions.append(record.exc_info[1])

    def __enter__(self) -> Self:
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)


def where(exception: BaseException) -> str:
    """`Type: message` and the deepest frame of Storyboard's own code it went through."""
    frames = traceback.extract_tb(exception.__traceback__)
    ours = [frame for frame in frames if "/storyboard/" in frame.filename and "/tests/" not in frame.filename]
    frame = (ours or frames or [None])[-1]
    place = f" at {frame.filename.split('/storyboard/')[-1]}:{frame.lineno} ({frame.name})" if frame else ""
    message = str(exception).splitlines()[0][:160] if str(exception) else ""
    return f"{type(exception).__name__}: {message}{place}"


_MESSAGE = re.compile(r'<div class="narrow error-page">\s*<h1>.*?</h1>\s*<p>(.*?)</p>', re.DOTALL)


def described(status, body: str) -> str:
    """The status with the error page's message, if the body is one."""
    match = _MESSAGE.search(body)
    return f"{status} ({unescape(match.group(1))[:100]})" if match else str(status)
