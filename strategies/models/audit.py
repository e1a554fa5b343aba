"""Who changed a row and why, as django-simple-history reads them from the instance it saves.

simple_history takes the author of a change from `instance._history_user`, its reason from
`instance._change_reason`, and writes no history row when `skip_history_when_saving` is set.
Every model with `history = HistoricalRecords()` mixes in `RecordsHistory`, which declares those
attributes (annotations only: nothing is set until a service sets it), so that setting them is
type-checked like any other field.
"""

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class RecordsHistory:
    _history_user: "User | None"
    _change_reason: str
    skip_history_when_saving: bool


def record_change(obj: models.Model, *, user: "User | None", reason: str) -> None:
    """Set who and why for the history row that `obj.save()` writes next; for the generic
    savers that handle models with and without history (those keep no record)."""
    if isinstance(obj, RecordsHistory):
        obj._history_user = user
        obj._change_reason = reason
