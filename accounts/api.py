"""Account endpoints: exchange email, password and second factor for an API token; who am I; my
tokens (list, end one)."""
from django.contrib.auth import authenticate
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from . import tokens, two_factor
from .client_ip import client_ip
from .selectors import active_memberships


class TokenInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text=(
        "The 6-digit code from your authenticator app, or a recovery code: required once two-factor "
        "sign-in is set up, which it must be for admins and advocates."))


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="The secret: shown only in this answer, kept only as a hash.")
    id = serializers.CharField(help_text="Names the token in the list of your tokens and to end it.")
    expiry = serializers.DateTimeField()


class TokenThrottle(AnonRateThrottle):
    scope = "token"

    def get_ident(self, request: Request) -> str:
        return client_ip(request)  # the project's one source, never a client-sent header


class ObtainToken(APIView):
    """POST email, password and (once two-factor sign-in is set up) the authenticator's code; get a
    new token to send as `Authorization: Token <token>`, good for API_TOKEN_DAYS (30 by default)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TokenThrottle]

    @extend_schema(request=TokenInput, responses={200: TokenOutput})
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        # Django's own request, not DRF's wrapper: the lockout (django-axes) marks it, and its
        # middleware answers 429 for a locked-out account even when the password is right.
        user = authenticate(request._request, email=data.validated_data["email"].lower(),
                            password=data.validated_data["password"])
        if user is None:
            # Same answer for an unknown email and a wrong password.
            return Response({"non_field_errors": ["Email or password is not correct."]}, status=status.HTTP_400_BAD_REQUEST)
        if two_factor.authenticator(user) is not None:
            code = data.validated_data.get("code", "")
            if not code:
                return Response({"code": [_("Enter the 6-digit code from your authenticator app, or a recovery code.")]},
                                status=status.HTTP_400_BAD_REQUEST)
            try:
                if two_factor.check_code(user=user, code=code) is None:
                    return Response({"code": [_("That code is not right, or was already used.")]},
                                    status=status.HTTP_400_BAD_REQUEST)
            except two_factor.TooManyTries as slow:
                return Response({"code": [_("Too many wrong codes: wait and try again.")]},
                                status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(slow.seconds)})
        elif two_factor.must_use(user):
            return Response({"detail": _("Set up two-factor sign-in at /accounts/two-factor/ first: your role "
                                         "requires it."), "code": "two_factor_required"},
                            status=status.HTTP_403_FORBIDDEN)
        token, secret = tokens.token_issue(user=user, request=request)
        return Response(TokenOutput({"token": secret, "id": tokens.token_id(token), "expiry": token.expiry}).data)


class MembershipOutput(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.id")
    organization_name = serializers.CharField(source="organization.name")
    organization_slug = serializers.CharField(source="organization.slug")
    role = serializers.CharField()


class MeOutput(serializers.Serializer):
    email = serializers.EmailField()
    memberships = MembershipOutput(many=True)


class Me(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        return Response(MeOutput({"email": request.user.email,
                                  "memberships": list(active_memberships(user=request.user))}).data)


class TokenRow(serializers.Serializer):
    id = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    def get_id(self, token) -> str:  # noqa: ANN001
        return tokens.token_id(token)

    def get_current(self, token) -> bool:  # noqa: ANN001
        return getattr(self.context["request"].auth, "digest", None) == token.digest


class MyTokens(APIView):
    """Your API tokens, newest first (no secrets: those were shown once, when issued)."""

    @extend_schema(responses=TokenRow(many=True))
    def get(self, request: Request) -> Response:
        return Response(TokenRow(tokens.tokens_of(user=request.user), many=True, context={"request": request}).data)


class MyToken(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, token_id: str) -> Response:
        """End one of your tokens now (the one you are using, too)."""
        try:
            tokens.token_revoke(actor=request.user, user=request.user, token_id_=token_id)
        except tokens.AuthToken.DoesNotExist:
            raise NotFound from None
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("me/", Me.as_view(), name="api-me"),
    path("me/tokens/", MyTokens.as_view(), name="api-my-tokens"),
    path("me/tokens/<str:token_id>/", MyToken.as_view(), name="api-my-token"),
]
