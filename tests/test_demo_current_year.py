"""The demo opens the current ROC year (copied from 112), and the legacy year 112, imported from
its report, shows its completeness as imported rather than 0 of 12."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from strategies.deadlines import TAIPEI
from strategies.models import MonthlyEntry, Year
from tests.conftest import login

DEC_2026 = dt.datetime(2026, 12, 1, 10, tzinfo=TAIPEI)


@pytest.mark.django_db
def test_copy_year_to_current_opens_this_roc_year(seed):
    out = StringIO()
    with time_machine.travel(DEC_2026, tick=False):
        call_command(
            "copy_year", "--org", "khh", "--from", "112", "--to", "current", "--open", stdout=out
        )
    year = Year.objects.get(organization__code="khh", roc_year=115)
    assert year.status == Year.Status.OPEN
    assert "115 年度" in out.getvalue()


@pytest.mark.django_db
def test_a_bad_target_year_is_refused_and_nothing_is_copied(seed):
    before = Year.objects.count()
    with pytest.raises(CommandError, match="current"):
        call_command(
            "copy_year", "--org", "khh", "--from", "112", "--to", "next", stdout=StringIO()
        )
    assert Year.objects.count() == before


@pytest.mark.django_db
def test_the_demo_home_page_shows_the_live_year(client, seed):
    from django.contrib.auth import get_user_model

    with time_machine.travel(DEC_2026, tick=False):
        call_command(
            "copy_year",
            "--org",
            "khh",
            "--from",
            "112",
            "--to",
            "current",
            "--open",
            stdout=StringIO(),
        )
        login(client, get_user_model().objects.get(username="metrology-staff"))
        page = client.get("/").content.decode()
    assert "高雄分局 115 年度" in page
    # November is due on 12-10: still to do, not overdue.
    due = page[page.index('id="due-heading"') : page.index('id="overdue-heading"')]
    assert "11 月" in due


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "auditor", "metrology-head"])
def test_the_imported_year_shows_imported_not_zero(client, seed, username):
    from django.contrib.auth import get_user_model

    year = Year.objects.get(organization__code="khh", roc_year=112)
    assert not MonthlyEntry.objects.filter(item__method__strategy__dimension__year=year).exists()
    login(client, get_user_model().objects.get(username=username))
    page = client.get(f"/?year={year.pk}").content.decode()
    assert 'id="imported-note"' in page
    assert 'class="num ratio ratio-imported">已匯入' in page
    assert "0%" not in page
