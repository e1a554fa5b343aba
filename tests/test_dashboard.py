"""The home page is a dashboard for the member's role, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from scoring.models import DimensionScore
from strategies.deadlines import TAIPEI
from strategies.models import IndicatorValue, MonthlyEntry, Year
from tests import factories
from tests.conftest import login

Status = MonthlyEntry.Status
HOME = "/"

# Year 113 is 2024: January is due on 2024-02-10.
BEFORE_DEADLINE = dt.datetime(2024, 2, 5, 10, tzinfo=TAIPEI)
AFTER_DEADLINE = dt.datetime(2024, 2, 11, 10, tzinfo=TAIPEI)


@pytest.fixture
def after_deadline():
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        yield


def entry(item, unit, month, status=Status.DRAFT, **kw):
    return MonthlyEntry.objects.create(item=item, unit=unit, month=month, status=status, **kw)


def page(client, user, **params):
    login(client, user)
    response = client.get(HOME, params)
    assert response.status_code == 200
    return response


def test_anonymous_is_sent_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
class TestStaff:
    @time_machine.travel(BEFORE_DEADLINE, tick=False)
    def test_january_is_due_before_the_deadline(self, client, staff_a, item):
        response = page(client, staff_a)
        board = response.context["board"]
        assert [(s.item.pk, s.month) for s in board.due] == [(item.pk, 1), (item.pk, 2)]
        assert board.overdue == []
        html = response.content.decode()
        assert "待填報" in html
        assert "2024-02-10" in html
        january = reverse(
            "strategies:entry-edit",
            kwargs={"item_id": item.pk, "unit_id": item.host_units.get().pk, "month": 1},
        )
        assert f'href="{january}"' in html

    @time_machine.travel(AFTER_DEADLINE, tick=False)
    def test_january_is_overdue_after_the_deadline(self, client, staff_a, item, unit_a):
        entry(item, unit_a, 1, Status.DRAFT)
        board = page(client, staff_a).context["board"]
        assert [(s.month, s.state, s.entry_status_label) for s in board.overdue] == [
            (1, "overdue", "草稿")
        ]
        assert [s.month for s in board.due] == [2]

    @time_machine.travel(AFTER_DEADLINE, tick=False)
    def test_submitted_january_is_neither_due_nor_overdue(self, client, staff_a, item, unit_a):
        entry(item, unit_a, 1, Status.SUBMITTED)
        board = page(client, staff_a).context["board"]
        assert board.overdue == []
        assert [s.month for s in board.due] == [2]

    @time_machine.travel(AFTER_DEADLINE, tick=False)
    def test_year_at_a_glance_shows_every_month_with_a_text_label(
        self, client, staff_a, item, unit_a
    ):
        entry(item, unit_a, 1, Status.APPROVED)
        response = page(client, staff_a)
        (row,) = response.context["board"].glance
        labels = [c.label for c in row.cells]
        assert labels[:3] == ["已核定", "未填", "尚未開放"]
        assert len(labels) == 12
        html = response.content.decode()
        assert 'class="cell cell-approved"' in html
        assert "年度總覽" in html

    @time_machine.travel(AFTER_DEADLINE, tick=False)
    def test_staff_see_only_their_own_unit(self, client, staff_a, staff_b, item, year, unit_b):
        other = factories.make_item(year, hosts=[unit_b], title="秘書室的項目")
        board = page(client, staff_b).context["board"]
        assert {r.item.pk for r in board.glance} == {other.pk}
        assert all(s.unit == unit_b for s in board.overdue)

    @time_machine.travel(AFTER_DEADLINE, tick=False)
    def test_a_closed_year_has_nothing_overdue(self, client, staff_a, item, year):
        Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
        board = page(client, staff_a).context["board"]
        assert board.overdue == []
        assert board.due == []


@pytest.mark.django_db
@pytest.mark.usefixtures("after_deadline")
class TestHead:
    def test_waiting_for_approval_and_returned(self, client, head_a, item, unit_a):
        entry(item, unit_a, 1, Status.SUBMITTED)
        entry(item, unit_a, 2, Status.RETURNED, return_reason="請補上佐證資料")
        response = page(client, head_a)
        board = response.context["board"]
        assert [s.month for s in board.awaiting_approval] == [1]
        assert [s.month for s in board.returned] == [2]
        html = response.content.decode()
        assert "待核定" in html
        assert "請補上佐證資料" in html

    def test_completeness_per_month(self, client, head_a, item, year, unit_a):
        second = factories.make_item(year, hosts=[unit_a], dimension=2)
        entry(item, unit_a, 1, Status.APPROVED)
        entry(second, unit_a, 1, Status.DRAFT)
        board = page(client, head_a).context["board"]
        january, february, march = board.by_month[:3]
        assert (january.done, january.expected, january.percent) == (1, 2, 50)
        assert (february.done, february.expected) == (0, 2)
        assert march.expected == 0  # not open yet


@pytest.mark.django_db
@pytest.mark.usefixtures("after_deadline")
class TestAuditor:
    def test_completeness_per_dimension_and_unit(self, client, auditor, item, year, unit_a, unit_b):
        factories.make_item(year, hosts=[unit_a, unit_b], dimension=3)
        entry(item, unit_a, 1, Status.APPROVED)
        entry(item, unit_a, 2, Status.SUBMITTED)
        response = page(client, auditor)
        board = response.context["board"]
        assert [u.name for u in board.units] == ["秘書室", "度量衡科"]
        rows = {r.label: r for r in board.by_dimension}
        dim1 = rows["一 基礎服務"]
        assert [(c.done, c.expected) for c in dim1.cells] == [(0, 0), (2, 2)]
        dim3 = rows["三 服務量能"]
        assert [(c.done, c.expected) for c in dim3.cells] == [(0, 2), (0, 2)]
        assert "各構面、各單位填報完成度" in response.content.decode()

    def test_indicators_short_of_target_once_the_year_is_closed(
        self, client, auditor, item, unit_a, year
    ):
        january = entry(item, unit_a, 1, Status.APPROVED)
        IndicatorValue.objects.create(
            entry=january, indicator=item.indicators.get(), value=Decimal(4)
        )
        Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
        response = page(client, auditor)
        (short,) = response.context["board"].short
        assert (short.actual, short.target, short.achievement) == (4, 9, 44)
        assert "44%" in response.content.decode()

    def test_in_an_open_year_the_target_counts_pro_rata(self, client, auditor, item, unit_a, year):
        # 2024-02-11: January is past its deadline, so 1/12 of the target is due (0.75 of 9).
        january = entry(item, unit_a, 1, Status.APPROVED)
        IndicatorValue.objects.create(
            entry=january, indicator=item.indicators.get(), value=Decimal(1)
        )
        lagging = factories.make_item(year, hosts=[unit_a], dimension=2, target=24)
        response = page(client, auditor)
        (short,) = response.context["board"].short
        assert short.indicator == lagging.indicators.get()
        assert (short.expected, short.months_due) == (2, 1)
        assert "應達值" in response.content.decode()

    def test_score_sheet_state(self, client, auditor, year):
        for dimension in year.dimensions.all():
            DimensionScore.objects.create(
                dimension=dimension, round=DimensionScore.Round.SELF, score=dimension.max_score
            )
        response = page(client, auditor)
        sheet = response.context["board"].score_sheet
        assert sheet.self_round.total == 1000
        html = response.content.decode()
        assert "1000（優）" in html
        assert reverse("scoring:score-sheet", args=["khh", 113]) in html


@pytest.mark.django_db
@pytest.mark.usefixtures("after_deadline")
class TestAdmin:
    def test_completeness_per_unit_and_month_and_overdue(
        self, client, admin_user, item, year, unit_a, unit_b
    ):
        factories.make_item(year, hosts=[unit_b])
        entry(item, unit_a, 1, Status.APPROVED)
        response = page(client, admin_user)
        board = response.context["board"]
        rows = {r.label: r for r in board.by_unit}
        assert (rows["度量衡科"].cells[0].done, rows["度量衡科"].cells[0].expected) == (1, 1)
        assert (rows["秘書室"].cells[0].done, rows["秘書室"].cells[0].expected) == (0, 1)
        assert [(s.unit.name, s.month) for s in board.overdue] == [("秘書室", 1)]
        assert board.overdue_units == 1

    def test_year_status_and_its_actions(self, client, admin_user, year):
        html = page(client, admin_user).content.decode()
        assert "填報中" in html
        assert reverse("manage:year-status", args=[year.pk]) in html
        assert "結束填報" in html


@pytest.mark.django_db
class TestYearChoice:
    def test_another_organizations_year_is_404(self, client, staff_a, other_org):
        theirs = factories.make_year(other_org, 113)
        login(client, staff_a)
        assert client.get(HOME, {"year": theirs.pk}).status_code == 404
        assert client.get(HOME, {"year": "x"}).status_code == 404

    def test_an_earlier_year_can_be_chosen(self, client, staff_a, org, year):
        earlier = factories.make_year(org, 112, status=Year.Status.CLOSED)
        response = page(client, staff_a, year=earlier.pk)
        assert response.context["year"] == earlier
        assert page(client, staff_a).context["year"] == year

    def test_a_member_without_years_sees_a_note(self, client, staff_a):
        assert "尚無年度資料" in page(client, staff_a).content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("after_deadline")
class TestOthers:
    def test_headquarters_auditors_see_the_branch(self, client, hq_auditor, item, year):
        response = page(client, hq_auditor)
        assert response.context["year"] == year
        assert response.context["board_template"] == "dashboard/auditor.html"

    def test_a_user_without_membership_sees_a_note(self, client, django_user_model):
        user = django_user_model.objects.create_user("nobody", password="x-pass-123")
        html = page(client, user).content.decode()
        assert "尚未加入任何機關" in html

    def test_outsiders_see_their_own_organization_only(self, client, outsider, item, year):
        response = page(client, outsider)
        assert response.context["year"] is None
        assert "高雄分局" not in response.content.decode()

    def test_staff_looking_at_another_units_entries_get_nothing_of_them(
        self, client, staff_b, item, unit_a
    ):
        entry(item, unit_a, 1, Status.SUBMITTED)
        board = page(client, staff_b).context["board"]
        assert board.glance == [] and board.overdue == []
