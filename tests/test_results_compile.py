"""Year-end results compile themselves from approved entries, as the seed writes them; year
112's text stays."""

from decimal import Decimal

import pytest
from django.urls import reverse

from strategies import indicator_totals
from strategies.errors import DomainError
from strategies.models import Indicator, Item, MonthlyEntry, Year
from strategies.services import entries as services
from strategies.services import results, year_end
from tests import factories
from tests.conftest import login

Status = MonthlyEntry.Status


def approved(item, unit, staff, head, month, narrative, values):
    entry = services.save_entry(
        user=staff,
        item=item,
        unit=unit,
        month=month,
        version=0,
        narrative=narrative,
        values=values,
        submit=True,
        confirm_outliers=True,
    )
    return services.approve_entry(user=head, entry=entry, version=entry.version)


def test_achievement_rounds_half_up():
    assert indicator_totals.achievement_percent(Decimal(11), Decimal(9)) == 122
    assert indicator_totals.achievement_percent(Decimal(3), Decimal(2)) == 150
    assert indicator_totals.achievement_percent(Decimal(1), None) is None
    assert indicator_totals.achievement_percent(Decimal(1), Decimal(0)) is None


def test_sum_of_approved_months_against_target(item, unit_a, staff_a, head_a):
    indicator = item.indicators.get()  # 教育訓練, target 9 場次, summed
    for month, count in [(3, 4), (1, 2), (2, 5)]:
        approved(
            item,
            unit_a,
            staff_a,
            head_a,
            month,
            f"{month} 月辦理 {count} 場次",
            {indicator.pk: count},
        )
    # A draft does not count.
    services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=4,
        version=0,
        narrative="草稿",
        values={indicator.pk: 9},
    )
    compiled = results.compile_item(item)
    assert compiled.entry_count == 3
    assert compiled.totals[0].actual == 11
    assert compiled.totals[0].achievement == 122
    assert compiled.text.splitlines() == [
        "1 月辦理 2 場次",
        "2 月辦理 5 場次",
        "3 月辦理 4 場次",
        "教育訓練計 11 場次（目標 9 場次，達成率 122%）。",
    ]


def test_latest_value_for_a_running_total_per_unit(year, unit_a, unit_b, staff_a, head_a, org):
    item = factories.make_item(
        year,
        hosts=[unit_a, unit_b],
        target=2,
        measure="家",
        aggregation=Indicator.Aggregation.LATEST,
    )
    staff_b = factories.make_user("staff_b2", org, factories.Membership.Role.STAFF, unit_b)
    head_b = factories.make_user("head_b2", org, factories.Membership.Role.HEAD, unit_b)
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "取得標章 1 家", {indicator.pk: 1})
    approved(item, unit_a, staff_a, head_a, 5, "累計 2 家", {indicator.pk: 2})
    approved(item, unit_b, staff_b, head_b, 2, "秘書室協助 1 家", {indicator.pk: 1})
    compiled = results.compile_item(item)
    assert compiled.totals[0].actual == 3  # 2 (度量衡科's latest) + 1 (秘書室's latest)
    assert compiled.totals[0].achievement == 150
    # Units in their order (秘書室 first), months in order within each unit.
    assert compiled.text.splitlines() == [
        "秘書室協助 1 家",
        "取得標章 1 家",
        "累計 2 家",
        "教育訓練計 3 家（目標 2 家，達成率 150%）。",
    ]


def test_repeated_sentences_and_month_prefixes_are_dropped(item, unit_a, staff_a, head_a):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "1 月：訂定教育訓練計畫。辦理 2 場次。", {})
    approved(
        item,
        unit_a,
        staff_a,
        head_a,
        2,
        "2月：訂定教育訓練計畫。\n辦理 3 場次。",
        {indicator.pk: 5},
    )
    assert results.compile_item(item).text.splitlines() == [
        "訂定教育訓練計畫。辦理 2 場次。",
        "辦理 3 場次。",
        "教育訓練計 5 場次（目標 9 場次，達成率 56%）。",
    ]


def test_a_figure_without_a_target_has_no_achievement(item, unit_a, staff_a, head_a):
    indicator = item.indicators.get()
    indicator.target = None
    indicator.save()
    approved(item, unit_a, staff_a, head_a, 1, "辦理 1,910 家。", {indicator.pk: 1910})
    assert results.compile_item(item).text.splitlines()[-1] == "教育訓練計 1,910 場次。"


def test_approving_a_month_updates_the_draft_and_an_edit_is_recorded(
    client, item, unit_a, staff_a, head_a
):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理 11 場次", {indicator.pk: 11})
    item.refresh_from_db()
    assert "達成率 122%" in item.results  # no button pressed
    assert item.history.latest("history_date").history_change_reason == "依核定的月填報更新草稿"

    login(client, staff_a)
    url = reverse("strategies:item-results", args=[item.pk])
    response = client.post(
        url,
        {
            "action": "edit",
            "results": "計 11 場次，均已完成。",
            "shortfall_note": "",
            "reason": "精簡文字",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.results == "計 11 場次，均已完成。"
    assert item.results_state == Item.ResultsState.EDITED
    record = item.history.latest("history_date")
    assert record.history_user == staff_a
    assert record.history_change_reason == "精簡文字"


def test_results_cannot_change_after_the_year_closes(client, item, unit_a, staff_a, year):
    Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
    item.refresh_from_db()
    with pytest.raises(DomainError, match="已結束填報"):
        year_end.edit_text(user=staff_a, item=item, results="改")
    login(client, staff_a)
    response = client.post(
        reverse("strategies:item-results", args=[item.pk]), {"action": "edit", "results": "改"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.results == ""


def test_other_units_cannot_edit_results(client, item, staff_b, auditor):
    for user in (staff_b, auditor):
        login(client, user)
        response = client.post(
            reverse("strategies:item-results", args=[item.pk]), {"action": "edit", "results": "改"}
        )
        assert response.status_code == 403
    item.refresh_from_db()
    assert item.results == ""


def test_year_112_keeps_its_verbatim_results(seed):
    year = Year.objects.get(roc_year=112)
    before = dict(Item.objects.values_list("pk", "results"))
    compiled = results.compile_items(results.compilable_items(year))
    assert len(compiled) == 47
    assert all(c.entry_count == 0 for c in compiled)
    Year.objects.filter(pk=year.pk).update(status=Year.Status.OPEN)
    assert set(Item.objects.values_list("results_state", flat=True)) == {"imported"}
    assert dict(Item.objects.values_list("pk", "results")) == before
    assert "計 11 場次" in Item.objects.get(results__contains="計 11 場次").results


def test_shortfall_needs_an_explanation(item, unit_a, staff_a, head_a, year):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理 5 場次", {indicator.pk: 5})
    short = results.items_needing_explanation(year)
    assert [c.item for c in short] == [item]
    year_end.edit_text(
        user=staff_a, item=item, results=item.results, shortfall_note="下半年講師出缺"
    )
    assert results.items_needing_explanation(year) == []


def test_closing_check_names_unexplained_shortfalls(item, unit_a, staff_a, head_a, year):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理 5 場次", {indicator.pk: 5})
    with pytest.raises(DomainError, match=r"未達目標.*一\(一\)"):
        results.check_shortfalls_explained(year)
    year_end.edit_text(user=staff_a, item=item, results="計 5 場次", shortfall_note="講師出缺")
    results.check_shortfalls_explained(year)  # explained: nothing raised
