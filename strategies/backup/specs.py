"""What goes into an organization-year archive, model by model (the strategies side).

Each `Spec` names the fields, the foreign keys (to other specs, or to users), the many-to-many
fields, the timestamps set automatically on save, and how to list the rows in an order that
does not depend on database keys. The scoring side adds its own specs (scoring/backup_specs.py).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models

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

ITEM_PATH = (
    "item__method__strategy__dimension__number",
    "item__method__strategy__order",
    "item__method__order",
    "item__order",
)
ENTRY_PATH = tuple(f"entry__{p}" for p in ITEM_PATH) + ("entry__unit__name", "entry__month")


@dataclass(frozen=True)
class Spec:
    """How one model goes into the archive and comes back.

    `refs` maps a foreign key to the spec it points at ("user" for users); `m2m` likewise.
    `select(organization, year)` lists the rows in an order that does not depend on database
    keys. `times` are auto_now / auto_now_add fields, restored after the insert.
    """

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    select: Callable[[Organization, Year], Iterable[models.Model]]
    refs: dict[str, str] = field(default_factory=dict)
    m2m: dict[str, str] = field(default_factory=dict)
    times: tuple[str, ...] = ()
    file_field: str = ""


def _by_year(
    model: type[models.Model], path: str, *order: str
) -> Callable[[Organization, Year], Iterable[models.Model]]:
    return lambda organization, year: model._default_manager.filter(**{path: year}).order_by(*order)


STRATEGIES_SPECS: list[Spec] = [
    Spec(
        "unit",
        Unit,
        ("name", "kind", "order", "is_active"),
        lambda org, year: Unit.objects.filter(organization=org).order_by("name"),
    ),
    Spec(
        "membership",
        Membership,
        ("role",),
        lambda org, year: Membership.objects.filter(organization=org).order_by("user__username"),
        refs={"user": "user", "unit": "unit"},
    ),
    Spec(
        "dimension",
        Dimension,
        ("number", "name", "max_score"),
        _by_year(Dimension, "year", "number"),
    ),
    Spec(
        "strategy",
        Strategy,
        ("order", "title", "is_retired"),
        _by_year(Strategy, "dimension__year", "dimension__number", "order"),
        refs={"dimension": "dimension"},
    ),
    Spec(
        "method",
        Method,
        ("order", "title", "description", "is_retired"),
        _by_year(
            Method,
            "strategy__dimension__year",
            "strategy__dimension__number",
            "strategy__order",
            "order",
        ),
        refs={"strategy": "strategy"},
    ),
    Spec(
        "item",
        Item,
        (
            "order",
            "title",
            "host_label",
            "planned_actions",
            "results",
            "shortfall_note",
            "is_retired",
            "results_state",
            "results_draft",
            "results_base",
            "results_state_reason",
            "results_approved_at",
        ),
        lambda org, year: (
            Item.objects.filter(method__strategy__dimension__year=year)
            .select_related("copied_from__method__strategy__dimension__year")
            .prefetch_related("host_units")
            .order_by(*(p[6:] for p in ITEM_PATH))
        ),
        refs={"method": "method", "results_edited_by": "user", "results_approved_by": "user"},
        m2m={"host_units": "unit"},
    ),
    Spec(
        "indicator",
        Indicator,
        ("order", "name", "measure", "target", "aggregation", "allows_decimals", "reported_actual"),
        _by_year(Indicator, "item__method__strategy__dimension__year", *ITEM_PATH, "order"),
        refs={"item": "item"},
    ),
    Spec(
        "monthly_entry",
        MonthlyEntry,
        (
            "month",
            "narrative",
            "status",
            "return_reason",
            "version",
            "updated_at",
            "submitted_at",
            "approved_at",
            "approved_as_deputy",
        ),
        _by_year(
            MonthlyEntry,
            "item__method__strategy__dimension__year",
            *ITEM_PATH,
            "unit__name",
            "month",
        ),
        refs={
            "item": "item",
            "unit": "unit",
            "created_by": "user",
            "updated_by": "user",
            "submitted_by": "user",
            "approved_by": "user",
        },
        times=("updated_at",),
    ),
    Spec(
        "indicator_value",
        IndicatorValue,
        ("value",),
        _by_year(
            IndicatorValue,
            "entry__item__method__strategy__dimension__year",
            *ENTRY_PATH,
            "indicator__order",
        ),
        refs={"entry": "monthly_entry", "indicator": "indicator"},
    ),
    Spec(
        "entry_comment",
        EntryComment,
        ("body", "created_at"),
        _by_year(
            EntryComment,
            "entry__item__method__strategy__dimension__year",
            *ENTRY_PATH,
            "created_at",
            "body",
        ),
        refs={"entry": "monthly_entry", "author": "user"},
        times=("created_at",),
    ),
    Spec(
        "evidence",
        Evidence,
        ("original_name", "content_type", "size", "sha256", "uploaded_at"),
        _by_year(
            Evidence,
            "entry__item__method__strategy__dimension__year",
            *ENTRY_PATH,
            "uploaded_at",
            "original_name",
        ),
        refs={"entry": "monthly_entry", "uploaded_by": "user"},
        times=("uploaded_at",),
        file_field="file",
    ),
    Spec(
        "month_lock",
        MonthLock,
        ("month", "locked_at"),
        _by_year(MonthLock, "year", "month"),
        refs={"locked_by": "user"},
        times=("locked_at",),
    ),
]

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "password",
    "date_joined",
)
