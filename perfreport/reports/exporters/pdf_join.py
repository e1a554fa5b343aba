"""Joining a large year's PDF parts into one file (pikepdf, on qpdf): the parts' pages in order,
one tagged structure tree, one outline, and each page stamped with its header and footer.

qpdf keeps a copied object in a few hundred bytes and reads the parts' streams from their files
only while writing: at 100x the seed (11 parts, ~600 pages, ~200,000 objects) pypdf needed
440 MB for the same join. The joined file is written with object streams.

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
from pathlib import Path
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, Object, OutlineItem, Page, Pdf, Stream

_NAME = re.compile(rb"/([A-Za-z0-9_.\-]+)")


def join(paths: list[Path], furniture: list[Path], stream: BinaryIO) -> None:
    """Write the parts at `paths`, joined and stamped with `furniture`, to `stream`."""
    pdf = Pdf.open(paths[0])
    # The parts' streams are read from their files when the joined file is written.
    sources = [Pdf.open(path) for path in [*paths[1:], *furniture]]
    parts, furniture_pdfs = sources[: len(paths) - 1], sources[len(paths) - 1 :]
    try:
        tree = pdf.Root.StructTreeRoot
        document = tree.K[0]  # WeasyPrint's one Document element
        nums = tree.ParentTree.Nums
        with pdf.open_outline() as outline:
            top_level = list(outline.root)
        for part in parts:
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
            items = _outline_items(pdf, part, first_page)
            if top_level:
                top_level[-1].children.extend(items)
            else:
                top_level.extend(items)
        tree.ParentTreeNextKey = _next_key(nums)
        with pdf.open_outline() as outline:
            outline.root.clear()
            outline.root.extend(top_level)
        _stamp(pdf, [page for furniture_pdf in furniture_pdfs for page in furniture_pdf.pages])
        pdf.save(stream, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    finally:
        for source in sources:
            source.close()
        pdf.close()


def _next_key(nums: Object) -> int:
    return max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1


def _outline_items(pdf: Pdf, part: Pdf, first_page: int) -> list[OutlineItem]:
    """The part's bookmarks, nested as in the part, on the joined file's pages."""
    index = {page.obj.objgen: n for n, page in enumerate(part.pages)}

    def copy(item: OutlineItem) -> OutlineItem:
        destination = item.destination
        assert isinstance(destination, Array), "WeasyPrint writes explicit destinations"
        page = pdf.pages[first_page + index[destination[0].objgen]]
        made = OutlineItem(str(item.title), destination=Array([page.obj, *list(destination)[1:]]))
        made.children.extend(copy(child) for child in item.children)
        return made

    with part.open_outline() as outline:
        return [copy(item) for item in outline.root]


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
