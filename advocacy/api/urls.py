from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("actions", views.ActionViewSet, basename="action")
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("letters", views.LetterViewSet, basename="letter")
router.register("pdf-batches", views.PdfBatchViewSet, basename="pdfbatch")
router.register("action-shares", views.ActionShareViewSet, basename="actionshare")
router.register("decision-makers", views.DecisionMakerViewSet, basename="decisionmaker")

urlpatterns = [
    *router.urls,
    path("public/actions/<slug:slug>/progress/", views.PublicProgress.as_view(), name="public-progress"),
]
