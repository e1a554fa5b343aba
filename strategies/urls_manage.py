"""The organization admin's pages, mounted at /manage/."""

from django.urls import path

from strategies.views import (
    manage_directory,
    manage_import,
    manage_people,
    manage_plan,
    manage_years,
)

app_name = "manage"

urlpatterns = [
    path("", manage_years.years, name="years"),
    path("years/<int:pk>/status/", manage_years.year_status, name="year-status"),
    path("years/<int:pk>/plan/", manage_plan.plan, name="plan"),
    path("years/<int:pk>/plan.xlsx", manage_import.plan_export, name="plan-export"),
    path("years/<int:pk>/import/", manage_import.plan_import, name="plan-import"),
    path("years/<int:pk>/import/apply/", manage_import.plan_import_apply, name="plan-import-apply"),
    path("dimensions/<int:pk>/strategies/add/", manage_plan.strategy_add, name="strategy-add"),
    path("strategies/<int:pk>/edit/", manage_plan.strategy_edit, name="strategy-edit"),
    path("strategies/<int:pk>/methods/add/", manage_plan.method_add, name="method-add"),
    path("methods/<int:pk>/edit/", manage_plan.method_edit, name="method-edit"),
    path("methods/<int:pk>/items/add/", manage_plan.item_add, name="item-add"),
    path("items/<int:pk>/edit/", manage_plan.item_edit, name="item-edit"),
    path("items/<int:pk>/indicators/add/", manage_plan.indicator_add, name="indicator-add"),
    path("indicators/<int:pk>/edit/", manage_plan.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/remove/", manage_plan.indicator_remove, name="indicator-remove"),
    path("plan/<slug:kind>/<int:pk>/move/", manage_plan.node_move, name="node-move"),
    path("plan/<slug:kind>/<int:pk>/retire/", manage_plan.node_retire, name="node-retire"),
    path("units/", manage_people.units, name="units"),
    path("units/<int:pk>/edit/", manage_people.unit_edit, name="unit-edit"),
    path("units/<int:pk>/retire/", manage_people.unit_retire, name="unit-retire"),
    path("users/", manage_people.users, name="users"),
    path("users/add/", manage_people.user_add, name="user-add"),
    path("users/<int:pk>/edit/", manage_people.user_edit, name="user-edit"),
    path("users/<int:pk>/active/", manage_people.user_active, name="user-active"),
    path("users/<int:pk>/password/", manage_people.user_password, name="user-password"),
    path("users/<int:pk>/unlock/", manage_people.user_unlock, name="user-unlock"),
    path(
        "users/waiting/<int:user_id>/role/", manage_directory.assign_role, name="user-assign-role"
    ),
    path("directory-groups/", manage_directory.group_mappings, name="directory-groups"),
    path(
        "directory-groups/<int:pk>/remove/",
        manage_directory.group_mapping_remove,
        name="directory-group-remove",
    ),
]
