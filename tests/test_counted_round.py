"""Which scoring round counts (scoring.rounds): one rule, and the score sheet, the year-end
report and the headquarters comparison all follow it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from perfreport.reports.selectors import build_report
from scoring import rounds, services
from scoring.hq import comparison
from scoring.selectors import score_sheet_data
from strategies.models import Organization, Year

Round = rounds.Round


@pytest.mark.parametrize(
    ("review", "counted"),
    [
        ([], Round.SELF),
        ([None] * 5, Round.SELF),
        ([Decimal(180), None, None, None, None], Round.SELF),
        ([Decimal(180)] * 4 + [None], Round.SELF),
        ([Decimal(180)] * 5, Round.REVIEW),
        ([Decimal(0)] * 5, Round.REVIEW),  # a zero is a score
    ],
)
def test_the_review_counts_once_complete(review, counted):
    assert rounds.counted_round(review) == counted


@pytest.mark.parametrize(
    ("status", "signed", "held"),
    [
        (Year.Status.LOCKED, True, True),
        (Year.Status.LOCKED, False, False),
        (Year.Status.CLOSED, True, False),  # unlocked by the admin's years page
        (Year.Status.OPEN, True, False),
    ],
)
def test_a_sign_off_holds_only_while_the_year_is_locked(status, signed, held):
    signed_off_at = timezone.now() if signed else None
    assert rounds.is_signed_off(status=status, signed_off_at=signed_off_at) is held


def _counted_everywhere(year):
    sheet = score_sheet_data(year, include_unsigned_review=True)
    report = build_report(year, include_unsigned_review=True)
    row = next(
        r
        for r in comparison(
            Organization.objects.filter(pk=year.organization_id),
            sees_unsigned_review=lambda y: True,
        ).rows
        if r.roc_year == year.roc_year
    )
    return sheet.round, report.final.round, str(Round(sheet.round).label) == row.round


@pytest.mark.django_db
def test_sheet_report_and_comparison_count_the_same_round(seed, django_user_model):
    auditor = django_user_model.objects.get(username="auditor")
    year = Year.objects.get(organization__code="khh", roc_year=112)
    assert _counted_everywhere(year) == (Round.SELF, Round.SELF, True)
    services.save_scores(
        year=year,
        round="review",
        scores={1: "180", 2: "280", 3: "180", 4: "180", 5: "80"},
        user=auditor,
    )
    assert _counted_everywhere(year) == (Round.REVIEW, Round.REVIEW, True)
