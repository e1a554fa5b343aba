"""The review page's table: one per dimension, rows from scoring.selectors.review_rows."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class ReviewTable(tables.Table):
    item = tables.TemplateColumn(
        template_name="scoring/cells/item.html",
        verbose_name=_("執行策略／執行方法"),
        orderable=False,
    )
    host_label = tables.Column(verbose_name=_("主辦單位"), orderable=False)
    planned_actions = tables.TemplateColumn(
        "{{ value|linebreaksbr }}", verbose_name=_("具體作法"), orderable=False
    )
    results = tables.TemplateColumn(
        "{{ value|linebreaksbr }}", verbose_name=_("執行績效與成果"), orderable=False
    )
    indicators = tables.TemplateColumn(
        template_name="scoring/cells/indicators.html",
        verbose_name=_("量化指標（目標／實績／達成率）"),
        orderable=False,
    )
    completeness = tables.TemplateColumn(
        template_name="scoring/cells/completeness.html",
        verbose_name=_("填報月數"),
        orderable=False,
    )
    evidence_count = tables.Column(verbose_name=_("佐證"), orderable=False)
    details = tables.TemplateColumn(
        template_name="scoring/cells/details.html",
        verbose_name=_("填報與異動"),
        orderable=False,
        empty_values=(),
    )

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "review-table"}
        orderable = False
        empty_text = _("沒有符合條件的項目。")
