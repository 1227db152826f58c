"""Security keys (django-otp-webauthn) under /accounts/two-factor/keys/: the library's views, with
the two that finish a ceremony writing the access log (a key added, a key used)."""
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views

from . import audit
from .models import AccessKind, AccessVia

app_name = "otp_webauthn"  # the library's templates and scripts reverse these names


class KeyAdded(views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            audit.record(self.request, AccessKind.TWO_FACTOR_CHANGED, via=AccessVia.PAGE, what="security key added")
        return response


class KeyUsed(views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):  # noqa: ANN001, ANN201
        result = super().complete_auth(device)
        audit.record(self.request, AccessKind.SECOND_FACTOR, via=AccessVia.PAGE, what="security key")
        return result


urlpatterns = [
    path("registration/begin/", views.BeginCredentialRegistrationView.as_view(),
         name="credential-registration-begin"),
    path("registration/complete/", KeyAdded.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", views.BeginCredentialAuthenticationView.as_view(),
         name="credential-authentication-begin"),
    path("authentication/complete/", KeyUsed.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
