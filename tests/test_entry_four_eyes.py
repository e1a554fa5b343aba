"""Four-eyes on monthly entries: the person who last submitted an entry cannot approve or
return it. Another head of the unit can; the organization's admin can, as deputy, recorded as
such. A unit with a single head: the head's own submissions wait for the admin."""

import pytest
from django.urls import reverse

from strategies.errors import DomainError
from strategies.models import Membership, MonthlyEntry
from strategies.services import entries as services
from tests import factories
from tests.conftest import login
from tests.test_entry_workflow import entry_url, post_entry

pytestmark = pytest.mark.django_db

Status = MonthlyEntry.Status
Role = Membership.Role


@pytest.fixture
def plain_admin(org):
    return factories.make_user("khh_admin", org, Role.ADMIN, first_name="機關管理者")


@pytest.fixture
def second_head(org, unit_a):
    return factories.make_user("head_a2", org, Role.HEAD, unit_a, first_name="度量衡科副科長")


def _submitted_by(client, user, item, unit) -> MonthlyEntry:
    login(client, user)
    assert post_entry(client, item, unit, action="submit").status_code == 302
    return MonthlyEntry.objects.get(item=item, unit=unit, month=1)


def _review(client, user, entry, action="approve", reason=""):  # type: ignore[no-untyped-def]
    login(client, user)
    entry.refresh_from_db()
    return client.post(
        reverse("strategies:entry-review", args=[entry.pk]),
        {"version": entry.version, "action": action, "reason": reason},
        follow=True,
    )


@pytest.mark.parametrize("action", ["approve", "return"])
def test_a_head_cannot_review_what_they_submitted(client, item, unit_a, head_a, action):
    entry = _submitted_by(client, head_a, item, unit_a)
    page = client.get(entry_url(item, unit_a)).content.decode()
    assert 'id="approve-entry"' not in page
    assert "這筆填報是您送出的" in page

    response = _review(client, head_a, entry, action, reason="自己退回")
    assert "不能由您自己核定或退回" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED
    assert entry.approved_by is None
    with pytest.raises(DomainError):
        services.approve_entry(user=head_a, entry=entry, version=entry.version)
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED


def test_the_last_submitter_counts_not_the_first(client, item, unit_a, staff_a, head_a):
    """Staff submit, the head returns it, then edits and resubmits: now the head is the one who
    submitted, and may not approve their own version."""
    entry = _submitted_by(client, staff_a, item, unit_a)
    _review(client, head_a, entry, "return", reason="我來改")
    entry.refresh_from_db()
    assert (
        post_entry(client, item, unit_a, version=entry.version, action="submit").status_code == 302
    )
    entry.refresh_from_db()
    assert entry.submitted_by == head_a
    _review(client, head_a, entry)
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED


def test_another_head_of_the_unit_approves(client, item, unit_a, head_a, second_head):
    entry = _submitted_by(client, head_a, item, unit_a)
    login(client, second_head)
    assert 'id="approve-entry"' in client.get(entry_url(item, unit_a)).content.decode()
    _review(client, second_head, entry)
    entry.refresh_from_db()
    assert (entry.status, entry.submitted_by, entry.approved_by, entry.approved_as_deputy) == (
        Status.APPROVED,
        head_a,
        second_head,
        False,
    )
    assert entry.history.first().history_change_reason == "核定"


def test_the_admin_approves_as_deputy_and_the_record_says_so(
    client, item, unit_a, head_a, plain_admin
):
    entry = _submitted_by(client, head_a, item, unit_a)
    login(client, plain_admin)
    page = client.get(entry_url(item, unit_a)).content.decode()
    assert "主管審核（管理者代理）" in page
    response = _review(client, plain_admin, entry)
    assert "已核定這筆填報" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.approved_by, entry.approved_as_deputy) == (
        Status.APPROVED,
        plain_admin,
        True,
    )
    record = entry.history.first()
    assert (record.history_user, record.history_change_reason) == (plain_admin, "管理者代理核定")
    page = client.get(entry_url(item, unit_a)).content.decode()
    assert "核定者：機關管理者（管理者代理）" in page
    assert 'id="submitted-by"' in page and "度量衡科科長" in page

    # The item's history shows who submitted and who approved, as deputy.
    history = client.get(reverse("strategies:item-history", args=[item.pk])).content.decode()
    assert "管理者代理核定" in history
    assert "機關管理者" in history
    assert "度量衡科科長" in history


def test_the_admin_returns_as_deputy(client, item, unit_a, head_a, plain_admin):
    entry = _submitted_by(client, head_a, item, unit_a)
    _review(client, plain_admin, entry, "return", reason="請補佐證")
    entry.refresh_from_db()
    assert entry.status == Status.RETURNED
    assert entry.history.first().history_change_reason == "管理者代理退回：請補佐證"


def test_a_headquarters_admin_is_no_deputy(client, item, unit_a, head_a, hq):
    hq_admin = factories.make_user("hq_admin", hq, Role.ADMIN)
    entry = _submitted_by(client, head_a, item, unit_a)
    login(client, hq_admin)
    entry.refresh_from_db()
    response = client.post(
        reverse("strategies:entry-review", args=[entry.pk]),
        {"version": entry.version, "action": "approve", "reason": ""},
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED


def test_the_head_is_not_offered_their_own_submissions(client, year, item, unit_a, staff_a, head_a):
    other = factories.make_item(year, hosts=[unit_a], dimension=2, title="另一個項目")
    _submitted_by(client, head_a, item, unit_a)
    _submitted_by(client, staff_a, other, unit_a)
    login(client, head_a)
    home = client.get(reverse("home")).content.decode()
    waiting = home.split('id="approval-heading"')[1].split("</section>")[0]
    assert entry_url(other, unit_a) in waiting
    assert entry_url(item, unit_a) not in waiting


def test_a_single_heads_own_submission_waits_for_the_admin(
    client, item, unit_a, head_a, plain_admin, org
):
    _submitted_by(client, head_a, item, unit_a)
    login(client, plain_admin)
    home = client.get(reverse("home")).content.decode()
    deputy = home.split('id="deputy-heading"')[1].split("</section>")[0]
    assert entry_url(item, unit_a) in deputy

    factories.make_user("head_a2", org, Role.HEAD, unit_a)
    home = client.get(reverse("home")).content.decode()
    deputy = home.split('id="deputy-heading"')[1].split("</section>")[0]
    assert entry_url(item, unit_a) not in deputy


def test_the_heads_reminder_leaves_out_their_own_submissions(
    client, year, item, unit_a, staff_a, head_a
):
    from strategies.selectors.dashboard import slots_of_year
    from strategies.services.reminders import reminders_for

    other = factories.make_item(year, hosts=[unit_a], dimension=2, title="另一個項目")
    _submitted_by(client, head_a, item, unit_a)
    _submitted_by(client, staff_a, other, unit_a)
    ctx, by_unit = slots_of_year(year)
    waiting = reminders_for(head_a.membership, by_unit[unit_a.pk], ctx.today)
    assert [s.item.pk for s in waiting["awaiting_approval"]] == [other.pk]


def test_entries_from_before_four_eyes_learn_their_submitter_from_history(
    client, year, item, unit_a, staff_a, head_a
):
    """The migration that adds submitted_by / approved_by fills them from each entry's history,
    so an entry already waiting keeps four-eyes after the upgrade."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "strategies.migrations.0003_entry_submitted_and_approved_by"
    )
    approved = _submitted_by(client, staff_a, item, unit_a)
    _review(client, head_a, approved)
    other = factories.make_item(year, hosts=[unit_a], dimension=2, title="另一個項目")
    waiting = _submitted_by(client, head_a, other, unit_a)
    MonthlyEntry.objects.update(submitted_by=None, approved_by=None)

    migration.from_history(apps, None)

    approved.refresh_from_db()
    waiting.refresh_from_db()
    assert (approved.submitted_by, approved.approved_by) == (staff_a, head_a)
    assert (waiting.submitted_by, waiting.approved_by) == (head_a, None)
    with pytest.raises(DomainError):
        services.approve_entry(user=head_a, entry=waiting, version=waiting.version)
