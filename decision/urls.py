from django.urls import path

from decision import views, views_followup, views_prescription, views_print, views_review
from decision.api.account import account
from decision.cds.prefill import start_from_ehr

urlpatterns = [
    path("", views.home, name="home"),
    path("consultations/new/", views.consultation_step, name="consultation_new"),
    path("consultations/from-ehr/", start_from_ehr, name="consultation_from_ehr"),
    path("consultations/<uuid:pk>/", views.consultation_resume, name="consultation_resume"),
    path(
        "consultations/<uuid:pk>/steps/<slug:slug>/",
        views.consultation_step,
        name="consultation_step",
    ),
    path("consultations/<uuid:pk>/result/", views.consultation_result, name="consultation_result"),
    path("consultations/<uuid:pk>/copy/", views.consultation_copy, name="consultation_copy"),
    path(
        "consultations/<uuid:pk>/timeline/",
        views_followup.consultation_timeline,
        name="consultation_timeline",
    ),
    path(
        "consultations/<uuid:pk>/review/", views_followup.review_visit, name="consultation_review"
    ),
    path(
        "consultations/<uuid:pk>/summary/",
        views_print.consultation_summary,
        name="consultation_summary",
    ),
    path(
        "consultations/<uuid:pk>/summary.pdf",
        views_print.consultation_summary_pdf,
        name="consultation_summary_pdf",
    ),
    path(
        "consultations/<uuid:pk>/handout/",
        views_print.consultation_handout,
        name="consultation_handout",
    ),
    path(
        "consultations/<uuid:pk>/handout.pdf",
        views_print.consultation_handout_pdf,
        name="consultation_handout_pdf",
    ),
    path(
        "consultations/<uuid:pk>/feedback/",
        views_review.consultation_feedback,
        name="consultation_feedback",
    ),
    path(
        "consultations/<uuid:pk>/prescription/",
        views_prescription.consultation_prescription,
        name="consultation_prescription",
    ),
    path("review/", views_review.review_dashboard, name="review_dashboard"),
    path("review/figures.csv", views_review.review_dashboard_csv, name="review_dashboard_csv"),
    path("review/indicators.csv", views_review.indicators_csv, name="review_indicators_csv"),
    path("account/", account, name="account"),
]
