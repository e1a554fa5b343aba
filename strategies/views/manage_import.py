"""Admin pages: the plan as Excel, and importing one (upload, dry-run preview, apply)."""

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from strategies.auth import AuthenticatedHttpRequest
from strategies.downloads import attachment_response
from strategies.errors import DomainError
from strategies.forms_manage import MAX_PLAN_FILE_BYTES, PlanFileForm
from strategies.plan_export import export_plan
from strategies.services.plan_import import apply_import, preview_import
from strategies.views.manage_common import admin_year

SESSION_KEY = "plan_import"


def _upload_dir() -> Path:
    # Under MEDIA_ROOT, which is never served: the file waits here between preview and apply.
    folder = Path(settings.MEDIA_ROOT) / "plan-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@login_required
def plan_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    _membership, year = admin_year(request, pk)
    filename, content_type, content = export_plan(year)
    return attachment_response(content, filename=filename, content_type=content_type)


@login_required
def plan_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the upload form. POST: read the file and show the dry-run preview."""
    _membership, year = admin_year(request, pk)
    form = PlanFileForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"year": year, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_PLAN_FILE_BYTES:
            form.add_error(
                "file",
                _("檔案大小 %(size).1f MB，超過上限 10 MB。") % {"size": upload.size / 1024 / 1024},
            )
            return render(request, "strategies/manage/plan_import.html", context, status=400)
        data = upload.read()
        try:
            preview = preview_import(
                organization=year.organization,
                roc_year=year.roc_year,
                data=data,
                filename=upload.name,
            )
        except DomainError as error:
            form.add_error("file", error.message)
            return render(request, "strategies/manage/plan_import.html", context, status=400)
        context["preview"] = preview
        if preview.ok:
            token = secrets.token_hex(16)
            (_upload_dir() / f"{token}.xlsx").write_bytes(data)
            request.session[SESSION_KEY] = {
                "token": token,
                "year": year.pk,
                "sha256": hashlib.sha256(data).hexdigest(),
                "name": upload.name,
            }
            context["token"] = token
    return render(request, "strategies/manage/plan_import.html", context)


@login_required
@require_POST
def plan_import_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Apply the file previewed in this session, all or nothing."""
    _membership, year = admin_year(request, pk)
    pending = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if not token or pending.get("token") != token or pending.get("year") != year.pk:
        messages.error(request, _("找不到要匯入的檔案預覽，請重新上傳計畫檔。"))
        return redirect("manage:plan-import", pk=year.pk)
    path = _upload_dir() / f"{token}.xlsx"
    data = path.read_bytes() if path.is_file() else b""
    if hashlib.sha256(data).hexdigest() != pending.get("sha256"):
        messages.error(request, _("預覽過的檔案已不存在或已變更，請重新上傳計畫檔。"))
        return redirect("manage:plan-import", pk=year.pk)
    try:
        preview, year = apply_import(
            organization=year.organization,
            roc_year=year.roc_year,
            data=data,
            user=request.user,
            filename=pending.get("name", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("manage:plan-import", pk=year.pk)
    finally:
        path.unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _("已匯入計畫檔：新增 %(created)d、修改 %(changed)d、停用 %(retired)d 項。")
        % {
            "created": len(preview.created),
            "changed": len(preview.changed),
            "retired": len(preview.retired),
        },
    )
    return redirect("manage:plan", pk=year.pk)
