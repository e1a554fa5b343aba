"""Every sheet's cell texts of a plan workbook: what two exports of a plan are compared by."""

import io

from openpyxl import load_workbook

from strategies.plan_excel import cell_text


def sheet_cells(data: bytes) -> dict[str, list[list[str]]]:
    """Merged cells read as blank."""
    workbook = load_workbook(io.BytesIO(data), data_only=True)
    return {
        ws.title: [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        for ws in workbook.worksheets
    }
