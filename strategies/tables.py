"""My work's month strip, built in Python: a page shows fifty rows of twelve linked cells."""

from datetime import date
from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from strategies.month_state import NOT_OPEN
from strategies.roc import month_label, roc_date
from strategies.selectors.entries import STRIP_LABELS, MyWorkRow

_ITEM, _UNIT = 900000001, 900000002  # placeholders, replaced by each row's ids


@lru_cache(maxsize=8)
def _pieces(
    language: str, script_prefix: str
) -> tuple[str, dict[int, str], str, str, dict[str, SafeString]]:
    """Per language: the entry URL pattern, month words, the cell's title and labels, escaped
    once (not per cell)."""
    pattern = reverse("strategies:entry-edit", args=[_ITEM, _UNIT, 1])[: -len("1/")]
    # str() first: escaping a lazy translation gives a lazy result, translated again at every
    # use (600 times a page).
    return (
        pattern,
        {m: escape(str(month_label(m))) for m in range(1, 13)},
        gettext("%(month)s，期限 %(due)s"),
        '<span class="lock">' + escape(gettext("鎖定")) + "</span>",
        {state: escape(str(label)) for state, label in STRIP_LABELS.items()}
        | {"caption": escape(gettext("1 至 12 月填報狀態"))},
    )


@lru_cache(maxsize=512)
def _cell_title(language: str, script_prefix: str, month: int, due: date) -> str:
    """A cell's escaped title ("3 月，期限 113 年 4 月 10 日"): the same for every row of a
    year, so made once per month rather than per cell."""
    title_text = _pieces(language, script_prefix)[2]
    return escape(title_text % {"month": month_label(month), "due": roc_date(due)})


def month_strip(row: MyWorkRow) -> SafeString:
    """The 12-month strip: each month's status as text, linked to its entry once open.

    Every piece of text is escaped; the rest are numbers and fixed class names.
    """
    language, prefix = get_language() or "", get_script_prefix()
    pattern, month_words, _title_text, lock, labels = _pieces(language, prefix)
    base = escape(
        pattern.replace(str(_ITEM), str(row.item.pk)).replace(str(_UNIT), str(row.unit.pk))
    )
    parts = ['<ol class="strip" aria-label="', labels["caption"], '">']
    for cell in row.months:
        m = cell.month
        inner = (
            f'<span class="m">{month_words[m]}</span><span class="s">{labels[cell.state]}</span>'
            + (lock if cell.locked else "")
        )
        if cell.state != NOT_OPEN:
            title = _cell_title(language, prefix, m, cell.due)
            inner = f'<a href="{base}{m}/" title="{title}">{inner}</a>'
        locked = " is-locked" if cell.locked else ""
        parts.append(f'<li class="cell status-{cell.state}{locked}">{inner}</li>')
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 - every text piece above is escaped


@lru_cache(maxsize=8)
def _item_patterns(script_prefix: str) -> tuple[str, str]:
    return (
        reverse("strategies:item-history", args=[_ITEM]),
        reverse("strategies:item-results", args=[_ITEM]),
    )


def item_links(row: MyWorkRow) -> tuple[str, str]:
    """The row's item history and year-end results URLs, from patterns reversed once (a page
    has a hundred of them)."""
    history, results = _item_patterns(get_script_prefix())
    pk = str(row.item.pk)
    return history.replace(str(_ITEM), pk), results.replace(str(_ITEM), pk)
