"""The plan tree's description accounts for every field, and every copy carries what it says.

A field added to a model and left out of the description fails here, before a backup, a copied
year or the JSON report can drop it without a word.
"""

import json
from decimal import Decimal

import pytest
from django.db import models

from perfreport.reports import document_schema, json_schema
from perfreport.reports.selectors import build_report
from scoring.backup_specs import ALL_SPECS
from scoring.plan_tree import TREE
from scoring.year_setup import copy_year_with_scoring
from strategies import plan_tree
from strategies.models import Indicator, Item, Year
from strategies.plan_tree import COPIED, IN_ARCHIVE, IN_REPORT, USER
from tests import factories

LEVELS = plan_tree.by_name(TREE)


@pytest.mark.parametrize("level", TREE, ids=lambda level: level.name)
def test_every_stored_field_is_carried_or_excluded_with_a_reason(level):
    stored = set(plan_tree.concrete_fields(level.model))
    described = plan_tree.described_fields(level)
    assert stored - described == set(), (
        f"{level.model.__name__}: add these fields to strategies/plan_tree.py (or scoring's), "
        "as carried or excluded with the reason"
    )
    assert described - stored == set(), "the description names fields the model does not have"
    assert all(reason.strip() for reason in level.excluded.values())


def test_item_and_indicator_leave_nothing_out_silently():
    """The two models the issue names: every field of theirs has a place in the description."""
    for level in (plan_tree.ITEM, plan_tree.INDICATOR):
        for name in plan_tree.concrete_fields(level.model):
            assert name in plan_tree.described_fields(level), name


@pytest.mark.parametrize("level", TREE, ids=lambda level: level.name)
def test_parents_come_first_and_references_point_into_the_tree(level):
    position = {other.name: n for n, other in enumerate(TREE)}
    if level.parent is not None:
        parent = LEVELS[level.parent]
        assert position[parent.name] < position[level.name]
        link = level.model._meta.get_field(level.parent_field)
        assert link.related_model is parent.model
    for name, kind in level.refs.items():
        field_ = level.model._meta.get_field(name)
        assert isinstance(field_, models.ForeignKey)
        if kind != USER:
            assert field_.related_model is LEVELS[kind].model
            assert position[kind] < position[level.name] or kind == level.name
    for name, (kind, _carried) in level.m2m.items():
        assert level.model._meta.get_field(name).related_model is LEVELS[kind].model
    assert set(level.added_later) <= set(level.carried(IN_ARCHIVE))
    assert set(level.times) <= set(level.fields)


def test_the_archive_carries_every_field_the_description_gives_it():
    specs = {spec.name: spec for spec in ALL_SPECS}
    assert list(specs) == [
        level.name for level in TREE if level.name not in {"organization", "year"}
    ]
    for name, spec in specs.items():
        level = LEVELS[name]
        assert spec.fields == level.carried(IN_ARCHIVE)
        assert set(level.refs) <= set(spec.refs)
        assert set(spec.m2m) == set(level.m2m)
        assert spec.added_later == level.added_later


def test_rows_sort_along_the_tree_without_database_keys():
    assert plan_tree.sort_path(plan_tree.MONTHLY_ENTRY, TREE) == (
        "item__method__strategy__dimension__number",
        "item__method__strategy__order",
        "item__method__order",
        "item__order",
        "unit__name",
        "month",
    )
    assert plan_tree.sort_path(plan_tree.UNIT, TREE) == ("name",)
    assert plan_tree.sort_path(plan_tree.MONTH_LOCK, TREE) == ("month",)


def _schema_fields(model) -> set[str]:  # type: ignore[no-untyped-def]
    return set(model.model_fields)


def test_the_report_schema_has_exactly_the_fields_the_description_puts_in_the_report():
    dimension = document_schema.level_model(plan_tree.DIMENSION)
    item = document_schema.level_model(plan_tree.ITEM)
    assert _schema_fields(item) == {
        *plan_tree.ITEM.carried(IN_REPORT),
        "host_units",
        "indicators",
        "entries",
    }
    assert _schema_fields(dimension) == {
        *plan_tree.DIMENSION.carried(IN_REPORT),
        "scores",
        "strategies",
    }
    entry = document_schema.level_model(plan_tree.MONTHLY_ENTRY)
    assert _schema_fields(entry) == {*plan_tree.MONTHLY_ENTRY.carried(IN_REPORT), "unit", "values"}
    # The results state is the archive's, never the report's.
    assert "results_state" not in _schema_fields(item)


@pytest.mark.django_db
def test_the_exported_document_matches_the_generated_schema(org, unit_a):
    year = factories.make_year(org, 112)
    factories.make_item(year, hosts=[unit_a], title="辦理教育訓練", target=Decimal("9.5"))
    document = json_schema.to_document(build_report(year, include_entries=True))
    assert document_schema.schema_problems(json.loads(json.dumps(document))) == []
    item = document["dimensions"][0]["strategies"][0]["methods"][0]["items"][0]
    assert set(item) == _schema_fields(document_schema.level_model(plan_tree.ITEM))
    assert set(item["indicators"][0]) == set(plan_tree.INDICATOR.carried(IN_REPORT))


def test_schema_problems_name_their_place():
    problems = document_schema.schema_problems({"schema": "x", "schema_version": 1, "units": [3]})
    assert "organization: 缺少此欄位" in problems
    assert "units[0]: 應為物件" in problems


@pytest.mark.django_db
def test_copy_year_carries_the_plan_fields_and_leaves_the_rest_at_their_defaults(org, unit_a):
    source = factories.make_year(org, 112, status=Year.Status.CLOSED)
    item = factories.make_item(source, hosts=[unit_a], title="辦理教育訓練", target=9)
    for name in plan_tree.ITEM.carried(IN_ARCHIVE):
        field_ = Item._meta.get_field(name)
        if isinstance(field_, models.TextField):
            setattr(item, name, f"{name} 的內容")
    item.save()
    indicator = item.indicators.get()
    indicator.reported_actual = Decimal(11)
    indicator.allows_decimals = True
    indicator.save()

    target = copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)

    for level, model, original in (
        (plan_tree.ITEM, Item, item),
        (plan_tree.INDICATOR, Indicator, indicator),
    ):
        copy = model.objects.get(
            **{f"{level.scope}": target},
            **{name: getattr(original, name) for name in level.carried(COPIED)},
        )
        for name in level.carried(IN_ARCHIVE):
            if name in level.carried(COPIED):
                assert getattr(copy, name) == getattr(original, name), name
            else:
                assert getattr(copy, name) == model._meta.get_field(name).get_default(), name
