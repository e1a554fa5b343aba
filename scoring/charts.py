"""Server-rendered SVG charts of the score sheet: plain SVG, no script, no style sheet.

Only presentation attributes (fill, stroke, font-size) are used, so the same markup passes the
site's Content-Security-Policy when inlined in a page and renders in WeasyPrint for the PDF.
"""

from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from scoring.grades import Grade
from scoring.selectors import SheetData
from strategies import number_format

FONT = "AR PL UKai TW, AR PL UMing TW, Noto Sans CJK TC, sans-serif"
INK = "#1b1b1b"
MUTED = "#4a4a4a"
TRACK = "#e6e9ef"
TRACK_EDGE = "#8a94a6"
SELF = "#0b5394"
REVIEW = "#a34700"
GRID = "#c8c8c8"


def _text(
    x: float, y: float, body: str, *, size: int = 13, anchor: str = "start", fill: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}">{escape(body)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = "none") -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" '
        f'fill="{fill}" stroke="{stroke}"/>'
    )


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f"font-family={quoteattr(FONT)}>"
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _grade_label(grade: str) -> str:
    """The grade as the reader's language names it: 優, or Excellent in English."""
    return str(Grade(grade).label) if grade in Grade.values else grade


def score_chart_svg(sheet_data: SheetData) -> str:
    """Each dimension's score against its maximum: a track for the maximum, a bar for the
    self-assessment and, once entered, a bar for the review."""
    data = sheet_data
    width, label_w, bar_w, value_w = 680, 150, 400, 130
    top, row_h = 40, 48
    height = top + row_h * len(data.dimensions) + 12
    scale_max = max((d.maximum for d in data.dimensions), default=Decimal(1)) or Decimal(1)
    has_review = any(d.review_score is not None for d in data.dimensions)

    def length(value: Decimal) -> float:
        return float(value / scale_max) * bar_w

    body = [_rect(0, 0, width, height, "#ffffff")]
    # Legend.
    lx = label_w
    for colour, name, edge in (
        (TRACK, _("配分"), TRACK_EDGE),
        (SELF, _("自評"), "none"),
        *([(REVIEW, _("複評"), "none")] if has_review else []),
    ):
        body.append(_rect(lx, 12, 14, 14, colour, edge))
        body.append(_text(lx + 20, 24, name, size=12))
        lx += 80

    desc = []
    for index, line in enumerate(data.dimensions):
        y = top + index * row_h
        body.append(
            _text(label_w - 10, y + 16, _("構面%(label)s") % {"label": line.label}, anchor="end")
        )
        body.append(_text(label_w - 10, y + 33, line.name, size=12, anchor="end", fill=MUTED))
        body.append(_rect(label_w, y + 4, length(line.maximum), 34, TRACK, TRACK_EDGE))
        if line.self_score is not None:
            body.append(_rect(label_w, y + 8, length(line.self_score), 12, SELF))
        if line.review_score is not None:
            body.append(_rect(label_w, y + 22, length(line.review_score), 12, REVIEW))
        shown = number_format.one_decimal(line.score) if line.score is not None else "—"
        value_x = label_w + length(line.maximum) + 10
        body.append(_text(value_x, y + 26, f"{shown} / {number_format.one_decimal(line.maximum)}"))
        parts = [f"{_('配分')} {number_format.one_decimal(line.maximum)}"]
        if line.self_score is not None:
            parts.append(f"{_('自評')} {number_format.one_decimal(line.self_score)}")
        if line.review_score is not None:
            parts.append(f"{_('複評')} {number_format.one_decimal(line.review_score)}")
        heading = _("構面%(label)s%(name)s：") % {"label": line.label, "name": line.name}
        desc.append(heading + _("，").join(parts))
    assert width >= label_w + bar_w + value_w
    title = _("%(org)s %(year)s 年度各構面分數與配分") % {
        "org": data.organization_short_name,
        "year": data.roc_year,
    }
    return _svg(width, height, title, _("；").join(desc), body, f"score-{data.roc_year}")


def trend_chart_svg(sheet_data: SheetData) -> str:
    """Total and grade by year, with the bands as guide lines; "" when there is no earlier year."""
    data = sheet_data
    if not data.has_earlier_years:
        return ""
    points = data.trend
    width, left, right, top, bottom = 680, 56, 24, 44, 44
    plot_h = 240
    height = top + plot_h + bottom
    slot = (width - left - right) / max(len(points), 1)
    bar = min(64.0, slot * 0.6)
    maximum = float(data.max_total)

    def y_of(value: float) -> float:
        return top + plot_h - value / maximum * plot_h

    body = [_rect(0, 0, width, height, "#ffffff")]
    body.append(
        f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{width - right}" y2="{y_of(0):.1f}" '
        f'stroke="{MUTED}"/>'
    )
    bands = data.bands
    for grade, bound in (
        (Grade.EXCELLENT.label, bands.excellent_min),
        (Grade.A.label, bands.a_min),
        (Grade.B.label, bands.b_min),
        (Grade.C.label, bands.c_min),
    ):
        y = y_of(float(bound))
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-dasharray="4 4"/>'
        )
        body.append(
            _text(
                left - 6,
                y + 4,
                f"{grade} {number_format.one_decimal(bound)}",
                size=11,
                anchor="end",
            )
        )
    lx = left
    for colour, name in ((SELF, _("自評")), (REVIEW, _("複評"))):
        body.append(_rect(lx, 8, 14, 14, colour))
        body.append(_text(lx + 20, 20, name, size=12))
        lx += 80
    desc = []
    for index, point in enumerate(points):
        cx = left + slot * index + slot / 2
        y = y_of(float(point.total))
        colour = REVIEW if point.round == "review" else SELF
        body.append(_rect(cx - bar / 2, y, bar, y_of(0) - y, colour))
        grade_text = _grade_label(point.grade)
        body.append(
            _text(
                cx, y - 6, f"{number_format.one_decimal(point.total)} {grade_text}", anchor="middle"
            )
        )
        year = _("%(year)s 年度") % {"year": point.roc_year}
        body.append(_text(cx, y_of(0) + 20, year, anchor="middle"))
        desc.append(
            _("%(year)s 年度 %(total)s 分 %(grade)s")
            % {
                "year": point.roc_year,
                "total": number_format.one_decimal(point.total),
                "grade": grade,
            }
        )
    title = _("%(org)s歷年總分與等第") % {"org": data.organization_short_name}
    return _svg(width, height, title, _("；").join(desc), body, f"trend-{data.roc_year}")
