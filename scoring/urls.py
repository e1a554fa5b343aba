from django.urls import path

from scoring import hq_views, views, year_views

app_name = "scoring"

# /scoring/khh/112/ : organization code and ROC year, as people say it ("高雄分局 112 年度").
urlpatterns = [
    path("years/copy/", year_views.copy_year, name="copy-year"),  # the admin's copy-year form
    path("hq/", hq_views.hq_comparison, name="hq-comparison"),
    path("hq.xlsx", hq_views.hq_comparison_xlsx, name="hq-comparison-xlsx"),
    path("", views.index, name="index"),
    path("<slug:org>/<int:roc_year>/", views.score_sheet, name="score-sheet"),
    path(
        "<slug:org>/<int:roc_year>/scores/<slug:round>/",
        views.score_edit,
        name="score-edit",
    ),
    path("<slug:org>/<int:roc_year>/bands/", views.bands_edit, name="bands-edit"),
    path("<slug:org>/<int:roc_year>/review/", views.review, name="review"),
    path("<slug:org>/<int:roc_year>/reopen/", views.reopen, name="reopen"),
]
