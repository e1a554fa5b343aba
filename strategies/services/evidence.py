"""Evidence files (佐證資料) attached to monthly entries: checked by content before anything is
written (strategies.evidence), stored under MEDIA_ROOT with a name of ours, hashed, and
recorded in the entry's history.

At most settings.EVIDENCE_MAX_FILES_PER_ENTRY files per entry. A file is written inside the
save's transaction (so a full disk rolls the save back) and deleted again when that transaction
rolls back (`removed_on_rollback`), so a failed save leaves no file behind. A file removed from
an entry stays in storage on purpose: the history still names it, and what was once submitted
can be traced.
"""

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from strategies import evidence as evidence_rules
from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import Evidence, MonthlyEntry


@contextmanager
def removed_on_rollback() -> Iterator[list[FieldFile]]:
    """Files appended to the yielded list are deleted when the block raises. Put it outside the
    transaction (`with removed_on_rollback() as written, transaction.atomic():`) so a failed
    commit counts too. A transaction of the caller's that rolls back after this block has
    committed its savepoint is not seen: services run their own outermost transaction."""
    written: list[FieldFile] = []
    try:
        yield written
    except BaseException:
        for stored in written:
            if stored.name:  # every file written has its stored name
                stored.storage.delete(stored.name)
        raise


def check_file_count(entry: MonthlyEntry, adding: int) -> None:
    """DomainError when the entry would hold more files than the per-entry limit."""
    if not adding:
        return
    limit = settings.EVIDENCE_MAX_FILES_PER_ENTRY
    held = Evidence.objects.filter(entry=entry).count() if entry.pk else 0
    if held + adding > limit:
        raise DomainError(
            _(
                "每筆填報最多 %(limit)s 個佐證檔案；這筆已有 %(held)s 個，再加上 %(adding)s 個"
                "會超過上限。請合併檔案，或先移除不需要的檔案。"
            )
            % {"limit": limit, "held": held, "adding": adding}
        )


def check_files(files: Sequence[UploadedFile[bytes]]) -> list[evidence_rules.Sniffed]:
    """Check every file before anything is written; DomainError names the first bad one."""
    return [evidence_rules.check_file(f.name or "", f.size or 0, f) for f in files]


def store_evidence(
    *,
    user: User,
    entry: MonthlyEntry,
    files: Sequence[UploadedFile[bytes]],
    written: list[FieldFile] | None = None,
) -> list[Evidence]:
    """Check and store the files; each stored file is appended to `written` (see
    removed_on_rollback) the moment it reaches storage."""
    check_file_count(entry, len(files))
    stored = []
    for upload, sniffed in zip(files, check_files(files), strict=True):
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        item = Evidence(
            entry=entry,
            original_name=(upload.name or "evidence")[-200:],
            content_type=sniffed.content_type,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        # The stored name is ours: the uploaded name never reaches the filesystem.
        item.file.save(f"{uuid.uuid4().hex}{sniffed.extension}", upload, save=False)
        if written is not None:
            written.append(item.file)
        item._history_user = user
        item.full_clean()
        item.save()
        stored.append(item)
    return stored
