"""Each level's own fields in the JSON report (json_schema.py), read off the plan tree's
description: the fields it carries IN_REPORT, in the description's order (the report's key
order), each with how its value is written to and read from JSON, chosen by its Django field
class. Decimals are strings ("36.50", with the field's places), times ISO 8601 strings or
null; texts, choices (their stored value), integers and booleans are JSON's own.

The writer (json_schema) and the import (importing) name no plain field themselves: a field
added to a level's description is written, validated (document_schema) and read back.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import models

from scoring.plan_tree import TREE
from strategies import number_format
from strategies.plan_tree import IN_REPORT, Level, by_name

LEVELS = by_name(TREE)

Codec = Callable[[Any], Any] | None  # None: the value is the same in JSON and in Python


def _decimal_encoder(places: int) -> Codec:
    def encode(value: Decimal | None) -> str | None:
        return number_format.decimal_string(value, places=places)

    return encode


def _time_text(value: datetime | str | None) -> str | None:
    # The selector's entries hold their times already written (a plain row per entry).
    return value.isoformat() if isinstance(value, datetime) else value


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def encoder(field_: models.Field[Any, Any]) -> Codec:
    if isinstance(field_, models.DecimalField):
        return _decimal_encoder(field_.decimal_places)
    if isinstance(field_, models.DateTimeField):
        return _time_text
    return None


def decoder(field_: models.Field[Any, Any]) -> Codec:
    if isinstance(field_, models.DecimalField):
        return _decimal
    if isinstance(field_, models.DateTimeField):
        return _time
    return None


def _codecs(
    level: Level,
    codec: Callable[[models.Field[Any, Any]], Codec],
) -> tuple[tuple[str, Codec], ...]:
    return tuple((name, codec(_field(level, name))) for name in level.carried(IN_REPORT))


def _field(level: Level, name: str) -> models.Field[Any, Any]:
    field_ = level.model._meta.get_field(name)
    assert isinstance(field_, models.Field), name  # the description names concrete fields
    return field_


@cache
def encoders(level_name: str) -> tuple[tuple[str, Codec], ...]:
    """(field, encoder) for each of the level's own fields in the report, in key order."""
    return _codecs(LEVELS[level_name], encoder)


@cache
def decoders(level_name: str) -> tuple[tuple[str, Codec], ...]:
    return _codecs(LEVELS[level_name], decoder)


def to_json(level_name: str, source: object) -> dict[str, Any]:
    """The level's own fields of `source` (a model instance, or a selector's row with the
    same attribute names), as the report writes them."""
    return {
        name: getattr(source, name) if encode is None else encode(getattr(source, name))
        for name, encode in encoders(level_name)
    }


def from_json(level_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The level's own fields of one object of the report, as model field values."""
    return {
        name: data[name] if decode is None else decode(data[name])
        for name, decode in decoders(level_name)
    }


def build[M: models.Model](
    model: type[M], level_name: str, data: dict[str, Any], **relations: Any
) -> M:
    """A new, unsaved `model` row of the level from one object of the report; `relations` are
    its parent and references (already looked up) and the fields the report does not carry."""
    assert LEVELS[level_name].model is model, (level_name, model)
    return model(**from_json(level_name, data), **relations)


def with_references(
    level_name: str, own: dict[str, Any], references: dict[str, Any]
) -> dict[str, Any]:
    """The level's own fields with its references placed among them as the description says
    (`document_after`): first, after a field, or after the level's fields."""
    after = LEVELS[level_name].document_after
    row = {name: value for name, value in references.items() if after.get(name) == ""}
    for key, value in own.items():
        row[key] = value
        row.update((name, references[name]) for name, place in after.items() if place == key)
    row.update((name, value) for name, value in references.items() if name not in after)
    return row
