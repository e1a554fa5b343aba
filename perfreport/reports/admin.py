"""Issued reports in the admin: read-only. A frozen file is never edited or deleted by hand;
`verify_report` checks that nobody did it behind the admin's back."""

from django.contrib import admin
from django.http import HttpRequest

from perfreport.reports.models import IssuedReport, IssuedVersion, WorkerHeartbeat


@admin.register(IssuedReport)
class IssuedReportAdmin(admin.ModelAdmin[IssuedReport]):
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
    readonly_fields = [
        "year",
        "version",
        "format",
        "filename",
        "content_type",
        "file",
        "size",
        "sha256",
        "issued_at",
        "issued_by",
    ]
    list_select_related = ["year__organization", "issued_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IssuedReport | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: IssuedReport | None = None) -> bool:
        return False


@admin.register(IssuedVersion)
class IssuedVersionAdmin(admin.ModelAdmin[IssuedVersion]):
    list_display = ["year", "version", "status", "progress", "signed_off_at", "finished_at"]
    list_filter = ["status", "year__organization"]
    list_select_related = ["year__organization"]
    readonly_fields = [
        "year",
        "version",
        "status",
        "progress",
        "step",
        "error",
        "signed_off_at",
        "requested_by",
        "finished_at",
        "manifest",
        "manifest_signature",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IssuedVersion | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: IssuedVersion | None = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    """Operators see which task workers are alive (read only: the workers write it)."""

    list_display = ["worker_id", "hostname", "pid", "started_at", "beat_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: WorkerHeartbeat | None = None
    ) -> bool:
        return False
