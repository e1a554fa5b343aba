"""A plan file is read within hard limits (sheets, rows, columns, cells, zip members and their
inflated sizes), checked before any work: a hostile file of a few KB is refused with a message
naming the limit, at a small and bounded cost in memory, on the upload page and by the command.
"""

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from strategies import plan_excel
from strategies.plan_excel import PlanFileError, read_workbook
from strategies.services.plan_import import preview_import
from tests import hostile_files
from tests.plan_files import snapshot

pytestmark = pytest.mark.django_db

PEAK_LIMIT = 100 * 1024 * 1024

HOSTILE = [
    ("one-cell-at-the-last-row", hostile_files.one_cell_at_the_last_row, "超過每個工作表 5,000 列"),
    (
        "false-dimension",
        hostile_files.last_row_hidden_by_a_false_dimension,
        "到第 1,048,576 列，超過每個工作表 5,000 列",
    ),
    ("last-column", hostile_files.one_cell_in_the_last_column, "超過每個工作表 64 欄"),
    ("too-many-sheets", hostile_files.too_many_sheets, "工作表超過 20 個"),
    ("too-many-cells", hostile_files.too_many_cells, "儲存格超過 200,000 個"),
    ("too-many-elements", hostile_files.too_many_elements, "XML 元素超過 1,000,000 個"),
    ("zip-bomb", hostile_files.zip_bomb, "超過上限 20.0 MB"),
    ("many-members", hostile_files.many_members, "超過上限 500 個"),
    (
        "directory-larger-than-its-count",
        hostile_files.directory_larger_than_its_count,
        "超過上限 500 個",
    ),
]


@pytest.mark.parametrize(("name", "build", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_is_refused_naming_the_limit(name, build, message):
    data = build()
    assert len(data) < 2 * 1024 * 1024  # small files, each
    with pytest.raises(PlanFileError, match=message):
        read_workbook(data, "plan.xlsx")


@pytest.mark.parametrize(("name", "build", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_refusing_a_hostile_file_costs_little_memory(org, name, build, message):
    data = build()
    # Refused by the file check alone first: where it is not, the import below would really
    # spend the gigabytes this test guards against.
    with pytest.raises(PlanFileError):
        read_workbook(data, "plan.xlsx")
    before = snapshot()
    tracemalloc.start()
    try:
        with pytest.raises(PlanFileError, match=message):
            preview_import(organization=org, roc_year=114, data=data, filename="plan.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, f"{name}: peak {peak / 1024 / 1024:.1f} MB"
    assert snapshot() == before


def test_the_upload_page_refuses_the_one_cell_file(client, year, admin_user):
    client.force_login(admin_user)
    data = hostile_files.one_cell_at_the_last_row()
    response = client.post(
        reverse("manage:plan-import", args=[year.pk]),
        {"file": SimpleUploadedFile("plan.xlsx", data)},
    )
    assert response.status_code == 400
    assert "超過每個工作表 5,000 列" in response.content.decode()


def test_a_sheet_at_the_limits_is_still_read(org):
    """Rows up to the limit are read; nothing past the real extent is created."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    ws = workbook.create_sheet("構面一")
    ws.cell(1, 1, "構面一：基礎服務 (200 分)")
    ws.cell(plan_excel.MAX_ROWS, 1, "(一) 最後一列的策略")
    out = io.BytesIO()
    workbook.save(out)
    parsed = plan_excel.read_plan(out.getvalue())
    dimension = parsed.dimensions[0]
    assert [s.title for s in dimension.strategies] == ["最後一列的策略"]
    assert any(p.row == plan_excel.MAX_ROWS for p in parsed.problems)
