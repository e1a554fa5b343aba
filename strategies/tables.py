"""My work as a django-tables2 table over the selector's rows."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class MyWorkTable(tables.Table):
    path = tables.Column(verbose_name=_("編號"), order_by=("sort_key",))
    method_title = tables.Column(verbose_name=_("執行方法"))
    title = tables.Column(verbose_name=_("項目"), default="—")
    host_units = tables.Column(verbose_name=_("主辦單位"))
    unit = tables.Column(
        verbose_name=_("填報單位"), accessor="unit__name", order_by=("unit__order",)
    )
    months = tables.TemplateColumn(
        verbose_name=_("1–12 月填報狀態"),
        template_name="strategies/_month_strip.html",
        orderable=False,
        attrs={"td": {"class": "strip-cell"}},
    )
    approved_count = tables.Column(verbose_name=_("已核定月數"), attrs={"td": {"class": "num"}})
    history = tables.TemplateColumn(
        verbose_name=_("紀錄"),
        template_name="strategies/_item_links.html",
        orderable=False,
    )

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "my-work", "id": "my-work-table"}
        order_by = ("path",)
        empty_text = _("沒有符合條件的填報項目。")
