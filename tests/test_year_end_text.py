"""The year-end text follows the approved months until someone edits it; then a later month
marks it stale with the difference; a head (not its last editor) approves it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from strategies import year_end as machine
from strategies.errors import DomainError
from strategies.models import Item, Membership, MonthlyEntry
from strategies.services import entries as entry_services
from strategies.services import year_end
from tests import factories
from tests.conftest import login
from tests.test_results_compile import approved

State = Item.ResultsState


# --- the transition table, without the database ----------------------------------------------


def test_every_state_has_a_way_to_a_final_state():
    """No dead end: from each state some chain of moves reaches approved or accepted."""
    reachable = {s: {s} for s in State}
    changed = True
    while changed:
        changed = False
        for (source, _event), target in machine.TRANSITIONS.items():
            before = len(reachable[source])
            reachable[source] |= reachable[target]
            changed |= len(reachable[source]) != before
    for state in State:
        assert reachable[state] & machine.FINAL, state


def test_refusals_say_what_to_do():
    with pytest.raises(machine.TransitionRefused, match="請先確認差異"):
        machine.next_state(State.STALE, machine.Event.SUBMIT)
    with pytest.raises(machine.TransitionRefused, match="不能核定"):
        machine.next_state(State.DRAFT, machine.Event.APPROVE)
    assert machine.next_state(State.SUBMITTED, machine.Event.APPROVE) == State.APPROVED
    assert not machine.allows(State.APPROVED, machine.Event.SUBMIT)


# --- the months move the draft -----------------------------------------------------------------


def test_the_draft_follows_approve_and_reopen_in_the_same_transaction(
    item, unit_a, staff_a, head_a, admin_user
):
    indicator = item.indicators.get()
    entry = approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {indicator.pk: 4})
    item.refresh_from_db()
    assert item.results_state == State.DRAFT
    assert item.results == "辦理講習。\n教育訓練計 4 場次（目標 9 場次，達成率 44%）。"

    entry_services.reopen_entry(user=admin_user, entry=entry, version=entry.version, reason="更正")
    item.refresh_from_db()
    assert item.results == ""  # no approved month left
    assert item.results_state == State.DRAFT


def test_an_edit_is_kept_and_a_later_month_marks_it_stale_with_the_difference(
    client, item, unit_a, staff_a, head_a
):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {indicator.pk: 4})
    year_end.edit_text(user=staff_a, item=item, results="一月辦理講習 4 場次。")
    approved(item, unit_a, staff_a, head_a, 2, "辦理講習。邀請外部講師。", {indicator.pk: 5})

    item.refresh_from_db()
    assert item.results == "一月辦理講習 4 場次。"  # not overwritten
    assert item.results_state == State.STALE
    assert set(year_end.stale_changes(item)) == {
        ("-", "教育訓練計 4 場次（目標 9 場次，達成率 44%）。"),
        ("+", "邀請外部講師。"),
        ("+", "教育訓練計 9 場次（目標 9 場次，達成率 100%）。"),
    }
    with pytest.raises(DomainError, match="請先確認差異"):
        year_end.submit_text(user=staff_a, item=item)

    login(client, staff_a)
    page = client.get(reverse("strategies:item-results", args=[item.pk])).content.decode()
    assert "待更新" in page
    assert "<ins>邀請外部講師。</ins>" in page
    assert "<del>教育訓練計 4 場次（目標 9 場次，達成率 44%）。</del>" in page

    year_end.take_draft(user=staff_a, item=item)
    item.refresh_from_db()
    assert item.results_state == State.DRAFT
    assert item.results == item.results_draft
    assert "邀請外部講師。" in item.results


def test_saving_a_stale_text_confirms_it(item, unit_a, staff_a, head_a):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {indicator.pk: 4})
    year_end.edit_text(user=staff_a, item=item, results="自寫的成果。")
    approved(item, unit_a, staff_a, head_a, 2, "再辦理講習。", {indicator.pk: 1})
    item.refresh_from_db()
    year_end.edit_text(user=staff_a, item=item, results=item.results)
    item.refresh_from_db()
    assert (item.results, item.results_state) == ("自寫的成果。", State.EDITED)
    assert year_end.stale_changes(item) == []


# --- approval ---------------------------------------------------------------------------------


def test_staff_submit_and_the_head_approves(item, unit_a, staff_a, head_a):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {indicator.pk: 9})
    year_end.submit_text(user=staff_a, item=item)
    item.refresh_from_db()
    assert item.results_state == State.SUBMITTED
    year_end.approve_text(user=head_a, item=item)
    item.refresh_from_db()
    assert item.results_state == State.APPROVED
    assert item.results_approved_by == head_a
    assert item.history.latest("history_date").history_change_reason == "核定執行績效與成果"


def test_the_last_editor_cannot_approve(item, unit_a, org, head_a):
    head_two = factories.make_user("head_a2", org, Membership.Role.HEAD, unit_a)
    year_end.edit_text(user=head_a, item=item, results="主管自寫的成果。")
    year_end.submit_text(user=head_a, item=item)
    with pytest.raises(DomainError, match="另一位主管"):
        year_end.approve_text(user=head_a, item=item)
    item.refresh_from_db()
    assert item.results_state == State.SUBMITTED
    year_end.approve_text(user=head_two, item=item)
    item.refresh_from_db()
    assert item.results_state == State.APPROVED


def test_an_approved_text_is_kept_and_marked_stale_by_a_later_month(item, unit_a, staff_a, head_a):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {indicator.pk: 4})
    year_end.edit_text(user=staff_a, item=item, results="定稿文字。")
    year_end.submit_text(user=staff_a, item=item)
    year_end.approve_text(user=head_a, item=item)
    approved(item, unit_a, staff_a, head_a, 2, "再辦理講習。", {indicator.pk: 5})
    item.refresh_from_db()
    assert (item.results, item.results_state) == ("定稿文字。", State.STALE)
    assert item.results_approved_by is None


def test_the_head_returns_with_a_reason(item, unit_a, staff_a, head_a):
    year_end.edit_text(user=staff_a, item=item, results="初稿。")
    year_end.submit_text(user=staff_a, item=item)
    with pytest.raises(DomainError, match="寫明原因"):
        year_end.return_text(user=head_a, item=item, reason=" ")
    year_end.return_text(user=head_a, item=item, reason="請補上場次")
    item.refresh_from_db()
    assert (item.results_state, item.results_state_reason) == (State.EDITED, "請補上場次")


def test_who_may_move_the_text(item, staff_a, staff_b, auditor, admin_user, head_a):
    year_end.edit_text(user=staff_a, item=item, results="初稿。")
    year_end.submit_text(user=staff_a, item=item)
    for user in (staff_a, staff_b, auditor, admin_user):
        with pytest.raises(PermissionDenied):
            year_end.approve_text(user=user, item=item)
    for user in (staff_b, auditor):
        with pytest.raises(PermissionDenied):
            year_end.edit_text(user=user, item=item, results="改")
    with pytest.raises(PermissionDenied):
        year_end.accept_text(user=head_a, item=item, reason="可")
    with pytest.raises(DomainError, match="必須填寫原因"):
        year_end.accept_text(user=admin_user, item=item, reason="")
    year_end.accept_text(user=admin_user, item=item, reason="主管出缺，由管理者確認")
    item.refresh_from_db()
    assert item.results_state == State.ACCEPTED
    assert item.results_state_reason == "主管出缺，由管理者確認"


def test_pages_refuse_moves_the_user_may_not_make(client, item, staff_a, staff_b, head_a):
    year_end.edit_text(user=staff_a, item=item, results="初稿。")
    url = reverse("strategies:item-results", args=[item.pk])
    login(client, staff_b)
    assert client.post(url, {"action": "submit"}).status_code == 403
    login(client, staff_a)
    assert client.post(url, {"action": "approve"}).status_code == 403
    # The submit button sits in the edit form: what the form holds is saved, then submitted.
    response = client.post(url, {"action": "submit", "results": "初稿，補上場次。"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.results, item.results_state) == ("初稿，補上場次。", State.SUBMITTED)
    login(client, head_a)
    page = client.get(url).content.decode()
    assert "核定執行績效與成果" in page
    assert client.post(url, {"action": "approve"}).status_code == 302
    item.refresh_from_db()
    assert item.results_state == State.APPROVED


def test_review_page_and_report_page_show_the_state(client, item, unit_a, staff_a, head_a, auditor):
    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {indicator.pk: 9})
    year = item.method.strategy.dimension.year
    login(client, auditor)
    review = client.get(
        reverse("scoring:review", args=[year.organization.code, year.roc_year])
    ).content.decode()
    assert "教育訓練計 9 場次（目標 9 場次，達成率 100%）。" in review
    assert 'class="status results-state status-draft"' in review
    report = client.get(
        reverse("reports:report", args=[year.organization.code, year.roc_year])
    ).content.decode()
    assert "教育訓練計 9 場次（目標 9 場次，達成率 100%）。" in report
    assert 'class="status results-state status-draft"' in report


@pytest.mark.parametrize("months", [1, 12])
def test_results_page_query_count(
    client, django_assert_max_num_queries, item, unit_a, staff_a, months
):
    """The same 18 queries for 1 or 12 approved months. 15 reads: session, user, the item with
    its path up to the year, its host units, membership, membership's unit, number path (2), the
    compiled totals (item, host units, indicators, approved entries, their values), the
    organization, the unread-notification badge; then the session save (3 with its savepoints)."""
    for month in range(1, months + 1):
        MonthlyEntry.objects.create(
            item=item, unit=unit_a, month=month, narrative=f"第 {month} 句。", status="approved"
        )
    login(client, staff_a)
    url = reverse("strategies:item-results", args=[item.pk])
    with django_assert_max_num_queries(18):
        assert client.get(url).status_code == 200


def test_existing_texts_are_classified_when_the_state_arrives(year, unit_a, item):
    """The migration that adds the state: a text no entry backs came from a report; a text
    beside entries is kept as edited (never overwritten); an empty one is a draft."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("strategies.migrations.0003_item_year_end_text_state")
    reported = factories.make_item(year, hosts=[unit_a], dimension=2, results="原報告文字。")
    typed = factories.make_item(year, hosts=[unit_a], dimension=3, results="舊的彙整文字。")
    MonthlyEntry.objects.create(item=typed, unit=unit_a, month=1, narrative="一月。")
    migration.classify_existing_texts(apps, None)
    states = dict(Item.objects.values_list("pk", "results_state"))
    assert states == {item.pk: "draft", reported.pk: "imported", typed.pk: "edited"}


def test_submitting_the_text_tells_the_host_unit_heads(item, unit_a, staff_a, head_a):
    from strategies.models import Notification

    indicator = item.indicators.get()
    approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {indicator.pk: 9})
    year_end.submit_text(user=staff_a, item=item)
    waiting = Notification.objects.filter(recipient=head_a, kind=Notification.Kind.RESULTS_AWAITING)
    assert [n.link for n in waiting] == [reverse("strategies:item-results", args=[item.pk])]
    assert not Notification.objects.filter(
        recipient=staff_a, kind=Notification.Kind.RESULTS_AWAITING
    ).exists()
