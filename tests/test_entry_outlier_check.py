"""A value over 5x the median of earlier months asks to be confirmed before it is saved."""

from decimal import Decimal

from django.urls import reverse

from strategies.models import IndicatorValue, MonthlyEntry
from strategies.services import entries as services
from tests.conftest import login


def fill_months(item, unit, user, values):
    indicator = item.indicators.get()
    for month, value in enumerate(values, start=1):
        services.save_entry(
            user=user,
            item=item,
            unit=unit,
            month=month,
            version=0,
            narrative=f"{month} 月",
            values={indicator.pk: value},
        )
    return indicator


def test_unusual_value_asks_to_confirm_then_saves(client, item, unit_a, staff_a):
    indicator = fill_months(item, unit_a, staff_a, [2, 2, 3])
    login(client, staff_a)
    url = reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 4])
    data = {"version": 0, "narrative": "4 月", "action": "save", f"value_{indicator.pk}": "20"}
    before = IndicatorValue.objects.count()

    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "超過先前各月中位數的 5 倍" in page
    assert 'id="outlier-confirm"' in page
    assert not MonthlyEntry.objects.filter(month=4).exists()
    assert IndicatorValue.objects.count() == before

    response = client.post(url, {**data, "confirm_outliers": "on"})
    assert response.status_code == 302
    assert MonthlyEntry.objects.get(month=4).values.get().value == Decimal(20)


def test_value_within_five_times_the_median_saves_at_once(client, item, unit_a, staff_a):
    indicator = fill_months(item, unit_a, staff_a, [2, 2, 3])
    login(client, staff_a)
    response = client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 4]),
        {"version": 0, "narrative": "4 月", "action": "save", f"value_{indicator.pk}": "10"},
    )
    assert response.status_code == 302


def test_first_month_has_nothing_to_compare_with(item, unit_a, staff_a):
    indicator = item.indicators.get()
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative="",
        values={indicator.pk: 1000},
    )
    assert entry.values.get().value == 1000
