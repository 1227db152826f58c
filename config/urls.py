from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import two_factor_views
from accounts import views as account_views
from advocacy import decision_maker_views
from advocacy import staff as action_views
from advocacy import views as advocacy_views
from cases import export_views, import_views, schedule_views
from cases import views as case_views
from config.views import SignInView

# Swagger UI (drf-spectacular-sidecar, pinned) adds one <style> element of its own: the API docs
# page alone allows exactly that style, by its hash. Nothing else on it is inline.
SWAGGER_UI_STYLE = csp_update({"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]})

urlpatterns = [
    # Staff pages (sign-in required)
    path("", case_views.dashboard, name="home"),
    path("cases/", case_views.case_list, name="staff-case-list"),
    path("cases/new/", case_views.case_new, name="staff-case-new"),
    path("cases/<int:pk>/", case_views.case_detail, name="staff-case"),
    path("cases/<int:pk>/do/<slug:name>/", case_views.case_transition, name="staff-case-do"),
    path("cases/<int:pk>/documents/<int:document_pk>/", case_views.case_document, name="staff-case-document"),
    path("cases/<int:pk>/summaries/", export_views.summary_new, name="staff-case-summary-new"),
    path("cases/<int:pk>/summaries/<int:summary_pk>/", export_views.summary_status, name="staff-case-summary"),
    path("cases/<int:pk>/summaries/<int:summary_pk>/pdf/", export_views.summary_pdf, name="staff-case-summary-pdf"),
    path("cases/<int:pk>/edit/<slug:kind>/<int:row_pk>/", case_views.case_record_edit, name="staff-case-edit"),
    path("imports/", import_views.import_start, name="import-start"),
    path("imports/template.csv", import_views.import_template, name="import-template"),
    path("imports/<int:pk>/", import_views.import_detail, name="import"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/refused-rows.csv", import_views.import_rejected, name="import-rejected"),
    path("facilities/new/", case_views.facility_new, name="staff-facility-new"),
    path("actions/", action_views.action_list, name="staff-action-list"),
    path("actions/new/", action_views.action_create, name="staff-action-new"),
    path("actions/<int:pk>/", action_views.action_detail, name="staff-action"),
    path("actions/<int:pk>/edit/", action_views.action_edit, name="staff-action-edit"),
    path("actions/<int:pk>/do/<slug:name>/", action_views.action_transition, name="staff-action-do"),
    path("actions/<int:pk>/batches/", action_views.batch_create, name="staff-batch-create"),
    path("actions/<int:pk>/letters/retry/", action_views.letters_retry, name="staff-letters-retry"),
    path("decision-makers/", decision_maker_views.decision_maker_list, name="staff-decision-makers"),
    path("decision-makers/new/", decision_maker_views.decision_maker_new, name="staff-decision-maker-new"),
    path("decision-makers/<int:pk>/edit/", decision_maker_views.decision_maker_edit, name="staff-decision-maker-edit"),
    path("actions/<int:pk>/handwritten/", action_views.handwritten_record, name="staff-action-handwritten"),
    path("actions/<int:pk>/batches/<int:batch_pk>/", action_views.batch_status, name="staff-batch"),
    path("members/", account_views.members, name="members"),
    path("members/access-log/", account_views.access_log, name="access-log"),
    path("accounts/reminders/", schedule_views.reminder_settings, name="reminder-settings"),
    # A calendar app's subscription: the secret in the path is the only key (cases.services.calendar).
    path("calendar/<str:secret>/feed.ics", schedule_views.calendar_feed, name="calendar-feed"),
    path("accounts/language/", account_views.set_language, name="set-language"),
    path("accounts/organization/", account_views.switch_organization, name="switch-organization"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/two-factor/", two_factor_views.two_factor_page, name="two-factor"),
    path("accounts/two-factor/setup/", two_factor_views.two_factor_setup, name="two-factor-setup"),
    path("accounts/two-factor/keys/", include("accounts.webauthn_urls", namespace="otp_webauthn")),
    path("accounts/password_reset/", account_views.LimitedPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # Public action pages (no sign-in)
    path("act/<slug:slug>/", advocacy_views.act, name="act"),
    path("act/<slug:slug>/targets/", advocacy_views.act_targets, name="act-targets"),
    path("act/<slug:slug>/thanks/", advocacy_views.thanks, name="act-thanks"),
    path("act/<slug:slug>/letters/<str:token>/", advocacy_views.letters_status, name="act-letters"),
    path("act/<slug:slug>/kit/", advocacy_views.kit, name="act-kit"),
    # API
    path("api/v1/", include("config.api_urls")),
    path("api-auth/", include("rest_framework.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script for the CSP.
    path("api/docs/", SWAGGER_UI_STYLE(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
]
