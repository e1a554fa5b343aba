"""My work as a django-tables2 table over the selector's rows."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from strategies.selectors.entries import FUTURE, MyWorkRow


def month_strip(row: MyWorkRow) -> str:
    """The 12-month strip: each month's status as text, linked to its entry once open.

    Built in Python, not a template: My work shows hundreds of rows of twelve cells each.
    """
    # One reverse per row; the month is the URL's last segment.
    base = reverse("strategies:entry-edit", args=[row.item.pk, row.unit.pk, 1])[: -len("1/")]
    month_word, due_word, locked_word = gettext("月"), gettext("期限"), gettext("鎖定")
    cells = []
    for cell in row.months:
        classes = f"cell status-{cell.state}" + (" is-locked" if cell.locked else "")
        inner = format_html(
            '<span class="m">{}{}</span><span class="s">{}</span>{}',
            cell.month,
            month_word,
            cell.label,
            format_html('<span class="lock">{}</span>', locked_word) if cell.locked else "",
        )
        if cell.state != FUTURE:
            title = f"{cell.month} {month_word}，{due_word} {cell.due.month}/{cell.due.day}"
            inner = format_html('<a href="{}{}/" title="{}">{}</a>', base, cell.month, title, inner)
        cells.append((classes, inner))
    return format_html(
        '<ol class="strip" aria-label="{}">{}</ol>',
        gettext("1 至 12 月填報狀態"),
        format_html_join("", '<li class="{}">{}</li>', cells),
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
    history = tables.TemplateColumn(
        verbose_name=_("紀錄"),
        template_name="strategies/_item_links.html",
        orderable=False,
        attrs={"td": {"class": "nowrap"}},
    )

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "my-work", "id": "my-work-table"}
        order_by = ("path",)
        empty_text = _("沒有符合條件的填報項目。")
