"""Every bad plan file is refused with a clear message, and nothing is ever half-applied:
bad rows are listed with sheet, row, column and reason; bad files are refused as a whole."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from strategies.errors import DomainError
from strategies.hosts import resolve_hosts
from strategies.models import Year
from strategies.plan_excel import PlanFileError
from strategies.plan_export import export_plan
from strategies.services.plan_import import apply_import, preview_import
from tests import factories
from tests.plan_files import edited, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org, unit_a, unit_b):
    year = factories.make_year(org, 114, status=Year.Status.PLANNING)
    factories.make_item(year, hosts=[unit_a], title="辦理教育訓練")
    factories.make_item(year, hosts=[unit_b], dimension=2, title="")
    _, _, data = export_plan(year)
    return year, data


def _problems(org, data):
    preview = preview_import(organization=org, roc_year=114, data=data)
    return [(p.sheet, p.row, p.column, p.reason) for p in preview.problems], preview


def _refused_without_writing(org, data, match):
    before = snapshot()
    with pytest.raises(DomainError, match=match):
        apply_import(organization=org, roc_year=114, data=data, user=None)
    assert snapshot() == before


def test_the_plan_as_exported_has_no_problem(org, plan):
    problems, preview = _problems(org, plan[1])
    assert problems == []
    assert preview.unchanged == 2


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (
            lambda ws: setattr(ws["D3"], "value", "資訊室"),
            (3, 4),
            "主辦單位「資訊室」不是本機關的單位",
        ),
        (lambda ws: setattr(ws["A3"], "value", "(一)"), (3, 1), "缺少執行策略名稱"),
        (lambda ws: setattr(ws["B3"], "value", "1."), (3, 2), "缺少執行方法名稱"),
        (lambda ws: setattr(ws["J3"], "value", "九場"), (3, 10), "目標值「九場」不是數字"),
        (lambda ws: setattr(ws["J3"], "value", "-3"), (3, 10), "目標值不能是負數"),
        (lambda ws: [setattr(ws[c], "value", None) for c in ("D3", "G3")], (3, 4), "缺少主辦單位"),
        (lambda ws: setattr(ws["K3"], "value", "平均"), (3, 11), "彙總方式「平均」"),
        (
            lambda ws: setattr(ws["I3"], "value", "場次\n件"),
            (3, 9),
            "行數（2）與量化指標（1 行）不一致",
        ),
    ],
)
def test_a_bad_row_is_named_by_sheet_row_and_column(org, plan, change, where, reason):
    data = edited(plan[1], lambda wb: change(wb["構面一"]))
    problems, _ = _problems(org, data)
    assert len(problems) == 1, problems
    sheet, row, column, text = problems[0]
    assert (sheet, row, column) == ("構面一", *where)
    assert reason in text
    _refused_without_writing(org, data, "未匯入任何資料")


def test_a_duplicated_number_is_a_problem(org, plan):
    def change(wb):
        ws = wb["構面一"]
        ws["A4"], ws["B4"], ws["D4"] = "(一)另一個策略", "1.方法", "秘書室"

    problems, _ = _problems(org, edited(plan[1], change))
    assert problems == [("構面一", 4, 1, "執行策略編號「(一)」重複（第 3 列已使用）。")]


def test_a_wrong_sheet_and_a_missing_sheet_are_problems(org, plan):
    def change(wb):
        wb["構面五"].title = "第五構面"

    problems, _ = _problems(org, edited(plan[1], change))
    assert problems[0][:3] == ("第五構面", None, None)
    assert "工作表名稱應為「構面一」至「構面五」" in problems[0][3]
    assert problems[1] == ("構面五", None, None, "缺少工作表「構面五」。")
    _refused_without_writing(org, edited(plan[1], change), "缺少工作表")


def test_a_retired_unit_cannot_host(org, plan, unit_a):
    unit_a.is_active = False
    unit_a.save()
    problems, _ = _problems(
        org, edited(plan[1], lambda wb: wb["構面一"]["G3"].__setattr__("value", None))
    )
    assert problems == [("構面一", 3, 4, "主辦單位「度量衡科」已停用，不能擔任主辦單位。")]


def test_every_problem_is_listed_not_just_the_first(org, plan):
    def change(wb):
        ws = wb["構面一"]
        ws["D3"], ws["G3"], ws["J3"] = "資訊室", None, "abc"
        wb["構面二"]["A3"] = "(一)"

    problems, _ = _problems(org, edited(plan[1], change))
    assert [(p[0], p[1], p[2]) for p in problems] == [
        ("構面一", 3, 4),
        ("構面一", 3, 10),
        ("構面二", 3, 1),
    ]


def test_an_open_year_is_not_imported_into(org, plan):
    Year.objects.filter(pk=plan[0].pk).update(status=Year.Status.OPEN)
    problems, _ = _problems(org, plan[1])
    assert "只有規劃中的年度可以匯入計畫" in problems[0][3]
    _refused_without_writing(org, plan[1], "重新開放規劃")


# --- files refused as a whole -------------------------------------------------------------


def _refused_file(org, data, match):
    before = snapshot()
    with pytest.raises(PlanFileError, match=match):
        preview_import(organization=org, roc_year=114, data=data, filename="plan.xlsx")
    with pytest.raises(PlanFileError, match=match):
        apply_import(organization=org, roc_year=114, data=data, user=None)
    assert snapshot() == before


def test_an_oversized_file_is_refused(org, plan):
    _refused_file(org, plan[1] + b"\0" * (10 * 1024 * 1024), "超過上限 10 MB")


def test_a_file_that_is_not_excel_is_refused(org, plan):
    _refused_file(org, b"%PDF-1.7\n...", "不是 Excel 活頁簿")
    _refused_file(org, "執行策略,執行方法\n".encode(), "不是 Excel 活頁簿")


def test_a_damaged_workbook_is_refused(org, plan):
    _refused_file(org, plan[1][: len(plan[1]) // 2], "已損毀")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    _refused_file(org, out.getvalue(), "已損毀或不是有效的 Excel")


def test_a_password_protected_workbook_is_refused(org, plan, tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(plan[1])).encrypt("secret-123", encrypted)
    assert msoffcrypto.olefile.isOleFile(io.BytesIO(encrypted.getvalue()))
    _refused_file(org, encrypted.getvalue(), "密碼保護")


def test_an_old_xls_file_is_refused(org, plan):
    fake_xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le")
    _refused_file(org, fake_xls, "舊版 Excel")


def test_an_empty_workbook_names_every_missing_sheet(org, plan):
    workbook = Workbook()
    out = io.BytesIO()
    workbook.save(out)
    problems, _ = _problems(org, out.getvalue())
    assert [p[3] for p in problems][-5:] == [f"缺少工作表「構面{n}」。" for n in "一二三四五"]


# --- host names -----------------------------------------------------------------------------


def test_collective_host_names_resolve_to_real_units(org):
    units = [
        factories.make_unit(org, "秘書室", "secretariat", 1),
        factories.make_unit(org, "度量衡科", "section", 2),
        factories.make_unit(org, "報驗發證科", "section", 3),
        factories.make_unit(org, "金門辦事處", "office", 4),
        factories.make_unit(org, "澎湖辦事處", "office", 5),
        factories.make_unit(org, "研考", "other", 6),
    ]

    def names(label):
        found, unknown, retired = resolve_hosts(label, units)
        return [u.name for u in found], unknown

    assert names("各科、辦事處") == (["度量衡科", "報驗發證科", "金門辦事處", "澎湖辦事處"], [])
    assert names("各單位")[0] == [u.name for u in units]
    assert names("秘書室 度量衡科 金門、澎湖辦事處") == (
        ["秘書室", "度量衡科", "金門辦事處", "澎湖辦事處"],
        [],
    )
    assert names("報驗發證科 (各單位)")[0] == [u.name for u in units]
    assert names("各科") == (["度量衡科", "報驗發證科"], [])
    assert names("研考、資訊室") == (["研考"], ["資訊室"])
