"""What goes into an organization-year archive, model by model: read off the plan tree.

Each `Spec` names the fields, the foreign keys (to other specs, or to users), the many-to-many
fields, the timestamps set automatically on save, and how to list the rows in an order that
does not depend on database keys. All of it comes from the tree's description
(strategies/plan_tree.py; scoring/plan_tree.py adds scoring's levels): `specs_for(tree)`.
The organization and the year themselves are written by the archive (archive.py).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet

from strategies import plan_tree
from strategies.models import Organization, Year
from strategies.plan_tree import IN_ARCHIVE, USER, Level


@dataclass(frozen=True)
class Spec:
    """How one model goes into the archive and comes back.

    `refs` maps a foreign key to the spec it points at ("user" for users); `m2m` likewise.
    `select(organization, year)` lists the rows in an order that does not depend on database
    keys. `times` are auto_now / auto_now_add fields, restored after the insert. `added_later`
    are the fields an older archive may lack, with the value their rows get then.
    """

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    select: Callable[[Organization, Year], Iterable[models.Model]]
    refs: dict[str, str] = field(default_factory=dict)
    m2m: dict[str, str] = field(default_factory=dict)
    times: tuple[str, ...] = ()
    file_field: str = ""
    added_later: dict[str, Any] = field(default_factory=dict)


# Rows the archive hangs on the organization or the year it restores, not on another spec.
_OWNERS = {"organization", "year"}


def _select(
    level: Level, tree: tuple[Level, ...]
) -> Callable[[Organization, Year], QuerySet[models.Model]]:
    def select(organization: Organization, year: Year) -> QuerySet[models.Model]:
        rows = plan_tree.rows_of_year(level, tree, organization, year)
        if level.source_link:
            # The archive names the source by its path up to its year (archive._item_path).
            rows = rows.select_related(f"{level.source_link}__{level.scope}")
        return rows

    return select


def spec_of(level: Level, tree: tuple[Level, ...]) -> Spec:
    refs: dict[str, str] = {}
    if level.parent not in _OWNERS:  # every level below the organization and year has one
        assert level.parent is not None and level.parent_field is not None
        refs[level.parent_field] = level.parent
    refs |= {name: "user" if kind == USER else kind for name, kind in level.refs.items()}
    return Spec(
        level.name,
        level.model,
        level.carried(IN_ARCHIVE),
        _select(level, tree),
        refs=refs,
        m2m={name: kind for name, (kind, _carried) in level.m2m.items()},
        times=level.times,
        file_field=level.file_field,
        added_later=level.added_later,
    )


def specs_for(tree: tuple[Level, ...]) -> list[Spec]:
    """The archive's specs of every level below the organization and the year, parents first."""
    return [spec_of(level, tree) for level in tree if level.name not in _OWNERS]


STRATEGIES_SPECS: list[Spec] = specs_for(plan_tree.TREE)

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "password",
    "date_joined",
)
