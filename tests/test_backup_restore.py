"""Backup and restore of one organization-year: versioned, compressed, checksummed; an exact
round trip into a database holding other organizations (and into a fresh SQLite or PostgreSQL
database); a damaged archive is refused without writing anything."""

import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from scoring.backup_specs import ALL_SPECS
from scoring.models import DimensionScore, ScoreSheet
from strategies.backup import BackupError, build_backup, read_archive, restore_backup
from strategies.errors import DomainError
from strategies.models import (
    EntryComment,
    Evidence,
    IndicatorValue,
    Item,
    Membership,
    MonthLock,
    MonthlyEntry,
    Organization,
    Unit,
    Year,
)
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()
EVIDENCE = b"%PDF-1.4 evidence of 11 sessions\n"


@pytest.fixture
def filled(org, unit_a, unit_b, staff_a, head_a, admin_user, year, item):
    """Year 113 with an approved entry, a value, a comment, an evidence file, a lock, scores."""
    import hashlib

    entry = MonthlyEntry.objects.create(
        item=item,
        unit=unit_a,
        month=1,
        narrative="辦理教育訓練 1 場次",
        status=MonthlyEntry.Status.APPROVED,
        created_by=staff_a,
        updated_by=head_a,
    )
    IndicatorValue.objects.create(entry=entry, indicator=item.indicators.get(), value=Decimal(1))
    EntryComment.objects.create(entry=entry, author=head_a, body="請補佐證")
    evidence = Evidence(
        entry=entry,
        original_name="簽到表.pdf",
        content_type="application/pdf",
        size=len(EVIDENCE),
        sha256=hashlib.sha256(EVIDENCE).hexdigest(),
        uploaded_by=staff_a,
    )
    evidence.file.save("簽到表.pdf", ContentFile(EVIDENCE), save=True)
    MonthLock.objects.create(year=year, month=1, locked_by=admin_user)
    dim = year.dimensions.get(number=1)
    DimensionScore.objects.create(dimension=dim, round="self", score=184, updated_by=admin_user)
    ScoreSheet.objects.filter(year=year).update(
        assessed_by="高雄分局", assessed_roc_year=114, assessed_month=1
    )
    factories.make_item(year, hosts=[unit_b], dimension=3, title="第二項")
    return year


def _move_aside(org):
    """Rename the organization and its users, so the backup restores next to them as new rows."""
    Organization.objects.filter(pk=org.pk).update(code="khh-old", short_name="舊高雄分局")
    for membership in Membership.objects.filter(organization=org).select_related("user"):
        User.objects.filter(pk=membership.user_id).update(
            username=membership.user.username + "-old"
        )


def _data(archive: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(archive)).read("data.json")


def _rezip(archive: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(archive))
    members = {name: source.read(name) for name in source.namelist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, body in members.items():
            target.writestr(name, body)
    return out.getvalue()


def _db_state():
    return (
        Organization.objects.count(),
        Year.objects.count(),
        Item.objects.count(),
        MonthlyEntry.objects.count(),
        User.objects.count(),
        Unit.objects.count(),
        sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()),
    )


def test_the_archive_is_versioned_compressed_and_checksummed(org, filled):
    archive = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert names[:2] == ["manifest.json", "manifest.sha256"]
    assert "data.json" in names and "files/evidence-1" in names
    checked = read_archive(archive)
    manifest = checked.manifest
    assert (manifest["format"], manifest["format_version"]) == ("perfreport-backup", 1)
    assert (manifest["organization"], manifest["roc_year"]) == ("khh", 113)
    assert manifest["counts"]["item"] == 2
    assert manifest["counts"]["evidence"] == 1
    assert manifest["counts"]["dimension_score"] == 1
    assert checked.files["files/evidence-1"] == EVIDENCE
    assert all(
        zipfile.ZipFile(io.BytesIO(archive)).getinfo(n).compress_type == zipfile.ZIP_DEFLATED
        for n in names
    )


def test_exact_round_trip_into_a_database_holding_other_organizations(
    org, other_org, filled, admin_user
):
    from strategies.services import year_end
    from strategies.services.years import set_year_status

    # Closing needs an explanation for the items short of their targets, and their year-end
    # texts approved or accepted (the accepted state and its reason go through the archive).
    Item.objects.filter(method__strategy__dimension__year=filled).update(
        shortfall_note="年度目標未達，已檢討原因。"
    )
    for item in Item.objects.filter(method__strategy__dimension__year=filled):
        year_end.accept_text(user=admin_user, item=item, reason="年度結算前確認")
    set_year_status(year=filled, status="closed", user=admin_user)
    set_year_status(year=filled, status="open", user=admin_user, reason="補登 12 月資料")
    first = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    factories.make_year(other_org, 113)  # another branch's data, with its own keys
    _move_aside(org)
    # The operator trusts their own backup: admin passwords come back too, so bytes match.
    restored = restore_backup(content=first, specs=ALL_SPECS, keep_admin_passwords=True)
    new_org = Organization.objects.get(code="khh")
    assert new_org.pk != org.pk
    assert restored.year.organization == new_org
    second = build_backup(organization=new_org, roc_year=113, specs=ALL_SPECS)
    assert _data(second) == _data(first)  # byte for byte, keys and all
    entry = MonthlyEntry.objects.get(item__method__strategy__dimension__year=restored.year)
    original = MonthlyEntry.objects.get(item__method__strategy__dimension__year=filled)
    assert entry.updated_at == original.updated_at
    evidence = Evidence.objects.get(entry=entry)
    with evidence.file.open("rb") as handle:
        assert handle.read() == EVIDENCE
    staff = User.objects.get(username="staff_a")
    assert staff.check_password(factories.PASSWORD)  # restored members can sign in
    # The audit trail comes along: who reopened the year and why, who changed each item.
    trail = restored.year.history.order_by("history_date", "history_id")
    assert [(h.status, h.history_change_reason) for h in trail][-2:] == [
        ("closed", "填報中 → 已結束填報"),
        ("open", "補登 12 月資料"),
    ]
    assert trail.last().history_user == User.objects.get(username="admin_user")
    item = Item.objects.filter(method__strategy__dimension__year=restored.year).first()
    old_item = Item.objects.filter(method__strategy__dimension__year=filled).first()
    assert item.history.count() == old_item.history.count() >= 1
    assert [link.unit.name for link in item.history.first().host_units.all()] == [
        link.unit.name for link in old_item.history.first().host_units.all()
    ]


def test_a_damaged_archive_is_refused_without_writing(org, filled):
    archive = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    _move_aside(org)
    before = _db_state()
    flipped = _rezip(
        archive,
        lambda m: m.update(
            {"data.json": m["data.json"].replace(b"\xe8\xbe\xa6", b"\xe8\xbe\xa7", 1)}
        ),
    )
    cases = {
        "checksum": (flipped, "校驗碼不符"),
        "evidence": (
            _rezip(archive, lambda m: m.update({"files/evidence-1": b"tampered"})),
            "校驗碼不符",
        ),
        "manifest": (_rezip(archive, lambda m: m.update({"manifest.sha256": b"0" * 64})), "清單"),
        "missing": (_rezip(archive, lambda m: m.pop("files/evidence-1")), "缺少"),
        "truncated": (archive[: len(archive) // 2], "已損毀"),
        "not a zip": (b"just text", "已損毀或不是 zip"),
        "extra": (_rezip(archive, lambda m: m.update({"evil.sh": b"rm -rf /"})), "清單以外"),
    }
    for name, (content, message) in cases.items():
        with pytest.raises(BackupError, match=message):
            restore_backup(content=content, specs=ALL_SPECS)
        assert _db_state() == before, name


def test_a_newer_format_is_refused(org, filled):
    archive = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)

    def bump(members):
        import hashlib

        manifest = json.loads(members["manifest.json"])
        manifest["format_version"] = 99
        body = json.dumps(manifest).encode()
        members["manifest.json"] = body
        members["manifest.sha256"] = hashlib.sha256(body).hexdigest().encode()

    with pytest.raises(BackupError, match="請先更新系統"):
        restore_backup(content=_rezip(archive, bump), specs=ALL_SPECS)


def test_an_existing_year_is_not_overwritten(org, filled):
    archive = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    before = _db_state()
    with pytest.raises(BackupError, match="已有 113 年度"):
        restore_backup(content=archive, specs=ALL_SPECS)
    assert _db_state() == before


def test_a_username_of_another_branch_stops_the_restore_and_leaves_no_files(org, other_org, filled):
    archive = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    _move_aside(org)
    factories.make_user(
        "staff_a", other_org, Membership.Role.STAFF, factories.make_unit(other_org, "秘書室")
    )
    before = _db_state()
    with pytest.raises(BackupError, match="帳號「staff_a」已屬於臺北分局"):
        restore_backup(content=archive, specs=ALL_SPECS)
    assert _db_state() == before


def test_a_headquarters_user_named_in_the_archive_is_reused_not_refused(org, filled, hq_auditor):
    from scoring.models import ScoreSheet as Sheet

    Sheet.objects.filter(year=filled).update(signed_off_by=hq_auditor)
    archive = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    _move_aside(org)
    restored = restore_backup(content=archive, specs=ALL_SPECS)
    assert Sheet.objects.get(year=restored.year).signed_off_by == hq_auditor
    assert User.objects.filter(username="hq_auditor").count() == 1


def test_restore_next_year_into_the_same_organization_links_copied_items(org, filled, admin_user):
    from scoring.year_setup import copy_year_with_scoring

    copy_year_with_scoring(organization=org, from_roc_year=113, to_roc_year=114, user=admin_user)
    y114 = build_backup(organization=org, roc_year=114, specs=ALL_SPECS)
    Year.objects.filter(organization=org, roc_year=114).delete()
    restored = restore_backup(content=y114, specs=ALL_SPECS)
    copied = Item.objects.filter(method__strategy__dimension__year=restored.year)
    assert {i.copied_from.method.strategy.dimension.year.roc_year for i in copied} == {113}


def test_commands(org, filled, tmp_path):
    out = StringIO()
    target = tmp_path / "khh-113.zip"
    call_command("backup", org="khh", year=113, output=str(target), stdout=out)
    assert "已備份 高雄分局 113 年度" in out.getvalue()
    assert read_archive(target.read_bytes()).manifest["roc_year"] == 113
    with pytest.raises(CommandError, match="沒有 120 年度"):
        call_command("backup", org="khh", year=120, output=str(tmp_path / "x.zip"))
    _move_aside(org)
    call_command("restore", str(target), stdout=out)
    assert "已還原" in out.getvalue()
    target.write_bytes(b"garbage")
    with pytest.raises(CommandError, match="已損毀"):
        call_command("restore", str(target))


# --- across databases: a subprocess with its own DATABASE_URL -------------------------------


def _manage(database_url: str, media: Path, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PERFREPORT_TESTING": "1",
        "MEDIA_ROOT": str(media),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _postgres_url() -> str | None:
    psycopg = pytest.importorskip("psycopg")
    base = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"perfreport_restore_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(
            base.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return base.rsplit("/", 1)[0] + "/" + name


def _drop_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_into_the_other_database_engine_is_exact(org, filled, tmp_path):
    """Made on this test database (SQLite by default), restored into a fresh PostgreSQL database
    (or, when the suite runs on PostgreSQL, into a fresh SQLite file), then backed up again
    there: the same data, byte for byte."""
    archive = tmp_path / "khh-113.zip"
    first = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    archive.write_bytes(first)
    if connection.vendor == "sqlite":
        url = _postgres_url()
        if url is None:
            pytest.skip("PostgreSQL is not reachable")
    else:
        url = f"sqlite:///{tmp_path / 'restore.sqlite3'}"
    try:
        _manage(url, tmp_path / "media2", "migrate", "--noinput", "-v0")
        assert "已還原" in _manage(
            url, tmp_path / "media2", "restore", "--keep-admin-passwords", str(archive)
        )
        again = tmp_path / "again.zip"
        _manage(
            url,
            tmp_path / "media2",
            "backup",
            "--org",
            "khh",
            "--year",
            "113",
            "--output",
            str(again),
        )
        assert _data(again.read_bytes()) == _data(first)
        stored = list((tmp_path / "media2").rglob("*.pdf"))
        assert [p.read_bytes() for p in stored] == [EVIDENCE]
    finally:
        if url.startswith("postgres"):
            _drop_postgres(url)


def test_a_missing_evidence_file_stops_the_backup_clearly(org, filled):
    evidence = Evidence.objects.get()
    evidence.file.storage.delete(evidence.file.name)
    with pytest.raises(DomainError, match="在儲存區找不到"):
        build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
