"""A year reopened from the admin's year page is no longer shown as signed off."""

import pytest
from django.utils import timezone

from scoring.models import ScoreSheet
from scoring.selectors import score_sheet_data
from strategies.services.years import set_year_status


@pytest.mark.django_db
def test_reopening_a_locked_year_withdraws_the_sign_off_shown(year, admin_user, auditor):
    ScoreSheet.objects.filter(year=year).update(signed_off_at=timezone.now(), signed_off_by=auditor)
    set_year_status(year=year, status="locked", user=auditor)
    assert score_sheet_data(year, include_unsigned_review=True).signed_off

    set_year_status(year=year, status="open", user=admin_user, reason="補登 12 月資料")
    data = score_sheet_data(year, include_unsigned_review=True)
    assert not data.signed_off
    assert data.signed_off_by == ""
