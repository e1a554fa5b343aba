"""A large year's PDF in bounded parts: WeasyPrint keeps every laid-out page of a document in
memory until it is written (1.2 GB for a year at 100x the seed), so a report of more than
`settings.PDF_PART_ROWS` table rows is rendered a part at a time, each part's PDF written to a
temporary file and its layout freed, and the parts are joined into one PDF (pdf_join.py).

A part is a run of the document's sections (the cover, a dimension's table, the score sheet)
of at most PDF_PART_ROWS rows; a dimension larger than that is cut between two strategies
(a strategy's cells span its rows), and its continuation starts a page with the table's header
row, as a page break inside the table would. Every section starts a page in the seed's layout,
so a cut between sections changes nothing on the page.

The running header (the draft or version mark) and the footer 「第 X 頁，共 Y 頁」 (none on the
cover) need the whole document's page count: the parts are laid out without them, then the
report's own @page rules are rendered on as many empty pages (`page_furniture.html`, in runs
of FURNITURE_PAGES with the total filled in) and stamped onto the joined pages as artifacts.
"""

import gc
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal

import weasyprint

from perfreport.reports.exporters.base import Progress
from perfreport.reports.exporters.html import (
    render_document,
    render_page_furniture,
    stylesheet,
)
from perfreport.reports.exporters.pdf import ARCHIVAL_OPTIONS, archival_document
from perfreport.reports.exporters.pdf_join import join
from perfreport.reports.selectors import DimensionData, ReportData, Row

SectionKind = Literal["cover", "dimension", "scores"]


@dataclass(frozen=True)
class Section:
    """The cover, the score sheet, or a dimension's table (all its rows or a run of them)."""

    kind: SectionKind
    dimension: DimensionData | None = None
    rows: list[Row] = field(default_factory=list)
    continued: bool = False  # a dimension's rows after the first part: no heading

    @property
    def size(self) -> int:
        return max(len(self.rows), 1)


@dataclass(frozen=True)
class Part:
    """The sections one WeasyPrint render lays out."""

    sections: list[Section]
    first: bool

    @property
    def rows(self) -> int:
        return sum(section.size for section in self.sections)


def _dimension_sections(dimension: DimensionData, max_rows: int) -> Iterator[Section]:
    """The dimension's table, cut between strategies into runs of at most max_rows rows (a
    strategy of more rows stays whole)."""
    runs: list[list[Row]] = [[]]
    for row in dimension.rows:
        if (
            row.strategy is not None
            and runs[-1]
            and len(runs[-1]) + row.strategy_rowspan > max_rows
        ):
            runs.append([])
        runs[-1].append(row)
    for n, rows in enumerate(runs):
        yield Section("dimension", dimension, rows, continued=n > 0)


def split(data: ReportData, max_rows: int) -> list[Part]:
    """The document's sections in order, grouped into parts of at most max_rows rows (one part
    for a year of that size or less)."""
    sections = [
        Section("cover"),
        *(s for d in data.dimensions for s in _dimension_sections(d, max_rows)),
        Section("scores"),
    ]
    groups: list[list[Section]] = [[]]
    size = 0
    for section in sections:
        if groups[-1] and size + section.size > max_rows:
            groups.append([])
            size = 0
        groups[-1].append(section)
        size += section.size
    return [Part(sections, first=n == 0) for n, sections in enumerate(groups)]


def render_joined(
    data: ReportData,
    parts: list[Part],
    stream: BinaryIO,
    *,
    title: str,
    author: str,
    about: str,
    created: datetime,
    progress: Progress | None = None,
) -> None:
    """Render each part to a temporary file (one layout in memory at a time), then write the
    joined PDF to `stream`; `progress` is told after each part."""
    with tempfile.TemporaryDirectory(prefix="perfreport-pdf-") as folder:
        paths = []
        pages = 0
        for n, part in enumerate(parts):
            document = archival_document(
                render_document(data, part=part),
                title=title,
                author=author,
                about=about,
                created=created,
            )
            pages += len(document.pages)
            path = Path(folder) / f"part-{n:04d}.pdf"
            document.write_pdf(path, **ARCHIVAL_OPTIONS)
            # The part's layout, freed before the next part is laid out (its boxes hold
            # reference cycles: without a collection each part's stays until much later).
            del document
            gc.collect()
            paths.append(path)
            if progress is not None:
                progress(n + 1, len(parts))
        furniture = []
        for start in range(0, pages, FURNITURE_PAGES):
            path = Path(folder) / f"furniture-{start:06d}.pdf"
            html = render_page_furniture(
                data, min(FURNITURE_PAGES, pages - start), furniture_css(start + 1, pages)
            )
            weasyprint.HTML(string=html).write_pdf(path)
            gc.collect()
            furniture.append(path)
        join(paths, furniture, stream)


# Pages of furniture laid out in one render: WeasyPrint keeps ~0.13 MB per page until written.
FURNITURE_PAGES = 200
_FOOTER = re.compile(r"@bottom-center\s*\{\s*content:\s*([^;]*counter\(pages\)[^;]*);")


def furniture_css(first_page: int, total: int) -> str:
    """The report's own footer rule (report.css) with the total filled in, and the page
    counter starting at `first_page`: a run of the joined file's pages laid out on its own."""
    match = _FOOTER.search(stylesheet())
    if match is None:
        raise ValueError("report.css has no page footer with counter(pages)")
    footer = match.group(1).replace("counter(pages)", f'"{total}"')
    rules = f"@page {{ @bottom-center {{ content: {footer}; }} }}"
    if first_page > 1:  # the run's first page is not the cover: it has a footer
        rules += (
            f"\n@page :first {{ counter-reset: page {first_page}; "
            f"@bottom-center {{ content: {footer}; }} }}"
        )
    return rules
