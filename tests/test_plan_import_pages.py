"""Plan import and export from the admin pages, and the import_plan command."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from scoring.models import GradeBands, ScoreSheet
from strategies.models import Item, Year
from strategies.plan_export import export_plan
from tests import factories
from tests.plan_files import edited, snapshot
from tests.plan_workbook_cells import sheet_cells

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def planning(org, unit_a, unit_b):
    year = factories.make_year(org, 114, status=Year.Status.PLANNING)
    factories.make_item(year, hosts=[unit_a], title="辦理教育訓練")
    factories.make_item(year, hosts=[unit_b], dimension=2)
    return year


def _upload(data, name="plan.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_export_downloads_the_plan(client, admin_user, planning):
    client.force_login(admin_user)
    response = client.get(reverse("manage:plan-export", args=[planning.pk]))
    assert response["Content-Type"] == XLSX
    assert 'filename="khh-114-plan.xlsx"' in response["Content-Disposition"]
    cells = sheet_cells(response.content)
    assert cells["構面一"][2][3] == "度量衡科"


def test_export_and_import_are_for_the_admin_only(client, staff_a, outsider, planning):
    client.force_login(staff_a)
    assert client.get(reverse("manage:plan-export", args=[planning.pk])).status_code == 403
    assert client.get(reverse("manage:plan-import", args=[planning.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("manage:plan-export", args=[planning.pk])).status_code == 404
    assert client.post(reverse("manage:plan-import-apply", args=[planning.pk])).status_code == 404


def test_preview_then_apply(client, admin_user, planning):
    _, _, data = export_plan(planning)
    changed = edited(data, lambda wb: wb["構面一"]["E3"].__setattr__("value", "年度辦理 12 場次"))
    client.force_login(admin_user)
    url = reverse("manage:plan-import", args=[planning.pk])
    before = snapshot()
    response = client.post(url, {"file": _upload(changed)})
    page = response.content.decode()
    assert "修改 1" in page and "具體作法" in page
    assert snapshot() == before  # the preview wrote nothing
    token = response.context["token"]
    response = client.post(
        reverse("manage:plan-import-apply", args=[planning.pk]), {"token": token}, follow=True
    )
    assert "已匯入計畫檔：新增 0、修改 1、停用 0 項" in response.content.decode()
    item = Item.objects.get(title="辦理教育訓練")
    assert item.planned_actions == "年度辦理 12 場次"
    assert item.history.first().history_user == admin_user


def test_preview_shows_each_bad_row_and_offers_no_apply(client, admin_user, planning):
    _, _, data = export_plan(planning)
    bad = edited(data, lambda wb: wb["構面一"]["J3"].__setattr__("value", "九場"))
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:plan-import", args=[planning.pk]), {"file": _upload(bad)}
    )
    page = response.content.decode()
    assert "問題 1 個" in page
    assert "<td>構面一</td><td>3</td><td>J（目標值）</td>" in page
    assert "目標值「九場」不是數字" in page
    assert "確認匯入" not in page


def test_a_non_excel_upload_is_refused_clearly(client, admin_user, planning):
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:plan-import", args=[planning.pk]),
        {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.7", content_type="application/pdf")},
    )
    assert response.status_code == 400
    assert "不是 Excel 活頁簿" in response.content.decode()


def test_apply_without_a_preview_is_refused(client, admin_user, planning):
    client.force_login(admin_user)
    before = snapshot()
    response = client.post(
        reverse("manage:plan-import-apply", args=[planning.pk]), {"token": "forged"}, follow=True
    )
    assert "請重新上傳計畫檔" in response.content.decode()
    assert snapshot() == before


def test_command_dry_run_then_apply_into_a_new_year(org, planning, tmp_path):
    _, _, data = export_plan(planning)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data)
    out = StringIO()
    call_command("import_plan", str(path), org="khh", year=115, stdout=out)
    assert "新增 6、修改 0、停用 0 項" in out.getvalue()
    assert "未寫入" in out.getvalue()
    assert not Year.objects.filter(roc_year=115).exists()
    call_command("import_plan", str(path), org="khh", year=115, apply=True, stdout=out)
    year = Year.objects.get(organization=org, roc_year=115)
    assert Item.objects.filter(method__strategy__dimension__year=year).count() == 2
    assert GradeBands.objects.filter(year=year).exists()
    assert ScoreSheet.objects.filter(year=year).exists()


def test_command_refuses_a_bad_file_and_prints_where(org, planning, tmp_path):
    _, _, data = export_plan(planning)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(edited(data, lambda wb: wb["構面一"]["D3"].__setattr__("value", "資訊室")))
    err = StringIO()
    before = snapshot()
    with pytest.raises(CommandError, match="1 個問題"):
        call_command("import_plan", str(path), org="khh", year=115, apply=True, stderr=err)
    assert "工作表「構面一」第 3 列 D（主辦單位） 欄" in err.getvalue()
    assert snapshot() == before
    with pytest.raises(CommandError, match="找不到代碼"):
        call_command("import_plan", str(path), org="nope", year=115)


def test_an_oversized_upload_is_refused_before_it_is_read(client, admin_user, planning):
    client.force_login(admin_user)
    big = SimpleUploadedFile(
        "plan.xlsx", b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024), content_type=XLSX
    )
    before = snapshot()
    response = client.post(reverse("manage:plan-import", args=[planning.pk]), {"file": big})
    assert response.status_code == 400
    assert "超過上限 10 MB" in response.content.decode()
    assert snapshot() == before
