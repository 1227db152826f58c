from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("shares", views.ShareViewSet, basename="share")
router.register("people", views.PersonViewSet, basename="person")
router.register("custody-episodes", views.CustodyEpisodeViewSet, basename="custodyepisode")
router.register("sponsors", views.SponsorViewSet, basename="sponsor")
router.register("credible-fear", views.FearProcessViewSet, basename="crediblefear")
router.register("proceedings", views.ProceedingViewSet, basename="proceeding")
router.register("hearings", views.HearingViewSet, basename="hearing")
router.register("notes", views.NoteViewSet, basename="note")
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("field-offices", views.FieldOfficeViewSet, basename="fieldoffice")

urlpatterns = router.urls
