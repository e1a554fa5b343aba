"""Issued reports: every format of a signed-off year, rendered once and frozen with its SHA-256."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models import Year


class IssuedVersion(models.Model):
    """One issued version of a year's report: queued at sign-off, rendered by the task worker
    (every format, the PDF signed), closed by a manifest of every file's SHA-256 that is signed
    with the organization's key. Files live under MEDIA_ROOT, not in the database."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排隊中")
        RUNNING = "running", _("產生中")
        DONE = "done", _("已發布")
        FAILED = "failed", _("失敗")

    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="issued_versions"
    )
    version = models.PositiveIntegerField(_("版次"))
    status = models.CharField(
        _("狀態"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("進度（%）"), default=0)
    step = models.CharField(_("目前步驟"), max_length=100, blank=True)
    error = models.TextField(_("錯誤訊息"), blank=True)
    signed_off_at = models.DateTimeField(_("複評完成時間"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("發布者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申請時間"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成時間"), null=True, blank=True)
    # The manifest (JSON: every file's name, size and SHA-256) and its detached CMS signature.
    manifest = models.FileField(_("檔案清單"), max_length=300, blank=True)
    manifest_signature = models.FileField(_("檔案清單簽章"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("發布版本")
        verbose_name_plural = _("發布版本")
        ordering = ["year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="issued_version_unique"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="issued_version_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="issued_version_progress_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version} ({self.get_status_display()})"

    @property
    def folder(self) -> str:
        """Where its files live under MEDIA_ROOT: issued/khh/112/v1."""
        return f"issued/{self.year.organization.code}/{self.year.roc_year}/v{self.version}"


class IssuedReport(models.Model):
    """One file of one issued version of a year's report. Never changed after it is written:
    a reopened and re-signed year gets a new version; earlier versions stay downloadable.
    The bytes are on disk (`file`, under MEDIA_ROOT); `sha256` is shown to people, but
    `verify_report` trusts only the signed manifest and the PDF's own signature."""

    class Format(models.TextChoices):
        HTML = "html", _("網頁 (HTML)")
        PDF = "pdf", _("PDF")
        XLSX = "xlsx", _("Excel (XLSX)")
        ODS = "ods", _("ODF 試算表 (ODS)")
        ODT = "odt", _("ODF 文件 (ODT)")
        DOCX = "docx", _("Word (DOCX)")
        JSON = "json", _("JSON")

    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="issued_reports"
    )
    version = models.PositiveIntegerField(_("版次"))
    format = models.CharField(_("格式"), max_length=10, choices=Format.choices)
    filename = models.CharField(_("檔名"), max_length=200)
    content_type = models.CharField(_("檔案類型"), max_length=100)
    file = models.FileField(_("檔案"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("大小（位元組）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_at = models.DateTimeField(_("發布時間"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("發布者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("已發布報告")
        verbose_name_plural = _("已發布報告")
        ordering = ["year", "-version", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version", "format"], name="issued_report_unique_version_format"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="issued_report_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} v{self.version}"


class ExportJob(models.Model):
    """An export run in the background: the browser polls its progress, then downloads it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排隊中")
        RUNNING = "running", _("產生中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失敗")

    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    format = models.CharField(_("格式"), max_length=10, choices=IssuedReport.Format.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申請者"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    status = models.CharField(
        _("狀態"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("進度（%）"), default=0)
    step = models.CharField(_("目前步驟"), max_length=100, blank=True)
    filename = models.CharField(_("檔名"), max_length=200, blank=True)
    ascii_filename = models.CharField(_("ASCII 檔名"), max_length=200, blank=True)
    content_type = models.CharField(_("檔案類型"), max_length=100, blank=True)
    content = models.BinaryField(_("內容"), null=True, blank=True)
    error = models.TextField(_("錯誤訊息"), blank=True)
    created_at = models.DateTimeField(_("申請時間"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成時間"), null=True, blank=True)
    # The lease: the worker running the job renews heartbeat_at (perfreport/reports/worker.py);
    # a running job whose lease ran out is retried or failed by jobs.reclaim_stale_jobs.
    worker_id = models.CharField(_("工作程序"), max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(_("最後回報時間"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("執行次數"), default=0)

    class Meta:
        verbose_name = _("匯出工作")
        verbose_name_plural = _("匯出工作")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="export_job_progress_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.format} ({self.get_status_display()})"


class WorkerHeartbeat(models.Model):
    """The task worker (`manage.py run_worker`) says it is alive every few seconds."""

    worker_id = models.CharField(_("工作程序"), max_length=64, unique=True)
    hostname = models.CharField(_("主機"), max_length=255)
    pid = models.PositiveIntegerField(_("程序編號"))
    started_at = models.DateTimeField(_("啟動時間"))
    beat_at = models.DateTimeField(_("最後回報時間"))

    class Meta:
        verbose_name = _("工作程序心跳")
        verbose_name_plural = _("工作程序心跳")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} {self.beat_at:%Y-%m-%d %H:%M:%S}"
