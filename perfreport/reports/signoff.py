"""Signing off a year's review: the highest layer involved orchestrates it.

In one transaction, scoring records the sign-off and locks the year (through strategies) and
this layer queues the report's next version; the task worker then renders, signs and stores it
(issuing.issue_version) while the page follows its progress. If the signing key is unusable the
sign-off is refused before anything changes.

GET shows what will happen (a confirmation page that works without JavaScript); POST with
`confirmed=1` does it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from perfreport.reports import jobs, signing
from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import next_version, queue_version
from perfreport.reports.models import IssuedReport, IssuedVersion
from scoring.selectors import score_sheet_data
from scoring.services import sign_off_review
from strategies import number_format
from strategies.access import (
    can_download_year,
    check_year_right,
    get_year_for_user,
    is_year_auditor,
)
from strategies.auth import AuthenticatedHttpRequest, User
from strategies.confirm import Confirmation, Precondition, confirmed
from strategies.errors import DomainError
from strategies.models import Unit, Year
from strategies.selectors import year_or_404
from strategies.services.years import status_change_confirmation


def sign_off_confirmation(year: Year) -> Confirmation:
    """What signing the year off will do, and whether it can be done now."""
    sheet = score_sheet_data(year, include_unsigned_review=True)
    review = sheet.review_round
    units = Unit.objects.filter(organization=year.organization_id, is_active=True).count()
    formats = "、".join(exporter.label for exporter in EXPORTERS.values())
    try:
        signer: str | None = signing.check_signing_key()
        key_problem = ""
    except signing.SigningKeyError as exc:
        signer, key_problem = None, exc.message
    version = next_version(year)
    consequences = [
        f"鎖定 {year.roc_year} 年度：所有單位（{units} 個）的每月填報、分數與等第區間都不能再修改，"
        "直到管理者填寫原因重新開放。",
        "複評分數與評語（"
        + (
            f"總分 {number_format.one_decimal(review.total)}，等第 {review.grade}"
            if review.complete
            else "未完成"
        )
        + "）成為正式結果，本機關所有人員都看得到。",
        f"發布第 {version} 版報告，共 {len(EXPORTERS)} 種格式（{formats}），在背景產生；"
        + (f"PDF 以「{signer}」的憑證數位簽章，" if signer else "PDF 數位簽章，")
        + "其他格式以簽署的檔案清單（SHA-256）保護。",
    ]
    return Confirmation(
        title=f"完成 {year.organization.short_name} {year.roc_year} 年度複評並發布報告",
        button=f"確認完成複評、鎖定 {year.roc_year} 年度並發布第 {version} 版",
        consequences=consequences,
        preconditions=[
            Precondition(
                "五個構面都有複評分數",
                review.complete,
                "" if review.complete else f"已評 {review.scored} 個構面",
            ),
            Precondition("年度尚未鎖定", year.status != Year.Status.LOCKED),
            # Whatever locking the year requires (e.g. shortfalls explained), as the admin's
            # lock page lists it; the first entry (the status change itself) is said above.
            *status_change_confirmation(year=year, status=Year.Status.LOCKED).preconditions[1:],
            Precondition("簽章憑證可用", signer is not None, key_problem),
        ],
    )


def sign_off_and_issue(*, year: Year, user: User) -> IssuedVersion:
    """Sign the review off, lock the year and queue its report's next version, in one
    transaction; the issuing task is enqueued once it commits. Refused (nothing changed) when
    the review is incomplete, the year is locked or the signing key cannot be used."""
    signing.check_signing_key()
    with transaction.atomic():
        sheet = sign_off_review(year=year, user=user)  # holds the year's row lock
        version = queue_version(year=year, user=user, signed_off_at=sheet.signed_off_at)
        jobs.queue_issue(version)
    return version


def _auditor_year(request: AuthenticatedHttpRequest, org: str, roc_year: int) -> Year:
    year = year_or_404(org, roc_year)
    check_year_right(request.user, year, is_year_auditor)
    return year


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: AuthenticatedHttpRequest, org: str, roc_year: int) -> HttpResponse:
    """The auditor finalises the review: the year is locked and its report issued."""
    year = _auditor_year(request, org, roc_year)
    sheet_url = reverse("scoring:score-sheet", args=[year.organization.code, year.roc_year])
    if request.method == "POST" and confirmed(request.POST):
        try:
            version = sign_off_and_issue(year=year, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(sheet_url)
        messages.success(
            request,
            _("已完成複評：本年度已鎖定，第 %(version)s 版報告正在產生。")
            % {"version": version.version},
        )
        return redirect("reports:issue-progress", org=org, roc_year=roc_year, pk=version.pk)
    return render(
        request,
        "confirm.html",
        {
            "confirmation": sign_off_confirmation(year),
            "action": request.path,
            "hidden": [],
            "cancel_url": sheet_url,
        },
    )


def _readable_version(
    request: AuthenticatedHttpRequest, org: str, roc_year: int, pk: int
) -> IssuedVersion:
    """A version of the year, for the year's admins and auditors (who download its files)."""
    year = year_or_404(org, roc_year)
    check_year_right(request.user, year, can_download_year)
    return get_object_or_404(
        IssuedVersion.objects.select_related("year__organization"), pk=pk, year=year
    )


@login_required
@require_GET
def issue_progress(
    request: AuthenticatedHttpRequest, org: str, roc_year: int, pk: int
) -> HttpResponse:
    """The issuing's progress (the page refreshes itself until it is done), then the files."""
    version = _readable_version(request, org, roc_year, pk)
    files = (
        IssuedReport.objects.filter(year=version.year, version=version.version).order_by("pk")
        if version.status == IssuedVersion.Status.DONE
        else IssuedReport.objects.none()
    )
    return render(
        request,
        "reports/issue_progress.html",
        {
            "version": version,
            "year": version.year,
            "files": files,
            "finished": version.status in {IssuedVersion.Status.DONE, IssuedVersion.Status.FAILED},
            "can_retry": version.status == IssuedVersion.Status.FAILED
            and is_year_auditor(get_year_for_user(request.user, version.year), version.year),
        },
    )


@login_required
@require_POST
def issue_retry(
    request: AuthenticatedHttpRequest, org: str, roc_year: int, pk: int
) -> HttpResponse:
    """Run a failed issuing again (the auditor who signs off); stored formats are kept."""
    version = _readable_version(request, org, roc_year, pk)
    if not is_year_auditor(get_year_for_user(request.user, version.year), version.year):
        raise PermissionDenied
    if not jobs.retry_issue(version):
        raise Http404
    return redirect("reports:issue-progress", org=org, roc_year=roc_year, pk=version.pk)
