"""Writing a year's plan as a workbook in the report's layout (see strategies.plan_excel)."""

import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from strategies.models import Year
from strategies.plan_excel import (
    AGGREGATION_TEXT,
    CONTENT_TYPE,
    FIRST_DATA_ROW,
    HEADER,
    WIDTHS,
    cell_text,
)
from strategies.selectors.manage import plan_tree


def _number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}"


def plan_rows(year: Year) -> list[tuple[str, str, list[list]]]:  # type: ignore[type-arg]
    """(sheet name, title, rows of 12 cells) per dimension; rows carry spans as None below them."""
    out = []
    for d in plan_tree(year, include_retired=False):
        dim = d.dimension
        title = f"構面{dim.label}：{dim.name} ({_number_text(dim.max_score)} 分)"
        rows: list[list] = []  # type: ignore[type-arg]
        for s in d.strategies:
            for m in s.methods:
                texts = [f"{i.label}{i.item.title}".strip() for i in m.items]
                has_item_column = any(texts)
                heading = f"{m.label}{m.method.title}"
                m_text = f"{heading}\n{m.method.description}" if m.method.description else heading
                for position, (i, text) in enumerate(zip(m.items, texts, strict=True)):
                    inds = i.indicators
                    rows.append(
                        [
                            f"{s.label}{s.strategy.title}",
                            m_text if position == 0 else None,
                            text if has_item_column else None,
                            i.item.host_label,
                            i.item.planned_actions,
                            "",
                            "、".join(u.name for u in i.host_units),
                            "\n".join(x.name for x in inds),
                            "\n".join(x.measure for x in inds),
                            "\n".join(_number_text(x.target) for x in inds),
                            "\n".join(AGGREGATION_TEXT[x.aggregation] for x in inds),  # type: ignore[index]
                            "\n".join("是" if x.allows_decimals else "" for x in inds),
                            # bookkeeping for merges, dropped before writing:
                            has_item_column,
                            len(m.items) if position == 0 else 0,
                        ]
                    )
        out.append((d.sheet_name, title, rows))
    return out


def export_plan(year: Year) -> tuple[str, str, bytes]:
    """The year's plan (items in use) as a workbook: (filename, content type, bytes)."""
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name, title, rows in plan_rows(year):
        ws = workbook.create_sheet(sheet_name)
        ws.cell(1, 1, title).font = Font(bold=True, size=13)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        for column, text in enumerate(HEADER, start=1):
            cell = ws.cell(2, column, text or None)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEEEEE")
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.border = border
        ws.merge_cells(start_row=2, start_column=2, end_row=2, end_column=3)
        strategy_start = FIRST_DATA_ROW
        for offset, values in enumerate(rows):
            row = FIRST_DATA_ROW + offset
            *cells, has_item_column, method_span = values
            previous = rows[offset - 1][0] if offset else None
            if cells[0] != previous:
                strategy_start = row
            else:
                cells[0] = None
            for column, value in enumerate(cells, start=1):
                cell = ws.cell(row, column)
                if value is not None and value != "":
                    cell.value = value
                    cell.data_type = "s"  # text stays text, whatever it starts with
                    if value[:1] in "=+-@":
                        cell.quotePrefix = True
                cell.alignment = wrap
                cell.border = border
            if method_span:
                last = 2 if has_item_column else 3
                ws.merge_cells(
                    start_row=row, start_column=2, end_row=row + method_span - 1, end_column=last
                )
            next_strategy = rows[offset + 1][0] if offset + 1 < len(rows) else None
            if next_strategy != values[0] and row > strategy_start:
                ws.merge_cells(start_row=strategy_start, start_column=1, end_row=row, end_column=1)
        for column, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.freeze_panes = "A3"
        ws.print_title_rows = "1:2"
        ws.page_setup.orientation = "landscape"
    buffer = io.BytesIO()
    workbook.save(buffer)
    filename = f"{year.organization.code}-{year.roc_year}-plan.xlsx"
    return filename, CONTENT_TYPE, buffer.getvalue()


def sheet_cells(data: bytes) -> dict[str, list[list[str]]]:
    """Every sheet's cell texts (merged cells read as blank): what two exports are compared by."""
    workbook = load_workbook(io.BytesIO(data), data_only=True)
    return {
        ws.title: [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        for ws in workbook.worksheets
    }
