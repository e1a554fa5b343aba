"""Closing a year requires an explanation for every item short of its target."""

import pytest

from strategies.errors import DomainError
from strategies.models import Year
from strategies.services import year_end
from strategies.services.years import set_year_status
from tests.test_results_compile import approved


@pytest.mark.django_db
def test_closing_with_an_unexplained_shortfall_is_refused(
    item, unit_a, staff_a, head_a, admin_user
):
    indicator = item.indicators.get()  # target 9 場次
    approved(item, unit_a, staff_a, head_a, 1, "1 月辦理 2 場次", {indicator.pk: 2})

    with pytest.raises(DomainError, match="未達目標"):
        set_year_status(year=item.method.strategy.dimension.year, status="closed", user=admin_user)
    year = Year.objects.get(pk=item.method.strategy.dimension.year_id)
    assert year.status == Year.Status.OPEN

    item.refresh_from_db()
    item.shortfall_note = "下半年講師異動，改於次年度補辦。"
    item.save()
    # The year-end text must be approved too (its own rule: test_year_close_year_end_texts).
    year_end.submit_text(user=staff_a, item=item)
    year_end.approve_text(user=head_a, item=item)
    set_year_status(year=year, status="closed", user=admin_user)
    year.refresh_from_db()
    assert year.status == Year.Status.CLOSED
    assert year.history.first().history_change_reason == "填報中 → 已結束填報"
