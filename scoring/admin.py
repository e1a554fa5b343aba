"""Django admin for grade bands, score sheets and dimension scores."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies.models import Dimension


@admin.register(GradeBands)
class GradeBandsAdmin(SimpleHistoryAdmin):
    list_display = ["year", "excellent_min", "a_min", "b_min", "c_min"]
    list_select_related = ["year__organization"]


class DimensionScoreInline(admin.TabularInline[DimensionScore, Dimension]):
    model = DimensionScore
    extra = 0
    readonly_fields = ["maximum"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(SimpleHistoryAdmin):
    list_display = ["year", "assessed_by", "assessed_month_label", "signed_off_at"]
    list_select_related = ["year__organization"]


@admin.register(DimensionScore)
class DimensionScoreAdmin(SimpleHistoryAdmin):
    list_display = ["dimension", "round", "score", "maximum", "updated_by", "updated_at"]
    list_filter = ["round", "dimension__year__organization", "dimension__year__roc_year"]
    list_select_related = ["dimension__year__organization", "updated_by"]
    readonly_fields = ["maximum"]
