"""A backup archive is a file anyone can write (its checksums are not a signature): restoring one
never hands out an admin account, never stores a file the upload would refuse, and anything
malformed or over a limit is one clean line, with nothing written."""

import hashlib
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from scoring.backup_specs import ALL_SPECS
from strategies.backup import BackupError, build_backup, restore_backup
from strategies.models import Evidence
from tests import factories, hostile_files
from tests.test_backup_restore import _db_state, _move_aside, filled  # noqa: F401

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def archive(org, filled):  # noqa: F811
    content = build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    _move_aside(org)
    return content


def _restore_command(tmp_path, content: bytes, *flags: str) -> str:
    path = tmp_path / "backup.zip"
    path.write_bytes(content)
    out = StringIO()
    call_command("restore", *flags, str(path), stdout=out)
    return out.getvalue()


def _refused(tmp_path, content: bytes) -> str:
    """The command's one line; nothing written."""
    before = _db_state()
    path = tmp_path / "backup.zip"
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), stdout=StringIO())
    assert _db_state() == before
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_restored_admin_account_gets_no_password_from_the_archive(archive, tmp_path):
    output = _restore_command(tmp_path, archive)
    admin = User.objects.get(username="admin_user")
    assert not admin.has_usable_password()
    assert not admin.is_superuser and not admin.is_staff
    assert "管理者帳號 admin_user 未沿用備份檔中的密碼" in output
    staff = User.objects.get(username="staff_a")
    assert staff.check_password(factories.PASSWORD)  # other members sign in as before


def test_the_operator_may_keep_admin_passwords_explicitly(archive, tmp_path):
    output = _restore_command(tmp_path, archive, "--keep-admin-passwords")
    assert User.objects.get(username="admin_user").check_password(factories.PASSWORD)
    assert "未沿用" not in output


def test_an_archive_cannot_make_a_superuser(archive):
    def promote(data):  # type: ignore[no-untyped-def]
        for row in data["user"]:
            row.update(is_superuser=True, is_staff=True)

    restore_backup(content=hostile_files.forged_backup(archive, promote), specs=ALL_SPECS)
    assert not User.objects.filter(is_superuser=True, username__in=["staff_a", "admin_user"])
    assert not User.objects.filter(is_staff=True, username__in=["staff_a", "admin_user"])


def test_evidence_the_upload_would_refuse_is_refused(archive, tmp_path):
    def as_html(data):  # type: ignore[no-untyped-def]
        row = data["evidence"][0]
        row.update(original_name="page.html", content_type="text/html", sha256=HTML_SHA)

    HTML = b"<html><script>alert(1)</script></html>"
    HTML_SHA = hashlib.sha256(HTML).hexdigest()
    forged = hostile_files.forged_backup(archive, as_html, {"files/evidence-1": HTML})
    assert "不是可接受的檔案類型" in _refused(tmp_path, forged)


def test_evidence_whose_recorded_type_lies_is_refused(archive, tmp_path):
    forged = hostile_files.forged_backup(
        archive, lambda d: d["evidence"][0].update(content_type="text/html")
    )
    assert "紀錄的類型「text/html」與內容（application/pdf）不符" in _refused(tmp_path, forged)


def test_an_archived_file_name_never_reaches_the_filesystem(archive, settings):
    forged = hostile_files.forged_backup(
        archive, lambda d: d["evidence"][0].update(original_name="../../../x.pdf")
    )
    restore_backup(content=forged, specs=ALL_SPECS)
    evidence = Evidence.objects.get(original_name="../../../x.pdf")
    assert ".." not in evidence.file.name
    assert evidence.file.name.startswith("evidence/")
    assert evidence.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["year"].update(status="archived"), "年度狀態「archived」不是可用的值"),
        (lambda d: d["year"].update(roc_year="一一三"), "roc_year 應為整數"),
        (lambda d: d["unit"][0].pop("name"), "缺少欄位 'name'"),
        (lambda d: d["unit"][0].update(kind=["section"]), "備份檔內容不合規則"),
    ],
    ids=["year-status", "roc-year-text", "missing-key", "wrong-type"],
)
def test_malformed_data_is_one_clean_line(archive, tmp_path, change, message):
    assert message in _refused(tmp_path, hostile_files.forged_backup(archive, change))


def test_deep_nesting_is_one_clean_line(archive, tmp_path):
    def nest(data):  # type: ignore[no-untyped-def]
        data["year"]["note"] = json.loads(hostile_files.moderately_nested_json(60))

    assert "巢狀層次超過 16 層" in _refused(tmp_path, hostile_files.forged_backup(archive, nest))
    deep = hostile_files.forged_backup(
        archive, members={"data.json": hostile_files.deeply_nested_json()}
    )
    assert "巢狀層次超過 16 層" in _refused(tmp_path, deep)


def test_a_parent_directory_member_name_is_one_clean_line(archive, tmp_path):
    forged = hostile_files.forged_backup(
        archive, members={"../../etc/cron.d/x": b"* * * * * root true"}
    )
    assert "不該有的成員名稱「../../etc/cron.d/x」" in _refused(tmp_path, forged)


def test_a_member_over_its_declared_limit_is_refused_before_it_is_read(archive, tmp_path, settings):
    settings.EVIDENCE_MAX_BYTES = 16  # the archived file has 33 bytes
    assert "「files/evidence-1」解壓縮後有" in _refused(tmp_path, archive)


def test_a_zip_bomb_member_is_refused_by_its_declared_size(tmp_path):
    bomb = hostile_files.inflating_member("data.json", 210 * 1024 * 1024)
    with pytest.raises(BackupError, match="「data.json」解壓縮後有 210.0 MB，超過上限 200.0 MB"):
        restore_backup(content=bomb, specs=ALL_SPECS)
