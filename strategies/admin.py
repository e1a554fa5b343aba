"""Django admin for every model, in Chinese, so an admin can correct data by hand from day one."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from strategies.models import (
    Dimension,
    DirectoryGroupMapping,
    EntryComment,
    Evidence,
    Indicator,
    IndicatorValue,
    Item,
    MailPreference,
    Membership,
    Method,
    MonthLock,
    MonthlyEntry,
    Organization,
    Strategy,
    Unit,
    Year,
)

admin.site.site_header = "提升服務效能自行考核｜系統管理"
admin.site.site_title = "提升服務效能自行考核"
admin.site.index_title = "資料維護"


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = [
        "code",
        "short_name",
        "name",
        "parent",
        "is_headquarters",
        "headquarters_may_comment",
    ]
    list_filter = ["is_headquarters"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "kind", "order", "is_active"]
    list_filter = ["organization", "kind", "is_active"]
    search_fields = ["name"]
    list_editable = ["order", "is_active"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "unit", "role"]
    list_filter = ["organization", "role", "unit"]
    search_fields = ["user__username", "user__first_name"]
    list_select_related = ["user", "organization", "unit"]
    autocomplete_fields = ["user"]


class DimensionInline(admin.TabularInline[Dimension, Year]):
    model = Dimension
    extra = 0


@admin.register(Year)
class YearAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "roc_year", "status", "deadline_day", "copied_from"]
    list_filter = ["organization", "status"]
    list_select_related = ["organization", "copied_from__organization"]
    inlines = [DimensionInline]


class StrategyInline(admin.TabularInline[Strategy, Dimension]):
    model = Strategy
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin[Dimension]):
    list_display = ["__str__", "year", "number", "max_score"]
    list_filter = ["year__organization", "year__roc_year"]
    list_select_related = ["year__organization"]
    inlines = [StrategyInline]


class MethodInline(admin.StackedInline[Method, Strategy]):
    model = Method
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin[Strategy]):
    list_display = ["title", "dimension", "order", "is_retired"]
    list_filter = ["dimension__year__organization", "dimension__year__roc_year", "is_retired"]
    list_select_related = ["dimension__year__organization"]
    search_fields = ["title"]
    inlines = [MethodInline]


class ItemInline(admin.StackedInline[Item, Method]):
    model = Item
    extra = 0
    fields = ["order", "title", "host_label", "host_units", "planned_actions", "results"]
    filter_horizontal = ["host_units"]


@admin.register(Method)
class MethodAdmin(admin.ModelAdmin[Method]):
    list_display = ["title", "strategy", "order", "is_retired"]
    list_filter = ["strategy__dimension__year__organization", "strategy__dimension__year__roc_year"]
    list_select_related = ["strategy__dimension__year__organization"]
    search_fields = ["title", "description"]
    inlines = [ItemInline]


class IndicatorInline(admin.TabularInline[Indicator, Item]):
    model = Indicator
    extra = 0


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "method", "host_label", "order", "is_retired"]
    list_filter = [
        "method__strategy__dimension__year__organization",
        "method__strategy__dimension__year__roc_year",
        "method__strategy__dimension__number",
        "host_units",
        "is_retired",
    ]
    list_select_related = ["method"]
    search_fields = ["title", "planned_actions", "results", "method__title"]
    filter_horizontal = ["host_units"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "measure", "target", "reported_actual", "aggregation", "item"]
    list_filter = ["aggregation", "measure", "item__method__strategy__dimension__year__roc_year"]
    list_select_related = ["item__method"]
    search_fields = ["name", "item__title"]


class IndicatorValueInline(admin.TabularInline[IndicatorValue, MonthlyEntry]):
    model = IndicatorValue
    extra = 0


class EntryCommentInline(admin.TabularInline[EntryComment, MonthlyEntry]):
    model = EntryComment
    extra = 0


@admin.register(MonthlyEntry)
class MonthlyEntryAdmin(SimpleHistoryAdmin):
    list_display = ["item", "unit", "month", "status", "version", "updated_by", "updated_at"]
    list_filter = ["status", "month", "unit", "item__method__strategy__dimension__year__roc_year"]
    list_select_related = ["item__method", "unit", "updated_by"]
    search_fields = ["narrative", "item__title"]
    readonly_fields = ["version"]
    inlines = [IndicatorValueInline, EntryCommentInline]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "entry", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["entry__item__method", "entry__unit", "uploaded_by"]
    readonly_fields = ["sha256", "size", "content_type"]


@admin.register(MonthLock)
class MonthLockAdmin(SimpleHistoryAdmin):
    list_display = ["year", "month", "locked_by", "locked_at"]
    list_filter = ["year__organization", "year__roc_year"]
    list_select_related = ["year__organization", "locked_by"]


@admin.register(EntryComment)
class EntryCommentAdmin(admin.ModelAdmin[EntryComment]):
    list_display = ["entry", "author", "created_at"]
    list_select_related = ["entry__item__method", "entry__unit", "author"]


@admin.register(DirectoryGroupMapping)
class DirectoryGroupMappingAdmin(admin.ModelAdmin[DirectoryGroupMapping]):
    list_display = ["group_dn", "organization", "role", "unit"]
    list_filter = ["organization", "role"]
    search_fields = ["group_dn"]


@admin.register(MailPreference)
class MailPreferenceAdmin(admin.ModelAdmin[MailPreference]):
    list_display = ["user", "reminders", "updated_at"]
    list_filter = ["reminders"]
    search_fields = ["user__username"]
