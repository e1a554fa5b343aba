"""Writing a year's plan as a workbook in the report's layout (see strategies.plan_excel)."""

from dataclasses import dataclass

from strategies import number_format
from strategies.models import Year
from strategies.plan_excel import (
    AGGREGATION_TEXT,
    CONTENT_TYPE,
    FIRST_DATA_ROW,
    HEADER,
    WIDTHS,
)
from strategies.selectors.manage import plan_tree
from strategies.workbook import Properties, Sheet, write_xlsx


@dataclass
class PlanRow:
    """One item's row: its 12 cells (None under a merged cell) and how to merge them."""

    cells: list[str | None]
    has_item_column: bool
    method_span: int  # rows the method's cell spans, on the method's first row (else 0)


def plan_rows(year: Year) -> list[tuple[str, str, list[PlanRow]]]:
    """(sheet name, title, rows of 12 cells) per dimension; rows carry spans as None below them."""
    out = []
    for d in plan_tree(year, include_retired=False):
        dim = d.dimension
        title = f"構面{dim.label}：{dim.name} ({number_format.plain(dim.max_score)} 分)"
        rows: list[PlanRow] = []
        for s in d.strategies:
            for m in s.methods:
                texts = [f"{i.label}{i.item.title}".strip() for i in m.items]
                has_item_column = any(texts)
                heading = f"{m.label}{m.method.title}"
                m_text = f"{heading}\n{m.method.description}" if m.method.description else heading
                for position, (i, text) in enumerate(zip(m.items, texts, strict=True)):
                    inds = i.indicators
                    rows.append(
                        PlanRow(
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
                                "\n".join(number_format.plain(x.target) for x in inds),
                                "\n".join(AGGREGATION_TEXT[x.aggregation] for x in inds),
                                "\n".join("是" if x.allows_decimals else "" for x in inds),
                            ],
                            has_item_column=has_item_column,
                            method_span=len(m.items) if position == 0 else 0,
                        )
                    )
        out.append((d.sheet_name, title, rows))
    return out


def export_plan(year: Year) -> tuple[str, str, bytes]:
    """The year's plan (items in use) as a workbook: (filename, content type, bytes)."""
    sheets = []
    for sheet_name, title, rows in plan_rows(year):
        sheet = Sheet(name=sheet_name, widths=list(WIDTHS), header_rows=2)
        sheet.put(1, 1, title, "title")
        sheet.merge(1, 1, 1, 6)
        for column, text in enumerate(HEADER, start=1):
            sheet.put(2, column, text or None, "header")
        sheet.merge(2, 2, 2, 3)
        strategy_start = FIRST_DATA_ROW
        for offset, plan_row in enumerate(rows):
            row = FIRST_DATA_ROW + offset
            cells = list(plan_row.cells)
            has_item_column, method_span = plan_row.has_item_column, plan_row.method_span
            previous = rows[offset - 1].cells[0] if offset else None
            if cells[0] != previous:
                strategy_start = row
            else:
                cells[0] = None
            for column, value in enumerate(cells, start=1):
                sheet.put(row, column, value or None)
            if method_span:
                sheet.merge(row, 2, row + method_span - 1, 2 if has_item_column else 3)
            next_strategy = rows[offset + 1].cells[0] if offset + 1 < len(rows) else None
            if next_strategy != plan_row.cells[0] and row > strategy_start:
                sheet.merge(strategy_start, 1, row, 1)
        sheets.append(sheet)
    roc_year = str(year.roc_year)
    content = write_xlsx(
        sheets,
        Properties(
            title=f"{year.organization.name} {roc_year} 年度提升服務效能計畫",
            organization=year.organization.name,
            year=roc_year,
        ),
    )
    filename = f"{year.organization.code}-{year.roc_year}-plan.xlsx"
    return filename, CONTENT_TYPE, content
