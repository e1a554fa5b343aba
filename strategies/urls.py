from django.urls import path

from strategies.views import entries, items, mail_settings, month_locks, notifications

app_name = "strategies"

urlpatterns = [
    path("my-work/", entries.my_work, name="my-work"),
    path(
        "items/<int:item_id>/units/<int:unit_id>/months/<int:month>/",
        entries.entry_edit,
        name="entry-edit",
    ),
    path("entries/<int:entry_id>/review/", entries.entry_review, name="entry-review"),
    path("entries/<int:entry_id>/reopen/", entries.entry_reopen, name="entry-reopen"),
    path("entries/<int:entry_id>/comments/", entries.entry_comment, name="entry-comment"),
    path("items/<int:item_id>/history/", items.item_history, name="item-history"),
    path("items/<int:item_id>/results/", items.item_results, name="item-results"),
    path("evidence/<int:evidence_id>/", entries.evidence_download, name="evidence-download"),
    path("years/<int:year_id>/month-locks/", month_locks.month_locks, name="month-locks"),
    path(
        "settings/notifications/",
        mail_settings.notification_settings,
        name="notification-settings",
    ),
    path("notifications/", notifications.inbox, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
]
