"""A large year's PDF in bounded parts: WeasyPrint keeps every laid-out page of a document in
memory until it is written (1.2 GB for a year at 100x the seed), so a report of more than
`settings.PDF_PART_ROWS` table rows is rendered a part at a time, each part's PDF written to a
temporary file and its layout freed, and the parts are joined into one PDF (pypdf).

A part is a run of the document's sections (the cover, a dimension's table, the score sheet)
of at most PDF_PART_ROWS rows; a dimension larger than that is cut between two strategies
(a strategy's cells span its rows), and its continuation starts a page with the table's header
row, as a page break inside the table would. Every section starts a page in the seed's layout,
so a cut between sections changes nothing on the page.

What the joined file keeps of a single render:
- the running header (the draft or version mark) and the footer 「第 X 頁，共 Y 頁」(none on the
  cover): the parts are laid out without them, then the report's own @page rules are rendered
  on as many empty pages (`page_furniture.html`) and each of those pages is stamped onto its
  page as an artifact (they are page furniture, outside the tagged structure, as WeasyPrint
  marks them);
- the bookmarks: each part's, on its pages, the dimensions under the report's title;
- the tagged structure (PDF/A-3a): each part's structure elements under the one Document
  element, with the parent tree's keys moved past the previous parts';
- the catalog of the first part: language, output intent, XMP metadata, named destinations.
"""

import gc
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

import weasyprint
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    Fit,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
)

from perfreport.reports.exporters.base import Progress
from perfreport.reports.exporters.html import (
    render_document,
    render_page_furniture,
    stylesheet,
)
from perfreport.reports.exporters.pdf import ARCHIVAL_OPTIONS, archival_document
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


# --- Joining ---------------------------------------------------------------------------------


def join(paths: list[Path], furniture: list[Path], stream: BinaryIO) -> None:
    """The parts' pages in order, one structure tree, one outline, each page stamped with its
    page of `furniture` (files whose pages, in order, are as many as the parts')."""
    writer = PdfWriter(clone_from=str(paths[0]))
    root = writer.root_object
    tree = _dict(root["/StructTreeRoot"])
    document = _dict(_array(tree["/K"])[0])  # WeasyPrint's one Document element
    kids = _array(document["/K"])
    nums = _array(_dict(tree["/ParentTree"])["/Nums"])
    # The outline is built anew (pypdf nests only the items it made): the first part's, then
    # each later part's under the first part's last top-level item, the report's title (h1).
    del root["/Outlines"]
    top_level = _copy_outline(writer, PdfReader(paths[0]), None, 0)
    for path in paths[1:]:
        reader = PdfReader(path)
        first_page = len(writer.pages)
        writer.merge(None, reader, import_outline=False)
        part_tree = _dict(_dict(reader.root_object["/StructTreeRoot"]).clone(writer))
        offset = _next_key(nums)
        # pypdf drops a copied page's key into the parent tree: set it again, moved on.
        for page, original in zip(writer.pages[first_page:], reader.pages, strict=True):
            if "/StructParents" in original:
                page[NameObject("/StructParents")] = NumberObject(
                    _int(original["/StructParents"]) + offset
                )
        part_nums = _array(_dict(part_tree["/ParentTree"])["/Nums"])
        for index in range(0, len(part_nums), 2):
            nums.append(NumberObject(_int(part_nums[index]) + offset))
            nums.append(part_nums[index + 1])
        for child in _array(_dict(_array(part_tree["/K"])[0])["/K"]):
            element = child.get_object()
            if isinstance(element, DictionaryObject) and "/P" in element:
                element[NameObject("/P")] = document.indirect_reference
            kids.append(child)
        _copy_outline(writer, reader, top_level[-1] if top_level else None, first_page)
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(_next_key(nums))
    _stamp(writer, [page for path in furniture for page in PdfReader(path).pages])
    writer.write(stream)


def _dict(value: object) -> DictionaryObject:
    resolved = value.get_object() if isinstance(value, PdfObject) else value
    if not isinstance(resolved, DictionaryObject):
        raise TypeError(f"a PDF dictionary was expected, not {type(resolved).__name__}")
    return resolved


def _array(value: object) -> ArrayObject:
    resolved = value.get_object() if isinstance(value, PdfObject) else value
    if not isinstance(resolved, ArrayObject):
        raise TypeError(f"a PDF array was expected, not {type(resolved).__name__}")
    return resolved


def _int(value: object) -> int:
    resolved = value.get_object() if isinstance(value, PdfObject) else value
    if not isinstance(resolved, int):
        raise TypeError(f"a PDF integer was expected, not {type(resolved).__name__}")
    return resolved


def _next_key(nums: ArrayObject) -> int:
    return max((_int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1


def _copy_outline(
    writer: PdfWriter, reader: PdfReader, parent: IndirectObject | None, first_page: int
) -> list[IndirectObject]:
    """The part's bookmarks, on the joined file's pages, nested as in the part, under
    `parent`; the top-level items made."""

    def copy(items: list[Any], parent: IndirectObject | None) -> list[IndirectObject]:
        made: list[IndirectObject] = []
        for item in items:
            if isinstance(item, list):
                copy(item, made[-1] if made else parent)
                continue
            page = reader.get_destination_page_number(item)
            if page is None:
                continue
            made.append(
                writer.add_outline_item(
                    title=item.title,
                    page_number=first_page + page,
                    parent=parent,
                    fit=Fit.xyz(left=item.left, top=item.top, zoom=item.zoom),
                )
            )
        return made

    return copy(reader.outline, parent)


# --- The header and footer -------------------------------------------------------------------

_NAME = re.compile(rb"/([A-Za-z0-9_.\-]+)")


def _stamp(writer: PdfWriter, furniture: list[PageObject]) -> None:
    """Draw each furniture page over its page, marked as an artifact; its resources are renamed
    (prefix `pf`) so that they cannot clash with the page's own."""
    if len(furniture) != len(writer.pages):
        raise ValueError(
            f"page furniture for {len(furniture)} pages, the document has {len(writer.pages)}"
        )
    opening = writer._add_object(_stream(b"q\n"))
    closing = writer._add_object(_stream(b"\nQ\n"))
    for page, furniture_page in zip(writer.pages, furniture, strict=True):
        resources, content = _furniture(writer, furniture_page)
        own = _dict(page.get("/Resources", DictionaryObject()))
        merged = DictionaryObject(own)
        for category, entries in resources.items():
            combined = DictionaryObject(_dict(own.get(category, DictionaryObject())))
            combined.update(entries)
            merged[NameObject(category)] = combined
        page[NameObject("/Resources")] = merged
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else ArrayObject()
        streams = list(existing) if isinstance(existing, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([opening, *streams, closing, content])


def _furniture(
    writer: PdfWriter,
    page: PageObject,
) -> tuple[DictionaryObject, IndirectObject]:
    """The furniture page's resources (renamed, cloned into the writer) and its content as an
    artifact."""
    resources = _dict(page["/Resources"])
    renamed = DictionaryObject()
    names: dict[bytes, bytes] = {}
    for category, entries in resources.items():
        entries = entries.get_object()
        if not isinstance(entries, DictionaryObject) or not entries:
            continue
        target = DictionaryObject()
        for name, value in entries.items():
            new = "/pf" + name[1:]
            names[name[1:].encode()] = new[1:].encode()
            target[NameObject(new)] = value.clone(writer) if hasattr(value, "clone") else value
        renamed[NameObject(category)] = target
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    data = _NAME.sub(lambda m: b"/" + names.get(m.group(1), m.group(1)), data)
    content = writer._add_object(_stream(b"/Artifact BMC\nq\n" + data + b"\nQ\nEMC\n"))
    return renamed, content


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream
