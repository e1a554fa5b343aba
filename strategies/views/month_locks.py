"""Month locks (admin): close a month for entry, reopen it with a recorded reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from strategies import access, deadlines
from strategies.auth import AuthenticatedHttpRequest
from strategies.errors import DomainError
from strategies.forms import MonthLockForm
from strategies.models import MonthLock, Year
from strategies.services import month_locks as services


@login_required
@require_http_methods(["GET", "POST"])
def month_locks(request: AuthenticatedHttpRequest, year_id: int) -> HttpResponse:
    year = get_object_or_404(Year.objects.select_related("organization"), pk=year_id)
    access.check_year_right(request.user, year, access.is_year_admin)
    status = 200
    if request.method == "POST":
        form = MonthLockForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == MonthLockForm.LOCK:
                    services.lock_month(
                        user=request.user, year=year, month=data["month"], reason=data["reason"]
                    )
                    messages.success(request, _("已鎖定 %(m)s 月。") % {"m": data["month"]})
                else:
                    services.reopen_month(
                        user=request.user, year=year, month=data["month"], reason=data["reason"]
                    )
                    messages.success(request, _("已重新開放 %(m)s 月。") % {"m": data["month"]})
                return redirect("strategies:month-locks", year_id=year.pk)
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, _("月份必須是 1 到 12 月。"))
        status = 400
    locks = {
        lock.month: lock for lock in MonthLock.objects.filter(year=year).select_related("locked_by")
    }
    months = [
        {
            "month": m,
            "lock": locks.get(m),
            "due": deadlines.due_on(year.roc_year, m, year.deadline_day),
        }
        for m in range(1, 13)
    ]
    history = MonthLock.history.filter(year_id=year.pk).select_related("history_user")[:50]
    return render(
        request,
        "strategies/month_locks.html",
        {"year": year, "months": months, "history": history},
        status=status,
    )
