"""The year's transition table (strategies.year_lifecycle) is what the services and pages obey:
every (status, target) pair outside it is refused with the table's message and changes
nothing, a move that needs a reason is refused without one, every move in the table happens,
and the admin's years page offers exactly the table's moves."""

import pytest
from django.urls import reverse

from scoring import services as scoring_services
from strategies import year_lifecycle
from strategies.errors import DomainError
from strategies.models import Year
from strategies.services.years import set_year_status
from tests import factories
from tests.conftest import login

Status = Year.Status
PAIRS = [(now, then) for now in Status for then in Status if now != then]


@pytest.fixture
def empty_year(org):
    """A year without items: closing it has no shortfall or year-end text to wait for."""
    return factories.make_year(org, 120)


def _in(year, status):
    Year.objects.filter(pk=year.pk).update(status=status)
    year.refresh_from_db()
    return year


@pytest.mark.django_db
@pytest.mark.parametrize(("now", "then"), [p for p in PAIRS if not year_lifecycle.allows(*p)])
def test_every_pair_outside_the_table_is_refused_and_changes_nothing(
    now, then, empty_year, admin_user
):
    year = _in(empty_year, now)
    with pytest.raises(DomainError, match="不能直接改為") as refused:
        set_year_status(year=year, status=then, user=admin_user, reason="測試")
    with pytest.raises(year_lifecycle.TransitionRefused) as expected:
        year_lifecycle.check_move(year, now, then, "測試")
    assert refused.value.message == str(expected.value)
    year.refresh_from_db()
    assert year.status == now
    assert year.history.count() == 1  # only the creation


@pytest.mark.django_db
@pytest.mark.parametrize(("now", "then"), [p for p in PAIRS if year_lifecycle.needs_reason(*p)])
def test_a_move_that_needs_a_reason_is_refused_without_one(now, then, empty_year, admin_user):
    year = _in(empty_year, now)
    with pytest.raises(DomainError, match="必須填寫原因"):
        set_year_status(year=year, status=then, user=admin_user, reason="  ")
    year.refresh_from_db()
    assert year.status == now


@pytest.mark.django_db
@pytest.mark.parametrize(("now", "then"), [p for p in PAIRS if year_lifecycle.allows(*p)])
def test_every_move_in_the_table_happens(now, then, empty_year, admin_user):
    year = _in(empty_year, now)
    set_year_status(year=year, status=then, user=admin_user, reason="測試")
    year.refresh_from_db()
    assert year.status == then


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(Status))
def test_the_years_page_offers_exactly_the_tables_moves(client, status, empty_year, admin_user):
    _in(empty_year, status)
    page = login(client, admin_user).get(reverse("manage:years")).content.decode()
    row = page[page.index('id="year-120"') :]
    row = row[: row.index("</tr>")]
    offered = [part.split('"')[0] for part in row.split('name="status" value="')[1:]]
    assert offered == [move.target for move in year_lifecycle.moves_from(status)]


@pytest.mark.django_db
def test_reopening_a_signed_off_year_goes_only_where_the_locked_row_allows(empty_year, admin_user):
    assert set(year_lifecycle.reopen_targets()) == {Status.OPEN, Status.CLOSED}
    year = _in(empty_year, Status.LOCKED)
    with pytest.raises(DomainError):
        scoring_services.reopen_year(
            year=year, user=admin_user, reason="更正", status=Status.PLANNING
        )
    year.refresh_from_db()
    assert year.status == Status.LOCKED
