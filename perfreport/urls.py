from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from perfreport import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("strategies.urls")),
    path("manage/", include("strategies.urls_manage")),
    path("scoring/", include("scoring.urls")),
    path("reports/", include("perfreport.reports.urls")),
    path("admin/", admin.site.urls),
]
