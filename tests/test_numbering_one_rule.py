"""One numbering: My work's strategy filter numbers a strategy as the report does. After a
manual retire the report renumbers what follows; the filter used to print the raw order and
call 一(二) what the report calls 一(一)."""

import pytest

from perfreport.reports.selectors import build_report
from strategies import numbering
from strategies.filters import MyWorkFilter
from strategies.models import Item, Year
from strategies.services.plan import set_retired
from tests import factories


def test_positions_skip_the_retired():
    rows = [(1, False), (2, True), (3, False), (4, False)]
    assert numbering.positions(rows) == {1: (1, 3), 3: (2, 3), 4: (3, 3)}


@pytest.fixture
def retired_first(year, unit_a, admin_user):
    first = factories.make_item(year, hosts=[unit_a], title="第一項")
    second = factories.make_item(year, hosts=[unit_a], title="第二項")
    Year.objects.filter(pk=year.pk).update(status=Year.Status.PLANNING)  # the plan editor's state
    set_retired(node=first.method.strategy, retired=True, user=admin_user)
    Year.objects.filter(pk=year.pk).update(status=Year.Status.OPEN)
    return second.method.strategy


def _filter_labels(year, data):
    field = MyWorkFilter(data, queryset=Item.objects.all(), year=year).form.fields["strategy"]
    return [label for value, label in field.widget.choices if value]


@pytest.mark.django_db
def test_the_filter_and_the_report_number_a_strategy_alike(year, retired_first):
    report = build_report(year)
    live = [s for s in report.dimensions[0].strategies if not s.is_retired]
    assert [s.label for s in live] == ["(一)"]
    expected = f"一(一) {retired_first.title}"
    assert _filter_labels(year, {"dimension": str(retired_first.dimension_id)}) == [expected]
    assert _filter_labels(year, {"strategy": str(retired_first.pk)}) == [expected]
