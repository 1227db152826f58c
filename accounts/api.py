"""Account endpoints: exchange email and password for an API token; who am I."""
from django.contrib.auth import authenticate
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from .client_ip import client_ip
from .selectors import active_memberships


class TokenInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class TokenThrottle(AnonRateThrottle):
    scope = "token"

    def get_ident(self, request: Request) -> str:
        return client_ip(request)  # the project's one source, never a client-sent header


class ObtainToken(APIView):
    """POST email and password, get the token to send as `Authorization: Token <token>`."""

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
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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


urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("me/", Me.as_view(), name="api-me"),
]
