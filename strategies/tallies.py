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

tests/test_tallies.py recounts from scratch after each kind of write and compares.
"""

from collections import defaultdict
from collections.abc import Iterable
from enum import Enum

from django.db import connection, models, transaction
from django.db.models import Count, F
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from strategies.models import Dimension, Item, Method, MonthlyEntry, Strategy, Unit, Year
from strategies.models.tallies import DoneTally, PairTally, TallyState
from strategies.month_state import DONE

# (item_id, unit_id, month) of an entry that counts as done; None when it does not.
EntryKey = tuple[int, int, int] | None


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
}


def entry_changed(before: EntryKey, after: EntryKey) -> None:
    """Move the counts from what the entry counted as (`before`) to what it counts as now."""
    if before == after:
        return
    changes: dict[tuple[int, ...], int] = defaultdict(int)
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
    _add(DoneTally, changes)


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
    done = (
        MonthlyEntry.objects.filter(
            item__method__strategy__dimension__year=year,
            item__host_units=F("unit"),
            status__in=sorted(DONE),
            item__is_retired=False,
            item__method__is_retired=False,
            item__method__strategy__is_retired=False,
        )
        .order_by()
        .values("item__method__strategy__dimension__number", "unit_id", "month")
        .annotate(n=Count("pk"))
    )
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


def _remember_entry(sender: type, instance: MonthlyEntry, **kwargs: object) -> None:
    instance.__dict__[_BEFORE] = _done_key(instance) if instance.pk else None


def _entry_saved(sender: type, instance: MonthlyEntry, **kwargs: object) -> None:
    before: EntryKey | _Unknown = instance.__dict__.get(_BEFORE, _UNKNOWN)
    after = _done_key(instance)
    if before is _UNKNOWN or after is _UNKNOWN:
        mark_stale([_year_of_item(instance.item_id)])
    else:
        entry_changed(before, after)
    instance.__dict__[_BEFORE] = after


def _entry_deleted(sender: type, instance: MonthlyEntry, **kwargs: object) -> None:
    before: EntryKey | _Unknown = instance.__dict__.get(_BEFORE, _UNKNOWN)
    if before is _UNKNOWN:
        mark_stale([_year_of_item(instance.item_id)])
    else:
        entry_changed(before, None)


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
    for item_id, unit_id, month in MonthlyEntry.objects.filter(
        item_id__in=places, unit_id__in={unit_id for _item, unit_id in pairs}, status__in=DONE
    ).values_list("item_id", "unit_id", "month"):
        if (item_id, unit_id) in pairs:
            done_changes[(*places[item_id], unit_id, month)] += step
    _add(PairTally, pair_changes)
    _add(DoneTally, done_changes)


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
    for model in PLAN_FIELDS:
        name = model.__name__
        post_init.connect(_remember_plan, sender=model, dispatch_uid=f"{uid}.{name}.init")
        post_save.connect(_plan_saved, sender=model, dispatch_uid=f"{uid}.{name}.save")
        post_delete.connect(_plan_deleted, sender=model, dispatch_uid=f"{uid}.{name}.delete")
    post_save.connect(_year_created, sender=Year, dispatch_uid=f"{uid}.year.save")
    m2m_changed.connect(_hosts_changed, sender=Item.host_units.through, dispatch_uid=f"{uid}.hosts")
