"""My work as a django-tables2 table over the selector's rows."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from strategies.selectors.entries import NOT_OPEN, STRIP_LABELS, MyWorkRow


def month_strip(row: MyWorkRow) -> str:
    """The 12-month strip: each month's status as text, linked to its entry once open.

    Built in Python, not a template: My work shows hundreds of rows of twelve cells each.
    Every piece of text is escaped; the rest are numbers and fixed class names.
    """
    # One reverse per row; the month is the URL's last segment.
    base = reverse("strategies:entry-edit", args=[row.item.pk, row.unit.pk, 1])[: -len("1/")]
    month_word, due_word = escape(gettext("月")), escape(gettext("期限"))
    lock = '<span class="lock">' + escape(gettext("鎖定")) + "</span>"
    labels = {state: escape(label) for state, label in STRIP_LABELS.items()}
    parts = ['<ol class="strip" aria-label="', escape(gettext("1 至 12 月填報狀態")), '">']
    for cell in row.months:
        m = cell.month
        inner = (
            f'<span class="m">{m}{month_word}</span><span class="s">{labels[cell.state]}</span>'
            + (lock if cell.locked else "")
        )
        if cell.state != NOT_OPEN:
            title = f"{m} {month_word}，{due_word} {cell.due.month}/{cell.due.day}"
            inner = f'<a href="{escape(base)}{m}/" title="{title}">{inner}</a>'
        locked = " is-locked" if cell.locked else ""
        parts.append(f'<li class="cell status-{cell.state}{locked}">{inner}</li>')
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 - every text piece above is escaped


class LinksColumn(tables.Column):
    def render(self, record: MyWorkRow) -> str:  # type: ignore[override]
        return format_html(
            '<a href="{}">{}</a><br><a href="{}">{}</a>',
            reverse("strategies:item-history", args=[record.item.pk]),
            gettext("異動紀錄"),
            reverse("strategies:item-results", args=[record.item.pk]),
            gettext("年度成果"),
        )


class MonthsColumn(tables.Column):
    def render(self, record: MyWorkRow) -> str:  # type: ignore[override]
        return month_strip(record)


class MyWorkTable(tables.Table):
    path = tables.Column(
        verbose_name=_("編號"), order_by=("sort_key",), attrs={"td": {"class": "nowrap"}}
    )
    method_title = tables.Column(verbose_name=_("執行方法"))
    title = tables.Column(verbose_name=_("項目"), default="—")
    host_units = tables.Column(verbose_name=_("主辦單位"))
    unit = tables.Column(
        verbose_name=_("填報單位"),
        accessor="unit__name",
        order_by=("unit__order",),
        attrs={"td": {"class": "nowrap"}},
    )
    months = MonthsColumn(
        verbose_name=_("1–12 月填報狀態"),
        accessor="months",
        orderable=False,
        attrs={"td": {"class": "strip-cell"}},
    )
    approved_count = tables.Column(verbose_name=_("已核定月數"), attrs={"td": {"class": "num"}})
    history = LinksColumn(
        verbose_name=_("紀錄"),
        accessor="item",
        orderable=False,
        attrs={"td": {"class": "nowrap"}},
    )

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "my-work", "id": "my-work-table"}
        order_by = ("path",)
        empty_text = _("沒有符合條件的填報項目。")
