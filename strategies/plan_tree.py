"""The plan tree, described once: every copy of a year asks this description what to carry.

    organization ─ unit ─ membership
         └ year ─ dimension ─ strategy ─ method ─ item ─ indicator
                 └ month lock                      └ monthly entry ─ indicator value
                                                                   ├ comment
                                                                   └ evidence

(scoring adds grade bands and the score sheet under the year, dimension scores under the
dimension: scoring/plan_tree.py.) Each `Level` names its model, its parent and the foreign key
to it, its natural key among its siblings, and for every concrete field which copies carry it:

- `KEY`: the natural key (a number or an order): carried by every copy;
- `PLAN`: the structure and targets: copied into the next year (copy_year), in the JSON report,
  in the archive (backup/restore);
- `REPORT`: what the year achieved or decided (results, retirements): in the JSON report and
  the archive, never copied into a new year;
- `ARCHIVE`: workflow bookkeeping: only in the archive, which gives the year back as it was.

Every other concrete field is in `excluded` with the reason, so a new model field that is in
none of them fails tests/test_plan_tree.py instead of being dropped by a backup without a word.
The order of `fields` is the order of the JSON report's keys.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet

from strategies.models import (
    Dimension,
    EntryComment,
    Evidence,
    Indicator,
    IndicatorValue,
    Item,
    Membership,
    Method,
    MonthLock,
    MonthlyEntry,
    Organization,
    Strategy,
    Unit,
    Year,
)

KEY = "key"
PLAN = "plan"
REPORT = "report"
ARCHIVE = "archive"
USER = "user"  # a reference to a user (archive only: users are named in the archive)

# Carried by each kind of copy.
COPIED = frozenset({KEY, PLAN})
IN_REPORT = frozenset({KEY, PLAN, REPORT})
IN_ARCHIVE = frozenset({KEY, PLAN, REPORT, ARCHIVE})


@dataclass(frozen=True)
class Level:
    """One kind of row in the tree.

    `fields` maps each carried field to its kind (KEY, PLAN, REPORT, ARCHIVE); `refs` maps a
    foreign key to the level it points at, or to USER; `m2m` likewise for many-to-many fields
    (with the kind of copy that carries them). `scope` is the lookup from this model to the year
    (or to the organization, for the organization's own rows). `order` sorts the rows among
    their siblings without database keys. `times` are set by the database on save (auto_now),
    written back after a restore. `added_later` holds the fields an older archive may lack and
    the value their rows get then.
    """

    name: str
    model: type[models.Model]
    parent: str | None
    parent_field: str | None
    scope: str
    order: tuple[str, ...]
    fields: dict[str, str]
    refs: dict[str, str] = field(default_factory=dict)
    m2m: dict[str, tuple[str, str]] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    times: tuple[str, ...] = ()
    added_later: dict[str, Any] = field(default_factory=dict)
    file_field: str = ""
    # The foreign key to the row this one was copied from, in an earlier year: a copy points at
    # its source, the archive carries the source's path, the report names no other year.
    source_link: str = ""
    document: str = ""  # the key of this level's list inside its parent in the JSON report
    # In the JSON report the rows are an object keyed by this choice field, not a list.
    document_keyed_by: str = ""
    # Where a reference (refs, m2m) stands among the JSON report's keys: after the named field,
    # or first (""); one not named here follows the level's fields.
    document_after: dict[str, str] = field(default_factory=dict)

    def carried(self, kinds: frozenset[str]) -> tuple[str, ...]:
        """The fields a copy of these kinds carries, in declaration order."""
        return tuple(name for name, kind in self.fields.items() if kind in kinds)

    @property
    def retirable(self) -> bool:
        """Rows retired by hand stay behind when the year is copied (and are renumbered)."""
        return "is_retired" in self.fields

    @property
    def user_refs(self) -> tuple[str, ...]:
        return tuple(name for name, kind in self.refs.items() if kind == USER)


ORGANIZATION = Level(
    "organization",
    Organization,
    parent=None,
    parent_field=None,
    scope="",
    order=("code",),
    # The report names the organization; whether it is a headquarters is the archive's (an
    # imported parent is made a headquarters).
    fields={"code": KEY, "name": PLAN, "short_name": PLAN, "is_headquarters": ARCHIVE},
    refs={"parent": "organization"},
    excluded={
        "headquarters_may_comment": "a setting of the live system, set in /admin/",
    },
)

UNIT = Level(
    "unit",
    Unit,
    parent="organization",
    parent_field="organization",
    scope="organization",
    order=("name",),
    fields={"name": KEY, "kind": PLAN, "order": PLAN, "is_active": PLAN},
    document="units",
)

MEMBERSHIP = Level(
    "membership",
    Membership,
    parent="organization",
    parent_field="organization",
    scope="organization",
    order=("user__username",),
    fields={"role": ARCHIVE},
    refs={"user": USER, "unit": "unit"},
    excluded={"language": "each member's own choice, kept by the live account"},
)

YEAR = Level(
    "year",
    Year,
    parent="organization",
    parent_field="organization",
    scope="",
    order=("roc_year",),
    fields={"roc_year": KEY, "status": REPORT, "deadline_day": PLAN},
    source_link="copied_from",
)

DIMENSION = Level(
    "dimension",
    Dimension,
    parent="year",
    parent_field="year",
    scope="year",
    order=("number",),
    fields={"number": KEY, "name": PLAN, "max_score": PLAN},
    document="dimensions",
)

STRATEGY = Level(
    "strategy",
    Strategy,
    parent="dimension",
    parent_field="dimension",
    scope="dimension__year",
    order=("order",),
    fields={"order": KEY, "title": PLAN, "is_retired": REPORT},
    document="strategies",
)

METHOD = Level(
    "method",
    Method,
    parent="strategy",
    parent_field="strategy",
    scope="strategy__dimension__year",
    order=("order",),
    fields={"order": KEY, "title": PLAN, "description": PLAN, "is_retired": REPORT},
    document="methods",
)

ITEM = Level(
    "item",
    Item,
    parent="method",
    parent_field="method",
    scope="method__strategy__dimension__year",
    order=("order",),
    fields={
        "order": KEY,
        "title": PLAN,
        "host_label": PLAN,
        "planned_actions": PLAN,
        "results": REPORT,
        "shortfall_note": REPORT,
        "is_retired": REPORT,
        "results_state": ARCHIVE,
        "results_draft": ARCHIVE,
        "results_base": ARCHIVE,
        "results_state_reason": ARCHIVE,
        "results_approved_at": ARCHIVE,
    },
    refs={"results_edited_by": USER, "results_approved_by": USER},
    # Copied: the units still in use (a retired unit hosts nothing in a new year).
    m2m={"host_units": ("unit", PLAN)},
    document_after={"host_units": "host_label"},
    source_link="copied_from",
    # Archives made before the year-end text had a state: their items get the model's
    # defaults (a draft, nothing edited or approved).
    added_later={
        "results_state": Item.ResultsState.DRAFT,
        "results_draft": "",
        "results_base": "",
        "results_state_reason": "",
        "results_approved_at": None,
    },
    document="items",
)

INDICATOR = Level(
    "indicator",
    Indicator,
    parent="item",
    parent_field="item",
    scope="item__method__strategy__dimension__year",
    order=("order",),
    fields={
        "order": KEY,
        "name": PLAN,
        "measure": PLAN,
        "target": PLAN,
        "aggregation": PLAN,
        "allows_decimals": PLAN,
        "reported_actual": REPORT,
    },
    document="indicators",
)

MONTHLY_ENTRY = Level(
    "monthly_entry",
    MonthlyEntry,
    parent="item",
    parent_field="item",
    scope="item__method__strategy__dimension__year",
    order=("unit__name", "month"),
    fields={
        "month": KEY,
        "status": REPORT,
        "narrative": REPORT,
        "return_reason": REPORT,
        "submitted_at": REPORT,
        "approved_at": REPORT,
        "version": ARCHIVE,
        "updated_at": ARCHIVE,
        "approved_as_deputy": ARCHIVE,
    },
    refs={
        "unit": "unit",
        "created_by": USER,
        "updated_by": USER,
        "submitted_by": USER,
        "approved_by": USER,
    },
    times=("updated_at",),
    document="entries",
    document_after={"unit": ""},
)

INDICATOR_VALUE = Level(
    "indicator_value",
    IndicatorValue,
    parent="monthly_entry",
    parent_field="entry",
    scope="entry__item__method__strategy__dimension__year",
    order=("indicator__order",),
    fields={"value": REPORT},
    refs={"indicator": "indicator"},
    document="values",
    document_after={"indicator": ""},
)

ENTRY_COMMENT = Level(
    "entry_comment",
    EntryComment,
    parent="monthly_entry",
    parent_field="entry",
    scope="entry__item__method__strategy__dimension__year",
    order=("created_at", "body"),
    fields={"body": ARCHIVE, "created_at": ARCHIVE},
    refs={"author": USER},
    times=("created_at",),
)

EVIDENCE = Level(
    "evidence",
    Evidence,
    parent="monthly_entry",
    parent_field="entry",
    scope="entry__item__method__strategy__dimension__year",
    order=("uploaded_at", "original_name"),
    fields={
        "original_name": ARCHIVE,
        "content_type": ARCHIVE,
        "size": ARCHIVE,
        "sha256": ARCHIVE,
        "uploaded_at": ARCHIVE,
    },
    refs={"uploaded_by": USER},
    times=("uploaded_at",),
    file_field="file",
)

MONTH_LOCK = Level(
    "month_lock",
    MonthLock,
    parent="year",
    parent_field="year",
    scope="year",
    order=("month",),
    fields={"month": KEY, "locked_at": ARCHIVE},
    refs={"locked_by": USER},
    times=("locked_at",),
)

# Parents before children: the order a restore writes them in.
TREE: tuple[Level, ...] = (
    ORGANIZATION,
    UNIT,
    MEMBERSHIP,
    YEAR,
    DIMENSION,
    STRATEGY,
    METHOD,
    ITEM,
    INDICATOR,
    MONTHLY_ENTRY,
    INDICATOR_VALUE,
    ENTRY_COMMENT,
    EVIDENCE,
    MONTH_LOCK,
)


def by_name(tree: tuple[Level, ...]) -> dict[str, Level]:
    return {level.name: level for level in tree}


def sort_path(level: Level, tree: tuple[Level, ...]) -> tuple[str, ...]:
    """The lookups that sort a year's rows of this level in tree order, without database keys:
    the parent's path (through the parent's foreign key), then the level's own order.

    >>> sort_path(INDICATOR, TREE)[:2]
    ('item__method__strategy__dimension__number', 'item__method__strategy__order')
    """
    levels = by_name(tree)
    path: tuple[str, ...] = ()
    if level.parent is not None and level.parent_field is not None and level.scope != level.parent:
        parent = levels[level.parent]
        if parent.scope:  # below the year: the parent sorts first
            path = tuple(f"{level.parent_field}__{p}" for p in sort_path(parent, tree))
    return path + level.order


def rows_of_year(
    level: Level, tree: tuple[Level, ...], organization: Organization, year: Year
) -> QuerySet[models.Model]:
    """The level's rows of one organization-year (or of the organization), in tree order."""
    owner = organization if level.scope == "organization" else year
    queryset = level.model._default_manager.filter(**{level.scope: owner})
    if level.m2m:
        queryset = queryset.prefetch_related(*level.m2m)
    return queryset.order_by(*sort_path(level, tree))


def own_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The model's field `name` as the description names it: a column or a forward relation
    of the model itself, never a reverse relation."""
    field_ = model._meta.get_field(name)
    assert isinstance(field_, models.Field), f"{model.__name__}.{name} is not a field of its own"
    return field_


def concrete_fields(model: type[models.Model]) -> Iterator[str]:
    """Every field the model stores: columns and many-to-many links (not the primary key)."""
    for field_ in (*model._meta.concrete_fields, *model._meta.many_to_many):
        if not field_.primary_key:
            yield field_.name


def described_fields(level: Level) -> set[str]:
    """Every field the level accounts for: carried, referenced, or excluded with a reason."""
    named = set(level.fields) | set(level.refs) | set(level.m2m) | set(level.excluded)
    if level.parent_field:
        named.add(level.parent_field)
    for name in (level.file_field, level.source_link):
        if name:
            named.add(name)
    return named
