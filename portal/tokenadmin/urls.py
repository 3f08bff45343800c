"""The admin area, under /admin/ (imports and the audit trail mount their own URLs beside it)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.tokenadmin.views import dashboard, inventory, program, replace, replace_gone, users

app_name = "tokenadmin"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", dashboard.home, name="home"),
    # The token program: snapshot, queue actions, reports
    path("program/refresh", program.refresh, name="program_refresh"),
    path("program/lockouts/lift", program.lockout_lift, name="lockout_lift"),
    path("attention/<slug:rule>/", program.attention_rule, name="attention_rule"),
    path("attention/<slug:rule>.csv", program.attention_export, name="attention_csv"),
    path("reports/", program.index, name="reports"),
    path("reports/<slug:kind>.csv", program.export, name="report_csv"),
    # People and their tokens
    path("users/", users.search, name="users"),
    path("users/<uuid:user_id>/", users.detail, name="user"),
    path("users/<uuid:user_id>/lockout/lift", users.lockout_lift, name="user_lockout_lift"),
    path("users/<uuid:user_id>/assign", users.give, name="user_assign"),
    path("users/<uuid:user_id>/tokens/<uuid:method_id>/activate", users.activate, name="user_activate"),
    path("users/<uuid:user_id>/tokens/<uuid:method_id>/deactivate", users.deactivate, name="user_deactivate"),
    path("users/<uuid:user_id>/tokens/<uuid:method_id>/unassign", users.unassign, name="user_unassign"),
    path("users/<uuid:user_id>/tokens/<uuid:method_id>/replace", replace.replace, name="user_replace"),
    # Replace when the old token is already gone (reported by the person): a pass and/or a replacement
    path("users/<uuid:user_id>/replace", replace_gone.replace_gone, name="user_replace_gone"),
    path("stock/", replace.stock, name="stock"),
    # The tenant's inventory
    path("inventory/", inventory.index, name="inventory"),
    path("inventory/new", inventory.create, name="inventory_create"),
    path("inventory/<uuid:device_id>/", inventory.detail, name="device"),
    path("inventory/<uuid:device_id>/edit", inventory.edit, name="device_edit"),
    path("inventory/<uuid:device_id>/delete", inventory.delete, name="device_delete"),
    path("inventory/<uuid:device_id>/assign", inventory.assign, name="device_assign"),
    path("inventory/<uuid:device_id>/lifecycle", inventory.lifecycle, name="device_lifecycle"),
    path("inventory/<uuid:device_id>/retire", inventory.retire, name="device_retire"),
]
