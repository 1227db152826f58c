from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import home
from advocacy import views as advocacy_views

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("act/<slug:slug>/", advocacy_views.act, name="act"),
    path("act/<slug:slug>/targets/", advocacy_views.act_targets, name="act-targets"),
    path("act/<slug:slug>/thanks/", advocacy_views.thanks, name="act-thanks"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api-auth/", include("rest_framework.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
