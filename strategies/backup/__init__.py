"""Backup and restore of one organization-year: a versioned, compressed, checksummed archive.

The archive is a zip file:

    manifest.json     format, format version, organization, year, counts, and the SHA-256
                      of every other member
    manifest.sha256   the SHA-256 of manifest.json itself
    data.json         the records, model by model, and their history, with archive-local
                      ids instead of database keys, so a restore works in any database
                      (empty or holding other organizations) and a backup of the restored
                      year is byte-identical
    files/<n>         the evidence files

This package is the engine plus the strategies side of the data (`STRATEGIES_SPECS`). It never
imports scoring: the scoring side adds its own specs (scoring/backup_specs.py) and the backup
and restore commands, which live in the top layer (perfreport/reports), pass both lists. Restore validates the whole
archive before it writes anything, then writes in one transaction.

The audit trail comes along: the django-simple-history rows of the year and of every archived
object (with who, when, why; item host units included), written back as they were, so a
restore does not add rows of its own. Not included: the history of objects deleted before the
backup, and issued reports (perfreport/reports).
"""

from strategies.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    Archive,
    BackupError,
    build_backup,
    read_archive,
)
from strategies.backup.restore import Restored, restore_backup
from strategies.backup.specs import STRATEGIES_SPECS, Spec

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "STRATEGIES_SPECS",
    "Archive",
    "BackupError",
    "Restored",
    "Spec",
    "build_backup",
    "read_archive",
    "restore_backup",
]
