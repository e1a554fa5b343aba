"""Keep the stored counts (strategies.models.tallies) the auditor's and admin's pages read.

How they stay true, whoever writes:
- an entry saved or deleted through the model (every service, the Django admin, a test's
  `objects.create`) moves its count in the same transaction, by one upsert that adds to the
  stored number in the database (`done = done + 1`): concurrent transactions never lose an
  increment. Only a change into or out of submitted/approved moves a count, so saving a draft
  or approving a submitted entry touches no counter row;
- a change of the plan that decides which (item, unit) pairs owe entries (host units, retiring,
  moving an item, a dimension's number) or a bulk write that bypasses the model (synthetic
  years) marks the year's counts stale; the next reader recounts them once (`fresh`);
- a new year (copy, import, restore) starts without counts, so it is counted when first read.

Each indicator's approved values are kept the same way, per (indicator, unit) by both of
strategies.indicator_totals' rules (IndicatorTally): an entry moving into or out of approved,
or a value of an approved entry written or deleted, recompiles those units' rows from their
approved values (twelve at most) in the writer's transaction, the rows locked first so that two
writers of one row take turns and the second reads what the first committed.

tests/test_tallies.py recounts from scratch after each kind of write and compares.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from enum import Enum
from typing import Any

from django.db import connection, models, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from strategies.indicator_totals import unit_share
from strategies.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    Item,
    Method,
    MonthlyEntry,
    Strategy,
    Unit,
    Year,
)
from strategies.models.tallies import (
    DoneTally,
    IndicatorTally,
    PairMonthsTally,
    PairTally,
    TallyState,
)
from strategies.month_state import APPROVED, DONE

# (item_id, unit_id, month) of an entry that counts as done; None when it does not.
EntryKey = tuple[int, int, int] | None
ApprovedKey = tuple[int, int] | None  # (unit, month) of an approved entry


class _Unknown(Enum):
    """A value not read: a deferred field, or no state remembered."""

    UNKNOWN = "unknown"


_UNKNOWN = _Unknown.UNKNOWN
# The plan nodes whose changes decide which (item, unit) pairs owe entries.
type PlanNode = Item | Method | Strategy | Dimension

LIVE = {
    "is_retired": False,
    "method__is_retired": False,
    "method__strategy__is_retired": False,
}


def _done_key(entry: MonthlyEntry) -> EntryKey | _Unknown:
    """What the entry adds to the counts as stored now; _UNKNOWN when a field was deferred."""
    values = entry.__dict__
    if not all(name in values for name in ("item_id", "unit_id", "month", "status")):
        return _UNKNOWN
    if values["status"] not in DONE:
        return None
    return (values["item_id"], values["unit_id"], values["month"])


def _placement(item_id: int, unit_id: int) -> tuple[int, int] | None:
    """(year, dimension number) of a pair in use, None when the unit does not host the live
    item (its entries owe and count nothing). One query."""
    return (
        Item.objects.filter(pk=item_id, host_units=unit_id, **LIVE)
        .values_list("method__strategy__dimension__year_id", "method__strategy__dimension__number")
        .first()
    )


def _add(model: type[models.Model], changes: dict[tuple[int, ...], int]) -> None:
    """Add to stored counts in one statement (`INSERT … ON CONFLICT DO UPDATE SET n = n + …`),
    rows in a fixed order so two transactions never wait on each other's rows crosswise."""
    rows = sorted((key, n) for key, n in changes.items() if n)
    if not rows:
        return
    keys, count = TALLY_COLUMNS[model]
    table = model._meta.db_table
    columns = ", ".join((*keys, count))
    values = ", ".join(["(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"] * len(rows))
    params = [value for key, n in rows for value in (*key, n)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({', '.join(keys)}) "
            f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
            params,
        )


TALLY_COLUMNS: dict[type[models.Model], tuple[tuple[str, ...], str]] = {
    DoneTally: (("year_id", "dimension_number", "unit_id", "month"), "done"),
    PairTally: (("year_id", "dimension_number", "unit_id"), "pairs"),
    # A month's bit added or taken away: the same `n + step` upsert.
    PairMonthsTally: (("year_id", "item_id", "unit_id"), "done_months"),
}


def month_bit(month: int) -> int:
    return 1 << (month - 1)


# --- approved indicator values ---------------------------------------------------------------

IndicatorKey = tuple[int, int]  # (indicator_id, unit_id)
SUM, LATEST = Indicator.Aggregation.SUM, Indicator.Aggregation.LATEST


def _approved_key(entry: MonthlyEntry) -> ApprovedKey | _Unknown:
    """(unit, month) of an approved entry, None when not approved, _UNKNOWN when deferred."""
    values = entry.__dict__
    if not all(name in values for name in ("unit_id", "month", "status")):
        return _UNKNOWN
    if values["status"] != APPROVED:
        return None
    return (values["unit_id"], values["month"])


def _shares(
    rows: Iterable[tuple[int, int, int, Decimal]],
) -> dict[IndicatorKey, tuple[int, Decimal, Decimal]]:
    """{(indicator, unit): (months, sum share, latest share)} of (indicator, unit, month, value)
    rows, by strategies.indicator_totals' rule."""
    reported: dict[IndicatorKey, list[tuple[int, Decimal]]] = defaultdict(list)
    for indicator_id, unit_id, month, value in rows:
        reported[(indicator_id, unit_id)].append((month, value))
    return {
        key: (len(pairs), unit_share(SUM, pairs), unit_share(LATEST, pairs))
        for key, pairs in reported.items()
    }


def _upsert_indicator_rows(rows: list[tuple[IndicatorKey, tuple[int, Decimal, Decimal]]]) -> None:
    """Write these (indicator, unit) rows in one statement, in key order."""
    table = IndicatorTally._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params = [v for (i, u), (n, total, latest) in rows for v in (i, u, n, total, latest)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (indicator_id, unit_id, months, total, latest) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (indicator_id, unit_id) DO UPDATE SET "
            "months = excluded.months, total = excluded.total, latest = excluded.latest",
            params,
        )


def indicators_changed(keys: Iterable[IndicatorKey]) -> None:
    """Recompile the stored approved shares of these (indicator, unit) pairs from their
    approved values (3 queries). The rows are locked first (an upsert that changes nothing):
    a concurrent writer of the same row waits, and each statement after the lock sees what
    it committed."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    zero = (0, Decimal(0), Decimal(0))
    table = IndicatorTally._meta.db_table
    values = ", ".join(["(%s, %s, 0, 0, 0)"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (indicator_id, unit_id, months, total, latest) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (indicator_id, unit_id) DO UPDATE SET "
            f"months = {table}.months",
            [v for key in wanted for v in key],
        )
    rows = IndicatorValue.objects.filter(
        entry__status=APPROVED,
        indicator_id__in={i for i, _u in wanted},
        entry__unit_id__in={u for _i, u in wanted},
    ).values_list("indicator_id", "entry__unit_id", "entry__month", "value")
    keep = set(wanted)
    shares = _shares(row for row in rows if (row[0], row[1]) in keep)
    _upsert_indicator_rows([(key, shares.get(key, zero)) for key in wanted])


def indicator_actuals(year: Year) -> dict[int, Decimal]:
    """{indicator: its figure compiled from approved values by its rule} of the year's
    indicators with any approved value (counts kept fresh first: 2 queries)."""
    fresh(year)
    rows = (
        IndicatorTally.objects.filter(
            indicator__item__method__strategy__dimension__year=year, months__gt=0
        )
        .order_by()
        .values("indicator_id", "indicator__aggregation")
        .annotate(sum_share=Sum("total"), latest_share=Sum("latest"))
    )
    return {
        row["indicator_id"]: row["latest_share"]
        if row["indicator__aggregation"] == LATEST
        else row["sum_share"]
        for row in rows
    }


def stored_actual() -> Case:
    """`indicator_actuals` as an SQL expression over an outer Indicator: its figure compiled
    from the stored approved shares by its rule, 0 without any (read after `fresh`)."""
    shares = (
        IndicatorTally.objects.filter(indicator_id=OuterRef("pk"), months__gt=0)
        .order_by()
        .values("indicator_id")
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    zero = Value(Decimal(0), output_field=money)
    total = Subquery(shares.annotate(s=Sum("total")).values("s")[:1], output_field=money)
    latest = Subquery(shares.annotate(s=Sum("latest")).values("s")[:1], output_field=money)
    return Case(
        When(aggregation=LATEST, then=Coalesce(latest, zero)),
        default=Coalesce(total, zero),
        output_field=money,
    )


def _recount_indicators(year: Year) -> None:
    """The year's approved shares from scratch (reads every approved value of the year once)."""
    IndicatorTally.objects.filter(indicator__item__method__strategy__dimension__year=year).delete()
    rows = IndicatorValue.objects.filter(
        entry__status=APPROVED, indicator__item__method__strategy__dimension__year=year
    ).values_list("indicator_id", "entry__unit_id", "entry__month", "value")
    IndicatorTally.objects.bulk_create(
        IndicatorTally(indicator_id=i, unit_id=u, months=n, total=total, latest=latest)
        for (i, u), (n, total, latest) in sorted(_shares(rows).items())
    )


# --- done entries ------------------------------------------------------------------------------


def entry_changed(before: EntryKey, after: EntryKey) -> None:
    """Move the counts from what the entry counted as (`before`) to what it counts as now."""
    if before == after:
        return
    changes: dict[tuple[int, ...], int] = defaultdict(int)
    months: dict[tuple[int, ...], int] = defaultdict(int)
    places: dict[tuple[int, int], tuple[int, int] | None] = {}
    for key, step in ((before, -1), (after, 1)):
        if key is None:
            continue
        item_id, unit_id, month = key
        if (item_id, unit_id) not in places:
            places[(item_id, unit_id)] = _placement(item_id, unit_id)
        place = places[(item_id, unit_id)]
        if place is not None:
            changes[(place[0], place[1], unit_id, month)] += step
            months[(place[0], item_id, unit_id)] += step * month_bit(month)
    _add(DoneTally, changes)
    _add(PairMonthsTally, months)


def mark_stale(year_ids: Iterable[int | None]) -> None:
    """The years' counts no longer hold: the next reader recounts them."""
    ids = {pk for pk in year_ids if pk is not None}
    if ids:
        TallyState.objects.filter(year_id__in=ids).delete()


@transaction.atomic
def recount(year: Year) -> None:
    """Count the year's host pairs in use and done entries from scratch (reads every entry of
    the year once: after a plan change or a bulk write only)."""
    TallyState.objects.select_for_update().filter(year=year).delete()
    DoneTally.objects.filter(year=year).delete()
    PairTally.objects.filter(year=year).delete()
    PairMonthsTally.objects.filter(year=year).delete()
    pairs = (
        Item.host_units.through.objects.filter(
            item__method__strategy__dimension__year=year,
            item__is_retired=False,
            item__method__is_retired=False,
            item__method__strategy__is_retired=False,
        )
        .order_by()
        .values("item__method__strategy__dimension__number", "unit_id")
        .annotate(n=Count("pk"))
    )
    PairTally.objects.bulk_create(
        PairTally(
            year=year,
            dimension_number=row["item__method__strategy__dimension__number"],
            unit_id=row["unit_id"],
            pairs=row["n"],
        )
        for row in pairs
    )
    done_entries = MonthlyEntry.objects.filter(
        item__method__strategy__dimension__year=year,
        item__host_units=F("unit"),
        status__in=sorted(DONE),
        item__is_retired=False,
        item__method__is_retired=False,
        item__method__strategy__is_retired=False,
    ).order_by()
    pair_months: dict[tuple[int, int], int] = defaultdict(int)
    for item_id, unit_id, month in done_entries.values_list("item_id", "unit_id", "month"):
        pair_months[(item_id, unit_id)] |= month_bit(month)
    PairMonthsTally.objects.bulk_create(
        PairMonthsTally(year=year, item_id=item_id, unit_id=unit_id, done_months=bits)
        for (item_id, unit_id), bits in sorted(pair_months.items())
    )
    done = done_entries.values(
        "item__method__strategy__dimension__number", "unit_id", "month"
    ).annotate(n=Count("pk"))
    DoneTally.objects.bulk_create(
        DoneTally(
            year=year,
            dimension_number=row["item__method__strategy__dimension__number"],
            unit_id=row["unit_id"],
            month=row["month"],
            done=row["n"],
        )
        for row in done
    )
    _recount_indicators(year)
    TallyState.objects.create(year=year)


def fresh(year: Year) -> None:
    """Recount the year's counts if a plan change or bulk write left them stale (1 query when
    they hold)."""
    if not TallyState.objects.filter(year=year).exists():
        recount(year)


def done_counts(year: Year) -> dict[tuple[int, int, int], int]:
    """{(dimension number, unit, month): done entries} of the year (counts kept fresh first)."""
    fresh(year)
    return {
        (d, u, m): n
        for d, u, m, n in DoneTally.objects.filter(year=year, done__gt=0).values_list(
            "dimension_number", "unit_id", "month", "done"
        )
    }


def months_mask(months: Iterable[int]) -> int:
    """The bits of these months, as PairMonthsTally stores them."""
    return sum(month_bit(m) for m in set(months))


def pairs_done_in(year: Year, months: Iterable[int], *, unit_id: int | None = None) -> int:
    """Host pairs in use (of one unit) with every one of `months` submitted or approved (read
    after `done_counts`, which keeps them fresh). One count over the year's pairs with an entry
    done, none of the entries read."""
    mask = months_mask(months)
    pairs = PairMonthsTally.objects.filter(year=year)
    if unit_id is not None:
        pairs = pairs.filter(unit_id=unit_id)
    return pairs.annotate(covered=F("done_months").bitand(mask)).filter(covered=mask).count()


def with_done_months(pairs: QuerySet[Any], year: Year) -> QuerySet[Any]:
    """Host pairs (rows of Item.host_units.through) with their stored done months as the alias
    `done_months` (0 without a row; read after `done_counts`): one indexed look-up per pair."""
    stored = PairMonthsTally.objects.filter(
        year=year, item_id=OuterRef("item_id"), unit_id=OuterRef("unit_id")
    ).values("done_months")[:1]
    return pairs.alias(done_months=Coalesce(Subquery(stored), 0))


def pairs_owing(pairs: QuerySet[Any], year: Year, months: Iterable[int]) -> QuerySet[Any]:
    """The host pairs missing a submitted or approved month among `months`, decided on the
    stored months, none of the entries read."""
    mask = months_mask(months)
    return (
        with_done_months(pairs, year)
        .alias(covered=F("done_months").bitand(mask))
        .exclude(covered=mask)
    )


def pair_counts(year: Year) -> dict[tuple[int, int], int]:
    """{(dimension number, unit): host pairs in use} of the year (read after `done_counts`,
    which keeps them fresh)."""
    return {
        (d, u): n
        for d, u, n in PairTally.objects.filter(year=year, pairs__gt=0).values_list(
            "dimension_number", "unit_id", "pairs"
        )
    }


# --- who tells them ----------------------------------------------------------------------------


# What an instance counted as when loaded or last saved, kept in its own __dict__ (as
# attributes of the instance, never fields).
_BEFORE, _PLAN = "_tally_before", "_tally_plan"
_APPROVED_BEFORE, _VALUE = "_tally_approved_before", "_tally_value"


def _remember_entry(sender: type, instance: MonthlyEntry, **kwargs: object) -> None:
    instance.__dict__[_BEFORE] = _done_key(instance) if instance.pk else None
    instance.__dict__[_APPROVED_BEFORE] = _approved_key(instance) if instance.pk else None


def _approved_moved(indicator_ids: Iterable[int], keys: Iterable[ApprovedKey]) -> None:
    """The entry's approved values left or joined these (unit, month)s."""
    units = {key[0] for key in keys if isinstance(key, tuple)}
    indicator_ids = list(indicator_ids)
    indicators_changed((i, u) for i in indicator_ids for u in units)


def _entry_saved(sender: type, instance: MonthlyEntry, **kwargs: object) -> None:
    before: EntryKey | _Unknown = instance.__dict__.get(_BEFORE, _UNKNOWN)
    after = _done_key(instance)
    approved_before: ApprovedKey | _Unknown = instance.__dict__.get(_APPROVED_BEFORE, _UNKNOWN)
    approved_after = _approved_key(instance)
    if (
        before is _UNKNOWN
        or after is _UNKNOWN
        or approved_before is _UNKNOWN
        or approved_after is _UNKNOWN
    ):
        mark_stale([_year_of_item(instance.item_id)])
    else:
        entry_changed(before, after)
        if approved_before != approved_after:
            _approved_moved(
                IndicatorValue.objects.filter(entry_id=instance.pk).values_list(
                    "indicator_id", flat=True
                ),
                (approved_before, approved_after),
            )
    instance.__dict__[_BEFORE] = after
    instance.__dict__[_APPROVED_BEFORE] = approved_after


def _entry_deleted(sender: type, instance: MonthlyEntry, **kwargs: object) -> None:
    before: EntryKey | _Unknown = instance.__dict__.get(_BEFORE, _UNKNOWN)
    approved_before: ApprovedKey | _Unknown = instance.__dict__.get(_APPROVED_BEFORE, _UNKNOWN)
    if before is _UNKNOWN or approved_before is _UNKNOWN:
        mark_stale([_year_of_item(instance.item_id)])
        return
    entry_changed(before, None)
    if approved_before is not None:
        # Its values went first (cascade, skipped by _value_deleted): its item's indicators.
        _approved_moved(
            Indicator.objects.filter(item_id=instance.item_id).values_list("pk", flat=True),
            (approved_before,),
        )


def _value_state(instance: IndicatorValue) -> tuple[object, ...]:
    return tuple(instance.__dict__.get(name, _UNKNOWN) for name in ("indicator_id", "entry_id"))


def _remember_value(sender: type, instance: IndicatorValue, **kwargs: object) -> None:
    instance.__dict__[_VALUE] = _value_state(instance) if instance.pk else None


def _approved_unit(instance: IndicatorValue) -> int | None:
    """The unit of the value's entry when that entry is approved, else None (the entry in
    hand when the value was reached through it, else 1 query)."""
    entry = instance._state.fields_cache.get("entry")
    if entry is not None and "status" in entry.__dict__ and "unit_id" in entry.__dict__:
        status, unit_id = entry.status, entry.unit_id
    else:
        row = (
            MonthlyEntry.objects.filter(pk=instance.entry_id)
            .values_list("status", "unit_id")
            .first()
        )
        if row is None:
            return None
        status, unit_id = row
    return unit_id if status == APPROVED else None


def _value_saved(sender: type, instance: IndicatorValue, **kwargs: object) -> None:
    if kwargs.get("raw"):
        return
    before: tuple[object, ...] | None = instance.__dict__.get(_VALUE)
    now = _value_state(instance)
    instance.__dict__[_VALUE] = now
    if before is not None and before[1] != now[1]:
        mark_stale([_year_of_indicator(instance.indicator_id)])  # moved to another entry
        return
    unit_id = _approved_unit(instance)
    if unit_id is not None:
        indicator_ids = {now[0]} | ({before[0]} if before is not None else set())
        indicators_changed((i, unit_id) for i in indicator_ids if isinstance(i, int))


def _value_deleted(sender: type, instance: IndicatorValue, **kwargs: object) -> None:
    origin = kwargs.get("origin")
    if isinstance(origin, MonthlyEntry) or (
        isinstance(origin, QuerySet) and origin.model is MonthlyEntry
    ):
        return  # the entry's own deletion recompiles its units' rows
    unit_id = _approved_unit(instance)
    if unit_id is not None:
        indicators_changed([(instance.indicator_id, unit_id)])


def _year_of_indicator(indicator_id: int) -> int | None:
    return (
        Indicator.objects.filter(pk=indicator_id)
        .values_list("item__method__strategy__dimension__year_id", flat=True)
        .first()
    )


def _year_of_item(item_id: int) -> int | None:
    return (
        Item.objects.filter(pk=item_id)
        .values_list("method__strategy__dimension__year_id", flat=True)
        .first()
    )


# The fields of each plan level that decide which pairs owe entries, and the path to its year.
PLAN_FIELDS: dict[type, tuple[tuple[str, ...], str]] = {
    Item: (("method_id", "is_retired"), "method__strategy__dimension__year_id"),
    Method: (("strategy_id", "is_retired"), "strategy__dimension__year_id"),
    Strategy: (("dimension_id", "is_retired"), "dimension__year_id"),
    Dimension: (("year_id", "number"), "year_id"),
}


def _plan_state(instance: PlanNode) -> tuple[object, ...]:
    names, _path = PLAN_FIELDS[type(instance)]
    return tuple(instance.__dict__.get(name, _UNKNOWN) for name in names)


def _remember_plan(sender: type, instance: PlanNode, **kwargs: object) -> None:
    instance.__dict__[_PLAN] = _plan_state(instance) if instance.pk else None


def _plan_years(instance: PlanNode, state: tuple[object, ...] | None) -> set[int | None]:
    """The node's year now and, when it moved, before (by the parent it had)."""
    model = type(instance)
    _names, path = PLAN_FIELDS[model]
    years = {model._default_manager.filter(pk=instance.pk).values_list(path, flat=True).first()}
    parent_field = PLAN_FIELDS[model][0][0]
    if state is not None and state[0] is not _UNKNOWN:
        parent = model._meta.get_field(parent_field.removesuffix("_id")).related_model
        assert isinstance(parent, type)  # a foreign key to a model class
        if parent is Year:
            assert isinstance(state[0], int)
            years.add(state[0])
        else:
            parent_path = path.split("__", 1)[1]
            years.add(
                parent._default_manager.filter(pk=state[0])
                .values_list(parent_path, flat=True)
                .first()
            )
    return years


def _plan_saved(sender: type, instance: PlanNode, created: bool, **kwargs: object) -> None:
    before: tuple[object, ...] | None = instance.__dict__.get(_PLAN)
    now = _plan_state(instance)
    instance.__dict__[_PLAN] = now
    if created or before == now:
        return  # a new node hosts nothing yet; its host units say when it does
    mark_stale(_plan_years(instance, before))


def _plan_deleted(sender: type, instance: PlanNode, **kwargs: object) -> None:
    years = _plan_years(instance, instance.__dict__.get(_PLAN))
    years |= _plan_years(instance, _plan_state(instance))  # the row is gone: ask its parent
    mark_stale(years - {None})


def hosts_changed(pairs: Iterable[tuple[int, int]], step: int) -> None:
    """(item, unit) host pairs added (`step` 1) or removed (-1): the pair counts and the done
    entries of those pairs move with them (3 queries, whatever the year's size)."""
    pairs = set(pairs)
    if not pairs:
        return
    item_ids = {item_id for item_id, _unit in pairs}
    places = {
        pk: (year_id, number)
        for pk, year_id, number in Item.objects.filter(pk__in=item_ids, **LIVE).values_list(
            "pk", "method__strategy__dimension__year_id", "method__strategy__dimension__number"
        )
    }
    pair_changes: dict[tuple[int, ...], int] = defaultdict(int)
    for item_id, unit_id in pairs:
        if item_id in places:
            pair_changes[(*places[item_id], unit_id)] += step
    done_changes: dict[tuple[int, ...], int] = defaultdict(int)
    month_changes: dict[tuple[int, ...], int] = defaultdict(int)
    for item_id, unit_id, month in MonthlyEntry.objects.filter(
        item_id__in=places, unit_id__in={unit_id for _item, unit_id in pairs}, status__in=DONE
    ).values_list("item_id", "unit_id", "month"):
        if (item_id, unit_id) in pairs:
            done_changes[(*places[item_id], unit_id, month)] += step
            month_changes[(places[item_id][0], item_id, unit_id)] += step * month_bit(month)
    _add(PairTally, pair_changes)
    _add(DoneTally, done_changes)
    _add(PairMonthsTally, month_changes)


def _hosts_changed(
    sender: type,
    instance: Item | Unit,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: object,
) -> None:
    if action == "pre_clear":
        # From the unit's side (`reverse`) the unit's items, else the item itself.
        items = (
            Item.objects.filter(host_units=instance) if isinstance(instance, Unit) else [instance]
        )
        mark_stale(_year_of_item(item.pk) for item in items)
        return
    if action not in {"post_add", "post_remove"} or not pk_set:
        return
    own = instance.pk
    pairs = [(pk, own) for pk in pk_set] if reverse else [(own, pk) for pk in pk_set]
    hosts_changed(pairs, 1 if action == "post_add" else -1)


def _year_created(sender: type, instance: Year, created: bool, **kwargs: object) -> None:
    """A new year has nothing to count: its counts hold from the start, and every write
    through the models keeps them (bulk writers mark the year stale)."""
    if created and not kwargs.get("raw"):
        TallyState.objects.get_or_create(year=instance)


def connect() -> None:
    """Wire the receivers (StrategiesConfig.ready)."""
    uid = "strategies.tallies"
    post_init.connect(_remember_entry, sender=MonthlyEntry, dispatch_uid=f"{uid}.entry.init")
    post_save.connect(_entry_saved, sender=MonthlyEntry, dispatch_uid=f"{uid}.entry.save")
    post_delete.connect(_entry_deleted, sender=MonthlyEntry, dispatch_uid=f"{uid}.entry.delete")
    post_init.connect(_remember_value, sender=IndicatorValue, dispatch_uid=f"{uid}.value.init")
    post_save.connect(_value_saved, sender=IndicatorValue, dispatch_uid=f"{uid}.value.save")
    post_delete.connect(_value_deleted, sender=IndicatorValue, dispatch_uid=f"{uid}.value.delete")
    for model in PLAN_FIELDS:
        name = model.__name__
        post_init.connect(_remember_plan, sender=model, dispatch_uid=f"{uid}.{name}.init")
        post_save.connect(_plan_saved, sender=model, dispatch_uid=f"{uid}.{name}.save")
        post_delete.connect(_plan_deleted, sender=model, dispatch_uid=f"{uid}.{name}.delete")
    post_save.connect(_year_created, sender=Year, dispatch_uid=f"{uid}.year.save")
    m2m_changed.connect(_hosts_changed, sender=Item.host_units.through, dispatch_uid=f"{uid}.hosts")
