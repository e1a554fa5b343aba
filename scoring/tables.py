"""The review page's table: one per dimension, rows from scoring.selectors.review_rows."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


def _cell(name: str) -> dict[str, dict[str, str]]:
    """A class on each cell, so the style sheet can give the narrow columns room."""
    return {"td": {"class": name}, "th": {"class": name}}


class ReviewTable(tables.Table):
    item = tables.TemplateColumn(
        template_name="scoring/cells/item.html",
        verbose_name=_("執行策略／執行方法"),
        attrs=_cell("item"),
    )
    host_label = tables.Column(verbose_name=_("主辦單位"), attrs=_cell("host_label"))
    planned_actions = tables.TemplateColumn(
        "{{ value|linebreaksbr }}", verbose_name=_("具體作法"), attrs=_cell("planned_actions")
    )
    results = tables.TemplateColumn(
        template_name="scoring/cells/results.html",
        verbose_name=_("執行績效與成果"),
        attrs=_cell("results"),
    )
    indicators = tables.TemplateColumn(
        template_name="scoring/cells/indicators.html",
        verbose_name=_("量化指標（目標／實績／達成率）"),
        attrs=_cell("indicators"),
    )
    completeness = tables.TemplateColumn(
        template_name="scoring/cells/completeness.html",
        verbose_name=_("填報月數"),
        attrs=_cell("completeness"),
    )
    evidence_count = tables.Column(verbose_name=_("佐證"), attrs=_cell("evidence_count"))
    details = tables.TemplateColumn(
        template_name="scoring/cells/details.html",
        verbose_name=_("填報與異動"),
        empty_values=(),
        attrs=_cell("details"),
    )

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "review-table"}
        orderable = False
        empty_text = _("沒有符合條件的項目。")
