from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from perfreport import health, i18n, passwords, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    # Login puts back the member's remembered language (perfreport/i18n.py).
    path("login/", i18n.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("password/", passwords.change, name="password_change"),
    path("password/done/", passwords.change_done, name="password_change_done"),
    path("password-reset/", passwords.reset, name="password_reset"),
    path("password-reset/sent/", passwords.reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/", passwords.reset_confirm, name="password_reset_confirm"
    ),
    path("password-reset/done/", passwords.reset_complete, name="password_reset_complete"),
    path("", include("strategies.urls")),
    path("manage/", include("strategies.urls_manage")),
    path("scoring/", include("scoring.urls")),
    path("reports/", include("perfreport.reports.urls")),
    path("admin/", admin.site.urls),
]

# A database outage outside any view (a logged-in user's session) still gets the 503 page.
handler500 = "perfreport.health.server_error"
