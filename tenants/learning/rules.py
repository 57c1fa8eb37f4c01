"""Rules that need the database (the schemas check the shape of input; these check state).

A broken rule raises `RuleError(field, message)`: forms show it next to the field (422),
the API answers 422 with the same message. Nothing is written when a rule is broken.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext
from marshmallow import ValidationError

from lekwijzer.members import list_members

from .periods import today_local


class RuleError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message

    @property
    def errors(self) -> dict:
        return {self.field: [self.message]}


def member_ids() -> set:
    return {m.user_id for m in list_members()}


def check_owner(owner_id) -> None:
    """An owner must be a member of this organisation."""
    if owner_id is not None and owner_id not in member_ids():
        raise RuleError("owner_id", gettext("Choose a member of this organisation."))


def not_in_future(value: date) -> None:
    """Schema validator: a date that lies in the past or today (Dutch time)."""
    from flask_babel import lazy_gettext as _l

    if value > today_local():
        raise ValidationError(_l("This date lies in the future."))
