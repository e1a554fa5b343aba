"""Issuing a year's report: every format rendered once, stored on disk, signed, never changed.

Sign-off (signoff.py) locks the year and queues a version in one transaction
(`queue_version`); the task worker then renders it (`issue_version`): each format is written
under MEDIA_ROOT (issued/<org>/<year>/v<N>/), the PDF carries a PAdES signature, and a manifest
of every file's SHA-256 is signed with the same key. `issue_version` is idempotent: formats
already stored are kept, a finished version is left alone. `verify_issued` trusts only the
signatures, never the hashes in the database.
"""

import gc
import hashlib
import io
import json
import logging
import tempfile
from collections.abc import Buffer
from dataclasses import dataclass
from datetime import datetime
from typing import IO, BinaryIO, cast

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from perfreport.reports import signing
from perfreport.reports.exporters import EXPORTERS, get_exporter
from perfreport.reports.exporters.base import Progress
from perfreport.reports.models import IssuedReport, IssuedVersion
from perfreport.reports.selectors import ReportData, build_report
from scoring.models import ScoreSheet
from strategies.auth import User
from strategies.models import Year

Status = IssuedVersion.Status
logger = logging.getLogger(__name__)
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.p7s"
sha256_of = signing.sha256_of


# --- Queueing and running ----------------------------------------------------------------------


def stored_name(file: FieldFile) -> str:
    """The storage name of an issued file (every issued report and manifest has one)."""
    assert file.name, "an issued file without a stored name"
    return file.name


def next_version(year: Year) -> int:
    """The number the year's next issued version takes (1, 2, ...)."""
    latest = IssuedVersion.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0
    return latest + 1


def queue_version(*, year: Year, user: User, signed_off_at: datetime | None) -> IssuedVersion:
    """Record the next version as queued. The caller (the sign-off) holds the year's row lock
    in its transaction, so two sign-offs cannot take the same number; the task is enqueued by
    the caller once that transaction commits."""
    version = IssuedVersion(
        year=year,
        version=next_version(year),
        signed_off_at=signed_off_at,
        requested_by=user,
        step="排隊等待產生",
    )
    version.full_clean()
    version.save()
    return version


def issue_report(*, year: Year, user: User) -> list[IssuedReport]:
    """Queue the year's next version and issue it at once in this process (scripts and tests;
    the sign-off page leaves it to the worker). Its files, in the order of EXPORTERS."""
    with transaction.atomic():
        list(Year.objects.select_for_update().filter(pk=year.pk).values_list("pk", flat=True))
        sheet = ScoreSheet.objects.filter(year=year).first()
        version = queue_version(
            year=year, user=user, signed_off_at=sheet.signed_off_at if sheet else None
        )
    issue_version(version.pk)
    by_format = {
        r.format: r for r in IssuedReport.objects.filter(year=year, version=version.version)
    }
    return [by_format[identifier] for identifier in EXPORTERS if identifier in by_format]


def _claim(version_id: int) -> IssuedVersion | None:
    """Compare-and-set queued/failed -> running: one worker runs a version at a time."""
    claimed = IssuedVersion.objects.filter(
        pk=version_id, status__in=[Status.QUEUED, Status.FAILED]
    ).update(status=Status.RUNNING, error="", step="整理報告資料", progress=1)
    if not claimed:
        return None
    return IssuedVersion.objects.select_related("year__organization").get(pk=version_id)


def _advance(version: IssuedVersion, **fields: object) -> None:
    for name, value in fields.items():
        setattr(version, name, value)
    version.save(update_fields=list(fields))


def _write(name: str, content: bytes) -> str:
    """Write (or overwrite, after a crashed run) one file under MEDIA_ROOT; its stored name."""
    return _store(name, ContentFile(content))


def _store(name: str, content: File[bytes]) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, content)


class HashingWriter(io.RawIOBase):
    """A binary stream that counts and hashes what passes through it on the way to `target`:
    a file's SHA-256 without reading it back or holding its bytes."""

    def __init__(self, target: BinaryIO) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, chunk: Buffer, /) -> int:
        view = memoryview(chunk)
        self.digest.update(view)
        self.size += view.nbytes
        self.target.write(view)
        return view.nbytes


def _write_format(
    version: IssuedVersion,
    data: ReportData,
    identifier: str,
    out: BinaryIO,
    progress: Progress | None = None,
) -> None:
    """The format's bytes to `out`: streamed by the exporter, or (the PDF) signed first."""
    exporter = EXPORTERS[identifier]
    if identifier != "pdf":
        exporter.write(data, out, progress)
        return
    rendered = io.BytesIO()
    exporter.write(data, rendered, progress)
    content = signing.sign_pdf(
        rendered.getvalue(),
        reason=f"{data.organization_name} {data.roc_year} 年度報告第 {version.version} 版發布",
    )
    out.write(content)


def _issue_format(
    version: IssuedVersion,
    data: ReportData,
    identifier: str,
    progress: Progress | None = None,
) -> IssuedReport:
    """Render one format (the PDF signed) into a temporary file, hashing it as it is written,
    store it and record it. Nothing of it stays in memory on return."""
    exporter = EXPORTERS[identifier]
    with tempfile.TemporaryFile(prefix="perfreport-issue-") as scratch:
        hashing = HashingWriter(scratch)
        buffered = io.BufferedWriter(hashing, buffer_size=1 << 20)
        _write_format(version, data, identifier, buffered, progress)
        buffered.flush()
        buffered.detach()  # the scratch file stays open
        scratch.seek(0)
        name = _store(f"{version.folder}/{exporter.ascii_filename(data)}", File(scratch))
    report, _created = IssuedReport.objects.update_or_create(
        year=version.year,
        version=version.version,
        format=identifier,
        defaults={
            "filename": exporter.filename(data),
            "content_type": exporter.content_type,
            "file": name,
            "size": hashing.size,
            "sha256": hashing.digest.hexdigest(),
            "issued_at": timezone.now(),
            "issued_by": version.requested_by,
        },
    )
    return report


def issuing_order() -> list[str]:
    """The formats in the order the job renders them: those that carry the monthly entries
    first, so that the entries are dropped before the documents are laid out."""
    return sorted(EXPORTERS, key=lambda identifier: not EXPORTERS[identifier].needs_entries)


def issue_version(version_id: int) -> IssuedVersion:
    """Render, sign and store every format of a queued version, then sign its manifest.

    Idempotent: a version that is done (or being run by another worker) is returned as is; a
    failed or interrupted one picks up where it stopped (formats already stored are kept).
    A failure is recorded on the version (status, message) and raised."""
    version = _claim(version_id)
    if version is None:
        return IssuedVersion.objects.get(pk=version_id)
    year = version.year
    try:
        data = build_report(
            year, include_entries=True, include_unsigned_review=True, version=version.version
        )
        data.signed_off_at = version.signed_off_at
        stored = {
            r.format: r for r in IssuedReport.objects.filter(year=year, version=version.version)
        }
        count = len(EXPORTERS)
        for position, identifier in enumerate(issuing_order()):
            exporter = EXPORTERS[identifier]
            if data.includes_entries and not exporter.needs_entries:
                data.forget_entries()
                gc.collect()
            if identifier in stored and default_storage.exists(
                stored_name(stored[identifier].file)
            ):
                continue
            step = f"產生 {exporter.label}（{position + 1}/{count}）"
            _advance(version, progress=5 + 85 * position // count, step=step)

            def parts_done(
                done: int, parts: int, position: int = position, step: str = step
            ) -> None:
                # A large year's PDF renders in parts for minutes: the page follows each part.
                _advance(
                    version,
                    progress=5 + (85 * position + 85 * done // parts) // count,
                    step=f"{step}：第 {done}/{parts} 部分完成",
                )

            stored[identifier] = _issue_format(version, data, identifier, parts_done)
            gc.collect()  # the format's renderer's garbage, before the next one
        del data  # every entry of the year: not needed for the manifest
        _advance(version, progress=95, step="簽署檔案清單")
        manifest = manifest_bytes(version, [stored[i] for i in EXPORTERS if i in stored])
        version.manifest.name = _write(f"{version.folder}/{MANIFEST_NAME}", manifest)
        version.manifest_signature.name = _write(
            f"{version.folder}/{SIGNATURE_NAME}", signing.sign_detached(manifest)
        )
        _advance(
            version,
            manifest=version.manifest.name,
            manifest_signature=version.manifest_signature.name,
            status=Status.DONE,
            progress=100,
            step="報告已發布",
            finished_at=timezone.now(),
        )
    except Exception as exc:
        _advance(
            version,
            status=Status.FAILED,
            step="發布失敗",
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        raise
    report_issued(version)
    return version


def report_issued(version: IssuedVersion) -> None:
    """The one place where a sign-off's report is complete: every file stored and signed.
    Whatever should follow an issued report (notifications) is called from here."""
    logger.info(
        "issued %s %s version %s (%s files, manifest %s)",
        version.year.organization.code,
        version.year.roc_year,
        version.version,
        IssuedReport.objects.filter(year=version.year, version=version.version).count(),
        version.manifest.name,
    )


# --- The manifest ------------------------------------------------------------------------------


def manifest_bytes(version: IssuedVersion, reports: list[IssuedReport]) -> bytes:
    """What the signature covers: who, which year and version, and each file's name, size and
    SHA-256 (computed from the bytes on disk), as canonical JSON."""
    year = version.year
    files = []
    for report in reports:
        size, digest = _size_and_sha256(stored_name(report.file))
        files.append(
            {
                "format": report.format,
                "name": stored_name(report.file).rsplit("/", 1)[-1],
                "filename": report.filename,
                "size": size,
                "sha256": digest,
            }
        )
    document = {
        "organization": year.organization.code,
        "organization_name": year.organization.name,
        "roc_year": year.roc_year,
        "version": version.version,
        "signed_off_at": version.signed_off_at.isoformat() if version.signed_off_at else None,
        "files": files,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _size_and_sha256(name: str) -> tuple[int, str]:
    """A stored file's size and SHA-256, read in chunks: the JSON of a large year is over
    100 MB and need not be held whole a second time."""
    digest = hashlib.sha256()
    size = 0
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


# --- Reading -----------------------------------------------------------------------------------


def latest_done(year: Year) -> IssuedVersion | None:
    """The year's newest version that finished issuing (one query)."""
    return IssuedVersion.objects.filter(year=year, status=Status.DONE).order_by("-version").first()


def latest_issued(year: Year) -> dict[str, IssuedReport]:
    """The files of the newest finished version, by format (two queries)."""
    done = latest_done(year)
    if done is None:
        return {}
    return {r.format: r for r in IssuedReport.objects.filter(year=year, version=done.version)}


# A fresh render is written to a spooled file, kept in memory up to this size and on disk
# beyond: a large year's file (the JSON at 100x the seed is 123 MB) is streamed from disk
# instead of held whole in the web process.
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass
class Download:
    """One file to send: a fresh render (spooled) or an issued file on disk."""

    filename: str
    ascii_filename: str
    content_type: str
    spool: IO[bytes] | None = None
    issued: IssuedReport | None = None

    def open(self) -> IO[bytes] | File[bytes]:
        """The file from its first byte; the caller closes it."""
        if self.spool is not None:
            self.spool.seek(0)
            return self.spool
        assert self.issued is not None
        return default_storage.open(stored_name(self.issued.file), "rb")

    @property
    def size(self) -> int:
        if self.spool is not None:
            return self.spool.seek(0, io.SEEK_END)
        assert self.issued is not None
        return self.issued.size

    @property
    def in_memory(self) -> bool:
        """A fresh render small enough to have stayed in memory."""
        return self.spool is not None and self.size <= SPOOL_BYTES

    def read(self) -> bytes:
        with self.open() as handle:
            return handle.read()


def issued_download(report: IssuedReport) -> Download:
    return Download(
        filename=report.filename,
        ascii_filename=stored_name(report.file).rsplit("/", 1)[-1],
        content_type=report.content_type,
        issued=report,
    )


# A year that is closed or locked is served from its latest issued files; a reopened year is a
# draft again until it is re-issued, so it is rendered from the current data.
_FROZEN = {Year.Status.CLOSED, Year.Status.LOCKED}


def render_for_download(
    year: Year, identifier: str, *, live: bool = False, include_unsigned_review: bool = True
) -> Download:
    """One format of the year's report: the issued file of the newest finished version when the
    year is closed or locked, otherwise (or with `live`) a fresh render, marked as a draft.
    The callers may download the year (its admins and auditors), who may see a review in
    progress. Raises KeyError for an unknown format."""
    exporter = get_exporter(identifier)
    if not live and year.status in _FROZEN:
        issued = latest_issued(year).get(identifier)
        if issued is not None:
            return issued_download(issued)
    data = build_report(
        year,
        include_entries=exporter.needs_entries,
        include_unsigned_review=include_unsigned_review,
    )
    download = Download(
        exporter.filename(data), exporter.ascii_filename(data), exporter.content_type
    )
    # Handed on to the caller, who reads or streams it and closes it.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        # In the seed's language, piece by piece where the format can.
        exporter.write(data, cast(BinaryIO, spool))  # typeshed: IO[bytes]; it is a binary file
    except BaseException:
        spool.close()
        raise
    download.spool = spool
    return download


# --- Verifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionCheck:
    version: IssuedVersion
    checks: list[signing.Check]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)


def _read(name: str | None) -> bytes | None:
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def verify_version(version: IssuedVersion, reports: list[IssuedReport]) -> VersionCheck:
    """The manifest's signature, each file against the signed manifest (and the database's
    hash against the manifest), and the PDF's own signature. Reads only."""
    checks: list[signing.Check] = []
    manifest = _read(version.manifest.name)
    signature = _read(version.manifest_signature.name)
    if manifest is None or signature is None:
        checks.append(
            signing.Check(
                "清單簽章", False, "這一版沒有簽署的檔案清單（簽章功能啟用前發布，或發布未完成）"
            )
        )
        return VersionCheck(version, checks)
    checks.append(signing.verify_detached(manifest, signature))
    try:
        listed = {entry["name"]: entry for entry in json.loads(manifest)["files"]}
    except (ValueError, KeyError, TypeError):
        checks.append(signing.Check("檔案清單", False, "檔案清單無法解讀"))
        return VersionCheck(version, checks)
    names = set()
    for report in reports:
        name = stored_name(report.file).rsplit("/", 1)[-1]
        names.add(name)
        what = report.filename
        content = _read(report.file.name)
        entry = listed.get(name)
        if content is None:
            checks.append(signing.Check(what, False, "檔案不見了"))
            continue
        if entry is None:
            checks.append(signing.Check(what, False, "不在簽署的檔案清單中"))
            continue
        digest = sha256_of(content)
        if digest != entry["sha256"]:
            checks.append(signing.Check(what, False, "內容與簽署的檔案清單不符（檔案已被更動）"))
            continue
        if report.sha256 != entry["sha256"]:
            checks.append(signing.Check(what, False, "資料庫中的 SHA-256 與簽署的檔案清單不符"))
            continue
        if report.format == "pdf":
            pdf = signing.verify_pdf(content)
            if not pdf.ok:
                checks.append(signing.Check(what, False, pdf.detail))
                continue
        checks.append(signing.Check(what, True, digest))
    for missing in sorted(set(listed) - names):
        checks.append(signing.Check(missing, False, "簽署的檔案清單列有此檔，但資料庫沒有"))
    return VersionCheck(version, checks)


def verify_issued(year: Year) -> list[VersionCheck]:
    """Every finished version of the year, oldest first (reads only; never signs)."""
    reports: dict[int, list[IssuedReport]] = {}
    for report in IssuedReport.objects.filter(year=year).order_by("version", "format"):
        reports.setdefault(report.version, []).append(report)
    return [
        verify_version(version, reports.get(version.version, []))
        for version in IssuedVersion.objects.filter(year=year, status=Status.DONE)
        .select_related("year__organization")
        .order_by("version")
    ]
