"""Closing a year requires every item's year-end text approved (or accepted by the admin with a
reason); a year imported from a report is never blocked."""

import pytest

from strategies.errors import DomainError
from strategies.models import Item, Year
from strategies.services import year_end
from strategies.services.years import set_year_status
from tests import factories
from tests.test_results_compile import approved


def year_of(item: Item) -> Year:
    return Year.objects.get(pk=item.method.strategy.dimension.year_id)


@pytest.fixture
def reported(item, unit_a, staff_a, head_a):
    """The item with a month approved that meets its target (no shortfall to explain)."""
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {indicator.pk: 9})
    return item


def test_a_draft_text_blocks_closing(reported, admin_user):
    with pytest.raises(DomainError, match=r"尚未核定.*一\(一\)（草稿）"):
        set_year_status(year=year_of(reported), status="closed", user=admin_user)
    assert year_of(reported).status == Year.Status.OPEN


def test_an_approved_text_lets_the_year_close(reported, staff_a, head_a, admin_user):
    year_end.submit_text(user=staff_a, item=reported)
    with pytest.raises(DomainError, match="（待核定）"):
        set_year_status(year=year_of(reported), status="closed", user=admin_user)
    year_end.approve_text(user=head_a, item=reported)
    set_year_status(year=year_of(reported), status="closed", user=admin_user)
    assert year_of(reported).status == Year.Status.CLOSED


def test_the_admin_accepts_with_a_recorded_reason(reported, admin_user):
    year_end.accept_text(user=admin_user, item=reported, reason="主管出缺，內容已確認")
    set_year_status(year=year_of(reported), status="locked", user=admin_user)
    assert year_of(reported).status == Year.Status.LOCKED
    reported.refresh_from_db()
    assert reported.results_state_reason == "主管出缺，內容已確認"
    record = reported.history.filter(results_state="accepted").get()
    assert record.history_user == admin_user
    assert record.history_change_reason == "管理者接受執行績效與成果：主管出缺，內容已確認"


def test_other_items_of_a_year_with_entries_count_too(reported, year, unit_a, admin_user):
    quiet = factories.make_item(year, hosts=[unit_a], dimension=2)
    year_end.accept_text(user=admin_user, item=reported, reason="已確認")
    with pytest.raises(DomainError, match=r"二\(一\)（草稿）"):
        set_year_status(year=year, status="closed", user=admin_user)
    year_end.accept_text(user=admin_user, item=quiet, reason="本年度未執行")
    set_year_status(year=year, status="closed", user=admin_user)


def test_a_year_imported_from_a_report_is_not_blocked(seed):
    year = Year.objects.get(roc_year=112)
    admin = factories.User.objects.get(username="admin")
    Year.objects.filter(pk=year.pk).update(status=Year.Status.OPEN)
    assert year_end.items_not_final(year) == []
    set_year_status(year=year, status="closed", user=admin)
    year.refresh_from_db()
    assert year.status == Year.Status.CLOSED


def test_a_year_without_monthly_entries_is_not_blocked(item, admin_user):
    set_year_status(year=year_of(item), status="closed", user=admin_user)
    assert year_of(item).status == Year.Status.CLOSED
