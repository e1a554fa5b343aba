"""Issued reports in the admin: read-only. A frozen file is never edited or deleted by hand;
`verify_report` checks that nobody did it behind the admin's back."""

from django.contrib import admin
from django.http import HttpRequest

from perfreport.reports.models import IssuedReport, WorkerHeartbeat


@admin.register(IssuedReport)
class IssuedReportAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "version",
        "format",
        "filename",
        "size",
        "sha256",
        "issued_at",
        "issued_by",
    ]
    list_filter = ["format", "year__organization"]
    exclude = ["content"]
    readonly_fields = [
        "year",
        "version",
        "format",
        "filename",
        "content_type",
        "size",
        "sha256",
        "issued_at",
        "issued_by",
    ]
    list_select_related = ["year__organization", "issued_by"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Operators see which task workers are alive (read only: the workers write it)."""

    list_display = ["worker_id", "hostname", "pid", "started_at", "beat_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
