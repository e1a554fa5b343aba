"""Copy a year: the structure, targets and bands come along; results, entries and scores do not."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from scoring.models import DimensionScore, GradeBands, ScoreSheet
from scoring.year_setup import copy_year_with_scoring
from strategies.errors import DomainError
from strategies.models import (
    Dimension,
    Indicator,
    Item,
    Method,
    MonthlyEntry,
    Strategy,
    Year,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _counts(year: Year) -> dict[str, int]:
    return {
        "dimensions": Dimension.objects.filter(year=year).count(),
        "strategies": Strategy.objects.filter(dimension__year=year).count(),
        "methods": Method.objects.filter(strategy__dimension__year=year).count(),
        "items": Item.objects.filter(method__strategy__dimension__year=year).count(),
        "indicators": Indicator.objects.filter(
            item__method__strategy__dimension__year=year
        ).count(),
    }


def _snapshot() -> dict[str, int]:
    return {
        "years": Year.objects.count(),
        "items": Item.objects.count(),
        "indicators": Indicator.objects.count(),
        "bands": GradeBands.objects.count(),
        "sheets": ScoreSheet.objects.count(),
    }


@pytest.fixture
def source(org, unit_a, unit_b, staff_a):
    """Year 112, closed, with results, a monthly entry, scores and its own grade bands."""
    year = factories.make_year(org, 112, status=Year.Status.CLOSED, deadline_day=15)
    first = factories.make_item(
        year, hosts=[unit_a, unit_b], title="辦理教育訓練", results="計 11 場次", target=9
    )
    first.shortfall_note = "無"
    first.save()
    indicator = first.indicators.get()
    indicator.reported_actual = Decimal(11)
    indicator.allows_decimals = True
    indicator.aggregation = Indicator.Aggregation.LATEST
    indicator.save()
    factories.make_item(year, hosts=[unit_b], dimension=2, target=None, measure="")
    factories.make_item(year, hosts=[unit_a], dimension=5, target=Decimal("2.5"))
    MonthlyEntry.objects.create(item=first, unit=unit_a, month=3, narrative="三月辦理 1 場")
    GradeBands.objects.filter(year=year).update(excellent_min=950, a_min=850)
    ScoreSheet.objects.filter(year=year).update(
        assessed_by="高雄分局", assessed_roc_year=113, assessed_month=1
    )
    dim = year.dimensions.get(number=1)
    DimensionScore.objects.create(dimension=dim, round="self", score=184)
    return year


def test_copy_keeps_the_structure_counts(org, source, admin_user):
    new = copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)
    assert _counts(new) == _counts(source)
    assert _counts(new)["items"] == 3
    assert new.status == Year.Status.PLANNING
    assert new.deadline_day == 15
    assert new.copied_from == source


def test_texts_and_host_units_are_copied(org, source, unit_a, unit_b):
    new = copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)
    old_item = Item.objects.get(method__strategy__dimension=source.dimensions.get(number=1))
    new_item = Item.objects.get(method__strategy__dimension=new.dimensions.get(number=1))
    assert new_item.title == "辦理教育訓練"
    assert new_item.host_label == old_item.host_label == "度量衡科、秘書室"
    assert new_item.planned_actions == "預計舉辦 9 場次教育訓練"
    assert set(new_item.host_units.all()) == {unit_a, unit_b}
    assert new_item.method.title == "提高服務人員專業度"
    assert new_item.method.description == "強化專業"
    assert new_item.method.strategy.title == "服務一致及正確性"
    dims = list(new.dimensions.values_list("number", "name", "max_score"))
    assert dims[0] == (1, "基礎服務", Decimal(200))


def test_results_entries_and_scores_stay_behind(org, source):
    new = copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)
    items = Item.objects.filter(method__strategy__dimension__year=new)
    assert all(i.results == "" and i.shortfall_note == "" for i in items)
    assert not MonthlyEntry.objects.filter(item__in=items).exists()
    assert not Indicator.objects.filter(item__in=items, reported_actual__isnull=False).exists()
    assert not DimensionScore.objects.filter(dimension__year=new).exists()
    sheet = ScoreSheet.objects.get(year=new)
    assert sheet.assessed_by == ""
    assert sheet.assessed_month is None
    assert sheet.signed_off_at is None


def test_targets_and_indicator_rules_are_copied(org, source):
    new = copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)
    old = list(
        Indicator.objects.filter(item__method__strategy__dimension__year=source)
        .order_by("item__method__strategy__dimension__number")
        .values_list("name", "measure", "target", "aggregation", "allows_decimals")
    )
    copied = list(
        Indicator.objects.filter(item__method__strategy__dimension__year=new)
        .order_by("item__method__strategy__dimension__number")
        .values_list("name", "measure", "target", "aggregation", "allows_decimals")
    )
    assert copied == old
    assert copied[0][2:] == (Decimal(9), "latest", True)
    assert copied[1][2] == Decimal("2.5")


def test_each_item_remembers_where_it_came_from_across_years(org, source):
    copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)
    y114 = copy_year_with_scoring(organization=org, from_roc_year=113, to_roc_year=114, user=None)
    for item in Item.objects.filter(method__strategy__dimension__year=y114):
        parent = item.copied_from
        assert parent.method.strategy.dimension.year.roc_year == 113
        grandparent = parent.copied_from
        assert grandparent.method.strategy.dimension.year == source
        assert grandparent.planned_actions == item.planned_actions


def test_grade_bands_are_copied(org, source):
    new = copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)
    bands = GradeBands.objects.get(year=new)
    assert (bands.excellent_min, bands.a_min, bands.b_min, bands.c_min) == (
        Decimal(950),
        Decimal(850),
        Decimal(700),
        Decimal(600),
    )


def test_retired_items_and_units_are_left_behind(org, source, unit_b):
    item = Item.objects.get(method__strategy__dimension=source.dimensions.get(number=5))
    item.is_retired = True
    item.save()
    unit_b.is_active = False
    unit_b.save()
    new = copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)
    assert _counts(new)["items"] == 2
    first = Item.objects.get(method__strategy__dimension=new.dimensions.get(number=1))
    assert [u.name for u in first.host_units.all()] == ["度量衡科"]


def test_open_flag_opens_the_year_and_history_says_why(org, source, admin_user):
    new = copy_year_with_scoring(
        organization=org, from_roc_year=112, to_roc_year=113, user=admin_user, open_year=True
    )
    new.refresh_from_db()
    assert new.status == Year.Status.OPEN
    reasons = list(
        new.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["複製自 112 年度", "複製後開放填報"]
    assert new.history.first().history_user == admin_user


def test_command_copies_and_reports(org, source):
    out = StringIO()
    call_command("copy_year", org="khh", from_year=112, to_year=113, open=True, stdout=out)
    assert "共 3 個填報項目" in out.getvalue()
    assert Year.objects.get(organization=org, roc_year=113).status == Year.Status.OPEN


def test_command_refuses_an_existing_year_and_changes_nothing(org, source):
    factories.make_year(org, 113)
    before = _snapshot()
    with pytest.raises(CommandError, match="已有 113 年度"):
        call_command("copy_year", org="khh", from_year=112, to_year=113)
    assert _snapshot() == before


def test_command_if_missing_exits_quietly_when_the_year_exists(org, source):
    factories.make_year(org, 113)
    before = _snapshot()
    out = StringIO()
    call_command("copy_year", org="khh", from_year=112, to_year=113, if_missing=True, stdout=out)
    assert "已存在" in out.getvalue()
    assert _snapshot() == before


def test_command_refuses_an_unknown_organization(org, source):
    before = _snapshot()
    with pytest.raises(CommandError, match="找不到代碼為「nope」的機關"):
        call_command("copy_year", org="nope", from_year=112, to_year=113)
    assert _snapshot() == before


def test_command_refuses_a_missing_source_year(org, source):
    before = _snapshot()
    with pytest.raises(CommandError, match="沒有 111 年度"):
        call_command("copy_year", org="khh", from_year=111, to_year=113)
    assert _snapshot() == before


@pytest.mark.parametrize(("frm", "to"), [(112, 112), (112, 0)])
def test_service_refuses_nonsense_years(org, source, frm, to):
    before = _snapshot()
    with pytest.raises(DomainError):
        copy_year_with_scoring(organization=org, from_roc_year=frm, to_roc_year=to, user=None)
    assert _snapshot() == before


def test_a_failure_half_way_leaves_nothing_behind(org, source, monkeypatch):
    """The scoring half fails after the plan was copied: the plan copy is rolled back too."""

    def boom(**kwargs):
        raise DomainError("等第區間寫入失敗")

    monkeypatch.setattr("scoring.year_setup.copy_scoring_setup", boom)
    before = _snapshot()
    with pytest.raises(DomainError):
        copy_year_with_scoring(organization=org, from_roc_year=112, to_roc_year=113, user=None)
    assert _snapshot() == before


def test_another_organizations_year_is_not_a_source(org, other_org, source):
    factories.make_year(other_org, 111)
    with pytest.raises(DomainError, match="沒有 111 年度"):
        copy_year_with_scoring(organization=org, from_roc_year=111, to_roc_year=113, user=None)


def test_copy_query_count_grows_linearly_not_worse(org, unit_a, django_assert_max_num_queries):
    """About a dozen queries per item (insert, history, host units, indicator): pinned per item."""
    small = factories.make_year(org, 100)
    big = factories.make_year(org, 101)
    for _ in range(2):
        factories.make_item(small, hosts=[unit_a])
    for _ in range(20):
        factories.make_item(big, hosts=[unit_a])
    with django_assert_max_num_queries(2 * 20 + 60):
        copy_year_with_scoring(organization=org, from_roc_year=100, to_roc_year=200, user=None)
    with django_assert_max_num_queries(20 * 20 + 60):
        copy_year_with_scoring(organization=org, from_roc_year=101, to_roc_year=201, user=None)


SEED = Path(settings.BASE_DIR) / "fixtures" / "khh_112.json"


@pytest.mark.skipif(
    not SEED.exists() or SEED.parent not in [Path(d) for d in settings.FIXTURE_DIRS],
    reason="fixtures/khh_112.json not written or FIXTURE_DIRS not set yet",
)
def test_the_seed_copies_to_113_with_its_47_items(seed):
    out = StringIO()
    call_command(
        "copy_year", org="khh", from_year=112, to_year=113, if_missing=True, open=True, stdout=out
    )
    y112 = Year.objects.get(organization__code="khh", roc_year=112)
    y113 = Year.objects.get(organization__code="khh", roc_year=113)
    assert _counts(y113) == _counts(y112)
    assert _counts(y113)["items"] == 47
    assert y113.status == Year.Status.OPEN
    assert (
        not Item.objects.filter(method__strategy__dimension__year=y113).exclude(results="").exists()
    )
