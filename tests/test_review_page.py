"""The auditor's review page: every item with plan, results, indicators, completeness and
evidence, filtered by dimension, unit and status, in a fixed number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from scoring.selectors import review_items, review_rows
from strategies.models import Evidence, Indicator, IndicatorValue, Item, MonthlyEntry, Unit, Year
from tests import factories
from tests.conftest import login

Status = MonthlyEntry.Status


def review_url(org="khh", roc_year=113):
    return reverse("scoring:review", kwargs={"org": org, "roc_year": roc_year})


def entry(item, unit, month, status, user, values=(), evidence=0):
    e = MonthlyEntry.objects.create(
        item=item, unit=unit, month=month, status=status, created_by=user, updated_by=user
    )
    for indicator, value in values:
        IndicatorValue.objects.create(entry=e, indicator=indicator, value=value)
    for n in range(evidence):
        Evidence.objects.create(
            entry=e,
            file=f"evidence/x/{e.pk}-{n}.pdf",
            original_name=f"佐證{n}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=user,
        )
    return e


def test_a_row_shows_target_actual_achievement_completeness_and_evidence(item, unit_a, staff_a):
    indicator = item.indicators.get()  # target 9 場次, summed
    entry(item, unit_a, 1, Status.APPROVED, staff_a, [(indicator, 4)], evidence=2)
    entry(item, unit_a, 2, Status.APPROVED, staff_a, [(indicator, 7)], evidence=1)
    entry(item, unit_a, 3, Status.SUBMITTED, staff_a, [(indicator, 50)])  # not approved yet
    entry(item, unit_a, 4, Status.DRAFT, staff_a, [(indicator, 50)])
    entry(item, unit_a, 5, Status.RETURNED, staff_a)

    [row] = review_rows(review_items(item.method.strategy.dimension.year))

    [line] = row.indicators
    assert (line.target, line.actual, line.achievement, line.state) == (
        Decimal(9),
        Decimal(11),
        Decimal("122.2"),
        "met",
    )
    assert [(c.unit, c.months) for c in row.completeness] == [("度量衡科", 3)]
    assert row.evidence_count == 3
    assert [e.month for e in row.entries] == [1, 2, 3, 4, 5]


def test_actuals_come_from_the_report_when_set_and_latest_counts_take_each_units_last_value(
    year, unit_a, unit_b, staff_a, staff_b
):
    item = factories.make_item(
        year, hosts=[unit_a, unit_b], aggregation=Indicator.Aggregation.LATEST, target=10
    )
    running = item.indicators.get()
    Indicator.objects.create(
        item=item,
        order=2,
        name="報告數",
        measure="件",
        target=Decimal(2),
        reported_actual=Decimal(3),
    )
    no_target = Indicator.objects.create(item=item, order=3, name="宣導", measure="場次")
    entry(item, unit_a, 1, Status.APPROVED, staff_a, [(running, 2)])
    entry(item, unit_a, 3, Status.APPROVED, staff_a, [(running, 5)])
    entry(item, unit_b, 2, Status.APPROVED, staff_b, [(running, 1), (no_target, 4)])

    [row] = review_rows(review_items(year))

    by_name = {i.name: i for i in row.indicators}
    assert (by_name["教育訓練"].actual, by_name["教育訓練"].state) == (Decimal(6), "short")
    assert by_name["教育訓練"].achievement == Decimal("60.0")
    assert (by_name["報告數"].actual, by_name["報告數"].achievement) == (
        Decimal(3),
        Decimal("150.0"),
    )
    assert by_name["報告數"].from_report
    assert (by_name["宣導"].state, by_name["宣導"].achievement) == ("no-target", None)
    assert [(c.unit, c.months) for c in row.completeness] == [("秘書室", 1), ("度量衡科", 2)]


def test_the_page_shows_the_seed_items(client, seed, django_user_model):
    auditor = django_user_model.objects.get(username="auditor")
    page = login(client, auditor).get(review_url(roc_year=112)).content.decode()
    assert "共 47 個項目" in page
    assert "構面一：基礎服務" in page and "構面五：開放創新" in page
    assert "預計舉辦 9 場次教育訓練" in page or "預計舉辦 9 場次" in page


def test_filters_by_dimension_unit_and_status(client, year, unit_a, unit_b, staff_a, auditor):
    first = factories.make_item(year, hosts=[unit_a], dimension=1, planned_actions="甲項目")
    second = factories.make_item(year, hosts=[unit_b], dimension=2, planned_actions="乙項目")
    third = factories.make_item(year, hosts=[unit_a, unit_b], dimension=2, planned_actions="丙項目")
    entry(first, unit_a, 1, Status.RETURNED, staff_a)
    entry(third, unit_a, 1, Status.APPROVED, staff_a)
    login(client, auditor)

    def shown(**params):
        page = client.get(review_url(), params).content.decode()
        return {name for name in ("甲項目", "乙項目", "丙項目") if name in page}

    assert shown() == {"甲項目", "乙項目", "丙項目"}
    assert shown(dimension="2") == {"乙項目", "丙項目"}
    assert shown(unit=str(unit_b.pk)) == {"乙項目", "丙項目"}
    assert shown(unit=str(unit_b.pk), dimension="2", status="approved") == {"丙項目"}
    assert shown(status="returned") == {"甲項目"}
    assert shown(status="missing") == {"乙項目"}
    assert second.pk


def _tenfold(year: Year, staff, units: list[Unit]) -> None:
    """Every item of the year nine more times, each with entries, values and evidence."""
    for item in list(
        Item.objects.filter(method__strategy__dimension__year=year).prefetch_related(
            "indicators", "host_units"
        )
    ):
        for copy in range(1, 10):
            clone = Item.objects.create(
                method=item.method,
                order=item.order + 100 * copy,
                title=item.title,
                host_label=item.host_label,
                planned_actions=item.planned_actions,
                results=item.results,
            )
            clone.host_units.set(units)
            clones = [
                Indicator.objects.create(
                    item=clone,
                    order=indicator.order,
                    name=indicator.name,
                    measure=indicator.measure,
                    target=indicator.target,
                )
                for indicator in item.indicators.all()
            ]
            entry(
                clone, units[0], copy, Status.APPROVED, staff, [(i, 3) for i in clones], evidence=1
            )


@pytest.mark.parametrize("with_filter", [False, True])
def test_the_query_count_does_not_grow_with_ten_times_the_items(
    client, year, unit_a, unit_b, staff_a, auditor, django_assert_max_num_queries, with_filter
):
    for dimension in range(1, 6):
        item = factories.make_item(year, hosts=[unit_a, unit_b], dimension=dimension)
        entry(item, unit_a, 1, Status.APPROVED, staff_a, [(item.indicators.get(), 2)], evidence=1)
    login(client, auditor)
    params = {"dimension": "1", "status": "approved"} if with_filter else {}

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as once:
        response = client.get(review_url(), params)
    assert response.status_code == 200

    _tenfold(year, staff_a, [unit_a, unit_b])
    # session, user, year, membership, item count, the page's items, host units, indicators,
    # values, entries, item history, dimensions (2: filter choices and index), units (filter
    # choices), layout's organization, session save (3)
    with django_assert_max_num_queries(len(once)), CaptureQueriesContext(connection) as tenfold:
        response = client.get(review_url(), params)
    assert len(tenfold) == len(once) <= 19  # 18 + unread notices (the nav badge)
    expected = 10 if with_filter else 50
    assert f"共 {expected} 個項目" in response.content.decode()


def test_ten_times_the_seed_in_the_same_queries(
    client, seed, django_user_model, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    auditor = django_user_model.objects.get(username="auditor")
    staff = django_user_model.objects.get(username="metrology-staff")
    year = Year.objects.get(organization__code="khh", roc_year=112)
    units = list(Unit.objects.filter(organization=year.organization).order_by("pk")[:2])
    login(client, auditor)
    with CaptureQueriesContext(connection) as once:
        assert "共 47 個項目" in client.get(review_url(roc_year=112)).content.decode()

    _tenfold(year, staff, units)

    with django_assert_num_queries(len(once)):
        page = client.get(review_url(roc_year=112)).content.decode()
    assert "共 470 個項目" in page


def test_the_selector_takes_six_queries_whatever_the_items(
    year, unit_a, unit_b, staff_a, django_assert_num_queries
):
    for dimension in range(1, 6):
        item = factories.make_item(year, hosts=[unit_a, unit_b], dimension=dimension)
        entry(item, unit_a, 1, Status.APPROVED, staff_a, [(item.indicators.get(), 2)], evidence=1)
    # items, host units, indicators, approved values, entries with evidence counts, item history
    with django_assert_num_queries(6):
        assert len(review_rows(review_items(year))) == 5
    _tenfold(year, staff_a, [unit_a, unit_b])
    with django_assert_num_queries(6):
        assert len(review_rows(review_items(year))) == 50
