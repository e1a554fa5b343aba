"""Joining a large year's PDF parts into one file (pikepdf, on qpdf): the parts' pages in order,
one tagged structure tree, one outline, and each page stamped with its header and footer.

qpdf is far leaner than pypdf per object (at 100x the seed, 11 parts, ~540 pages, ~200,000
objects, pypdf needed 440 MB for the same join); the parts are added one at a time (see
`join`). The joined file is written with object streams.

- Structure (PDF/A-3a): each later part's elements go under the first part's one Document
  element, and its keys into the parent tree (the pages' /StructParents) are moved past the
  previous parts'.
- Outline: the first part's, then each later part's top-level items under the first part's
  last top-level item (the report's title, h1, on the cover), on the joined file's pages.
- Header and footer: the furniture pages (as many as the parts' pages) are drawn over their
  pages, marked as an artifact (page furniture is outside the structure), their resources
  renamed with the prefix `pf` so that they cannot clash with the page's own.
- The catalog is the first part's: language, output intent, XMP metadata, named destinations.
"""

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, Object, OutlineItem, Page, Pdf, Stream

_NAME = re.compile(rb"/([A-Za-z0-9_.\-]+)")


@dataclass
class Bookmark:
    """An outline item as plain data, on a page of the joined file (by index)."""

    title: str
    page: int
    view: list[object]  # the destination after its page: /XYZ left top zoom
    children: list["Bookmark"] = field(default_factory=list)


def join(paths: list[Path], furniture: list[Path], stream: BinaryIO) -> None:
    """Write the parts at `paths`, joined and stamped with `furniture`, to `stream`.

    The parts are added one at a time, each step saved to a temporary file and closed: qpdf
    then holds one part's objects besides the file so far, not every part's twice (a part's
    source objects and their copies): at 100x 205 MB where adding every part at once took 300."""
    with tempfile.TemporaryDirectory(prefix="perfreport-join-") as folder:
        current = paths[0]
        with Pdf.open(current) as first:
            bookmarks = _bookmarks(first, 0)
        for step, path in enumerate(paths[1:]):
            joined = Path(folder) / f"joined-{step:04d}.pdf"
            with Pdf.open(current) as pdf, Pdf.open(path) as part:
                first_page = len(pdf.pages)
                _add_part(pdf, part)
                items = _bookmarks(part, first_page)
                # The later parts' headings go under the first part's last top-level item,
                # the report's title (h1, on the cover).
                (bookmarks[-1].children if bookmarks else bookmarks).extend(items)
                pdf.save(joined, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            current = joined
        furniture_pdfs = [Pdf.open(path) for path in furniture]
        try:
            with Pdf.open(current) as pdf:
                with pdf.open_outline() as outline:
                    outline.root.clear()
                    outline.root.extend(_outline_item(pdf, bookmark) for bookmark in bookmarks)
                pages = [page for furniture_pdf in furniture_pdfs for page in furniture_pdf.pages]
                _stamp(pdf, pages)
                pdf.save(stream, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        finally:
            for furniture_pdf in furniture_pdfs:
                furniture_pdf.close()


def _add_part(pdf: Pdf, part: Pdf) -> None:
    """The part's pages after the document's, its structure elements under the document's one
    Document element, its keys into the parent tree moved past the document's."""
    tree = pdf.Root.StructTreeRoot
    document = tree.K[0]  # WeasyPrint's one Document element
    nums = tree.ParentTree.Nums
    first_page = len(pdf.pages)
    pdf.pages.extend(part.pages)
    part_tree = pdf.copy_foreign(part.Root.StructTreeRoot)
    offset = _next_key(nums)
    for page, original in zip(pdf.pages[first_page:], part.pages, strict=True):
        if "/StructParents" in original.obj:
            page.obj.StructParents = int(original.obj.StructParents) + offset
    part_nums = part_tree.ParentTree.Nums
    for index in range(0, len(part_nums), 2):
        nums.append(int(part_nums[index]) + offset)
        nums.append(part_nums[index + 1])
    for child in part_tree.K[0].K:
        if isinstance(child, Dictionary) and "/P" in child:
            child.P = document
        document.K.append(child)
    tree.ParentTreeNextKey = _next_key(nums)


def _next_key(nums: Object) -> int:
    return max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1


def _bookmarks(part: Pdf, first_page: int) -> list[Bookmark]:
    """The part's outline, nested as in the part, on the joined file's pages."""
    index = {page.obj.objgen: n for n, page in enumerate(part.pages)}

    def read(item: OutlineItem) -> Bookmark:
        destination = item.destination
        assert isinstance(destination, Array), "WeasyPrint writes explicit destinations"
        view: list[object] = [
            str(value) if isinstance(value, Name) else value for value in destination[1:]
        ]
        return Bookmark(
            str(item.title),
            first_page + index[destination[0].objgen],
            view,
            [read(child) for child in item.children],
        )

    with part.open_outline() as outline:
        return [read(item) for item in outline.root]


def _outline_item(pdf: Pdf, bookmark: Bookmark) -> OutlineItem:
    view = [Name(value) if isinstance(value, str) else value for value in bookmark.view]
    item = OutlineItem(bookmark.title, destination=Array([pdf.pages[bookmark.page].obj, *view]))
    item.children.extend(_outline_item(pdf, child) for child in bookmark.children)
    return item


def _stamp(pdf: Pdf, furniture: list[Page]) -> None:
    if len(furniture) != len(pdf.pages):
        raise ValueError(
            f"page furniture for {len(furniture)} pages, the document has {len(pdf.pages)}"
        )
    opening = pdf.make_indirect(Stream(pdf, b"q\n"))
    closing = pdf.make_indirect(Stream(pdf, b"\nQ\n"))
    for page, furniture_page in zip(pdf.pages, furniture, strict=True):
        names: dict[bytes, bytes] = {}
        own = page.obj.get("/Resources", Dictionary())
        merged = Dictionary(dict(own.items()))
        for category, entries in furniture_page.obj.Resources.items():
            if not isinstance(entries, Dictionary) or not len(entries):
                continue
            combined = Dictionary(dict(own.get(category, {}).items()))
            for name, value in entries.items():
                names[name[1:].encode()] = b"pf" + name[1:].encode()
                combined[Name("/pf" + name[1:])] = _copied(pdf, value)
            merged[Name(category)] = combined
        page.obj.Resources = merged
        data = _renamed(_contents(furniture_page), names)
        content = pdf.make_indirect(Stream(pdf, b"/Artifact BMC\nq\n" + data + b"\nQ\nEMC\n"))
        existing = page.obj.get("/Contents")
        streams = list(existing) if isinstance(existing, Array) else [existing]
        page.obj.Contents = Array([opening, *streams, closing, content])


def _renamed(content: bytes, names: dict[bytes, bytes]) -> bytes:
    """The content stream with its resource names replaced (other names kept)."""
    return _NAME.sub(lambda m: b"/" + names.get(m.group(1), m.group(1)), content)


def _contents(page: Page) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes()


def _copied(pdf: Pdf, value: object) -> object:
    """A foreign value in `pdf`: indirect objects copied (once), direct ones rebuilt."""
    if not isinstance(value, Object):
        return value  # a number, a name or a string: pikepdf gives Python values
    if value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Dictionary):
        return Dictionary({key: _copied(pdf, item) for key, item in value.items()})
    if isinstance(value, Array):
        return Array([_copied(pdf, item) for item in value])
    return value
