from django.urls import include, path

urlpatterns = [
    path("", include("cases.api.urls")),
    path("", include("advocacy.api.urls")),
    path("", include("accounts.api")),
]
