"""Settings an admin changes in the app rather than in the environment."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from storyboard.clock import utcnow
from storyboard.extensions import db


class AppSetting(db.Model):
    """A setting an admin changed in the app; without a row, the environment's value holds."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
