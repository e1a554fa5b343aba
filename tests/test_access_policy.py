"""The access policy is one module: strategies.access decides, everything else asks it.

Changing who may approve a monthly entry is one edit of `access.can_review_entry`: the entry
page, the review service, the head's dashboard, the reminders and the template rule all follow.
"""

import re
from pathlib import Path

import pytest
import rules
from django.conf import settings
from django.urls import reverse

from strategies import access
from strategies.errors import DomainError
from strategies.models import Membership, MonthlyEntry
from strategies.selectors.dashboard import head_dashboard, slots_of_year
from strategies.services import entries as services
from strategies.services.reminders import reminders_for
from tests import factories
from tests.conftest import login
from tests.test_entry_workflow import entry_url, post_entry

pytestmark = pytest.mark.django_db

Role = Membership.Role
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def plain_admin(org):
    """The organization's admin without Django's superuser flag (who would pass has_perm)."""
    return factories.make_user("khh_admin", org, Role.ADMIN, first_name="機關管理者")


@pytest.fixture
def submitted(client, item, unit_a, staff_a) -> MonthlyEntry:
    login(client, staff_a)
    assert post_entry(client, item, unit_a, action="submit").status_code == 302
    return MonthlyEntry.objects.select_related("unit", "item").get(item=item, unit=unit_a)


def _offered_to(client, user, item, unit) -> bool:
    login(client, user)
    return 'id="approve-entry"' in client.get(entry_url(item, unit)).content.decode()


def _waiting_for(year, unit, membership) -> dict[str, list]:
    board = head_dashboard(year, unit, reviewer=membership)
    ctx, by_unit = slots_of_year(year)
    reminded = reminders_for(membership, by_unit[unit.pk], ctx.today)
    return {"dashboard": board.awaiting_approval, "reminders": reminded["awaiting_approval"]}


def test_today_the_head_approves_what_staff_submitted(
    client, year, item, unit_a, head_a, submitted
):
    assert _offered_to(client, head_a, item, unit_a)
    assert rules.test_rule("strategies.approve_entry", head_a, submitted)
    waiting = _waiting_for(year, unit_a, head_a.membership)
    assert [s.entry.pk for s in waiting["dashboard"]] == [submitted.pk]
    assert [s.entry.pk for s in waiting["reminders"]] == [submitted.pk]
    board = head_dashboard(year, unit_a, reviewer=head_a.membership)  # the home page's list
    assert ([s.entry.pk for s in board.awaiting_shown], board.awaiting_count) == ([submitted.pk], 1)


def test_changing_who_may_approve_in_the_policy_changes_every_page_and_service(
    client, monkeypatch, year, item, unit_a, head_a, plain_admin, submitted
):
    """The exercise "only the organization's admin approves": one function replaced."""
    monkeypatch.setattr(
        access, "can_review_entry", lambda membership, entry: access.is_admin(membership)
    )

    assert not _offered_to(client, head_a, item, unit_a)
    assert _offered_to(client, plain_admin, item, unit_a)
    assert not rules.test_rule("strategies.approve_entry", head_a, submitted)
    assert rules.test_rule("strategies.approve_entry", plain_admin, submitted)
    waiting = _waiting_for(year, unit_a, head_a.membership)
    assert waiting == {"dashboard": [], "reminders": []}
    board = head_dashboard(year, unit_a, reviewer=head_a.membership)  # the home page's list
    assert (list(board.awaiting_shown), board.awaiting_count) == ([], 0)

    with pytest.raises(DomainError):
        services.approve_entry(user=head_a, entry=submitted, version=submitted.version)
    submitted.refresh_from_db()
    assert submitted.status == MonthlyEntry.Status.SUBMITTED
    services.approve_entry(user=plain_admin, entry=submitted, version=submitted.version)
    submitted.refresh_from_db()
    assert submitted.status == MonthlyEntry.Status.APPROVED
    assert submitted.approved_by == plain_admin


def test_template_rules_do_not_let_django_superusers_past_the_policy(admin_user, other_org, year):
    """`user.has_perm` is True for any active superuser; the pages ask `test_rule`, which only
    asks the policy: an account of Django's admin site runs no organization it is not in."""
    stranger_year = factories.make_year(other_org, 113)
    assert admin_user.has_perm("strategies.run_year", stranger_year)
    assert not rules.test_rule("strategies.run_year", admin_user, stranger_year)
    assert rules.test_rule("strategies.run_year", admin_user, year)


def test_every_named_rule_is_registered_for_templates_and_has_perm():
    for name in access.RULES:
        assert rules.rule_exists(f"strategies.{name}")
        assert rules.perm_exists(f"strategies.{name}")


def test_axes_stays_the_first_backend_and_rules_answers_permissions():
    backends = settings.AUTHENTICATION_BACKENDS
    assert backends[0] == "axes.backends.AxesStandaloneBackend"
    assert "rules.permissions.ObjectPermissionBackend" in backends
    assert backends.index("django.contrib.auth.backends.ModelBackend") < backends.index(
        "rules.permissions.ObjectPermissionBackend"
    )


# What deciding looks like: comparing roles, comparing who submitted or edited (four eyes),
# comparing a member's organization with an object's in a template. Only the policy module may.
DECIDING = re.compile(
    r"\.role\s*(==|in)\s"
    r"|submitted_by_id\s*(==|!=)"
    r"|results_edited_by_id\s*(==|!=)"
    r"|\{%[^%]*(membership\.role|organization_id\s*==\s*membership)"
    r"|role=Role\.HEAD"
)
APP_FILES = [
    *ROOT.glob("strategies/**/*.py"),
    *ROOT.glob("scoring/**/*.py"),
    *ROOT.glob("perfreport/**/*.py"),
    *ROOT.glob("templates/**/*.html"),
]


def test_no_permission_is_decided_outside_the_policy_module():
    deciding = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in APP_FILES
        if path.name != "access.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DECIDING.search(line)
    ]
    assert deciding == []


def test_one_refusal_page_for_every_page(client, staff_b, item, unit_a, year):
    """403 and 404 render templates/403.html and templates/404.html in the site's layout."""
    login(client, staff_b)
    forbidden = client.get(entry_url(item, unit_a))
    assert forbidden.status_code == 403
    assert [t.name for t in forbidden.templates][0] == "403.html"
    assert "沒有權限" in forbidden.content.decode()

    missing = client.get(reverse("strategies:entry-edit", args=[999999, unit_a.pk, 1]))
    assert missing.status_code == 404
    assert [t.name for t in missing.templates][0] == "404.html"
    assert "找不到這一頁" in missing.content.decode()

    scoring_refusal = client.get(
        reverse("scoring:bands-edit", args=[year.organization.code, year.roc_year])
    )
    assert scoring_refusal.status_code == 403
    assert [t.name for t in scoring_refusal.templates][0] == "403.html"
