from django.urls import path

from perfreport.reports import signoff, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:org>/<int:roc_year>/", views.report, name="report"),
    path("<slug:org>/<int:roc_year>/download/<slug:format>/", views.download, name="download"),
    path("<slug:org>/<int:roc_year>/issued/<int:pk>/", views.issued_file, name="issued-file"),
    # Issue 4: the auditor signs the review off; the year is locked and its report issued.
    path("<slug:org>/<int:roc_year>/sign-off/", signoff.sign_off, name="sign-off"),
]
