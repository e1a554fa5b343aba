from django.urls import path

from perfreport.reports import job_views, signoff, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    # Before the "<org>/<year>/" patterns, which would otherwise take "jobs/<pk>/".
    path("jobs/<int:pk>/", job_views.export_job, name="export-job"),
    path("jobs/<int:pk>/status/", job_views.export_job_status, name="export-job-status"),
    path("jobs/<int:pk>/download/", job_views.export_job_download, name="export-job-download"),
    path("<slug:org>/<int:roc_year>/", views.report, name="report"),
    path("<slug:org>/<int:roc_year>/download/<slug:format>/", views.download, name="download"),
    path("<slug:org>/<int:roc_year>/issued/<int:pk>/", views.issued_file, name="issued-file"),
    # Exports that take seconds run in the background; the browser follows their progress.
    path(
        "<slug:org>/<int:roc_year>/export/<slug:format>/",
        job_views.export_start,
        name="export-start",
    ),
    # The auditor signs the review off (after a confirmation page); the year is locked and its
    # report issued in the background, the page following the progress.
    path("<slug:org>/<int:roc_year>/sign-off/", signoff.sign_off, name="sign-off"),
    path(
        "<slug:org>/<int:roc_year>/versions/<int:pk>/",
        signoff.issue_progress,
        name="issue-progress",
    ),
    path(
        "<slug:org>/<int:roc_year>/versions/<int:pk>/retry/",
        signoff.issue_retry,
        name="issue-retry",
    ),
]
