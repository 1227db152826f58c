"""API tokens (django-rest-knox): issued after both factors, each expiring (API_TOKEN_DAYS, 30 by
default), kept only as a hash, listed and revocable by their owner and by an admin of an
organisation the owner belongs to, and all ended when the owner's password or second factor
changes or a membership ends."""
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions

from . import audit, two_factor
from .models import AccessKind, AccessVia, Membership, User
from .roles import CAN_MANAGE_MEMBERS

# A token is named by the start of its hash: enough to tell a user's tokens apart, and nothing
# of the secret (which is never stored) in a page or URL.
ID_LENGTH = 12
_TOKEN_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")


def token_id(token: AuthToken) -> str:
    return token.digest[:ID_LENGTH]


def token_issue(*, user: User, request: object = None) -> tuple[AuthToken, str]:
    """A new token for a user who has just passed both factors (accounts.api). The secret is in
    the answer only."""
    token, secret = AuthToken.objects.create(user=user)
    audit.record(request, AccessKind.TOKEN, user=user, via=AccessVia.API, what=f"issued {token_id(token)}")
    return token, secret


def tokens_of(*, user: User) -> QuerySet[AuthToken]:
    """The user's live tokens, newest first (an expired one is gone at its next use)."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def tokens_by_user(user_ids: list[int]) -> dict[int, list[dict]]:
    """Each user's live tokens, for the Members page: one query, no secrets."""
    out: dict[int, list[dict]] = {}
    for token in AuthToken.objects.filter(user_id__in=user_ids, expiry__gt=timezone.now()).order_by("-created"):
        out.setdefault(token.user_id, []).append({"id": token_id(token), "created": token.created,
                                                  "expiry": token.expiry})
    return out


def tokens_end_for(*, user: User) -> int:
    """Every API token of the user stops working (password or second factor changed, membership
    ended, or the user asked). Returns how many ended."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def _may_manage_tokens_of(actor: User, user: User) -> bool:
    return actor.pk == user.pk or Membership.objects.filter(
        user=actor, is_active=True, role__in=CAN_MANAGE_MEMBERS,
        organization__memberships__user=user).exists()


@transaction.atomic
def token_revoke(*, actor: User, user: User, token_id_: str) -> None:
    """End one token: its owner may, and an admin of an organisation its owner is a member of."""
    if not _may_manage_tokens_of(actor, user):
        raise PermissionDenied(_("Only the token's owner or an admin of their organisation may end it."))
    if not _TOKEN_ID.fullmatch(token_id_ or ""):  # the start of a hex digest, or nothing we hold
        raise AuthToken.DoesNotExist
    matches = list(AuthToken.objects.filter(user=user, digest__startswith=token_id_))
    if len(matches) != 1:
        raise AuthToken.DoesNotExist
    matches[0].delete()
    audit.record(None, AccessKind.TOKEN, user=user, what=f"ended {token_id_}" + ("" if actor.pk == user.pk else
                                                                                   " by an admin"))


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <secret>`. A missing, expired or ended token is a 401. A user who must
    use a second factor and has none (the rule reached them after the token was issued: a new
    role, or their organisation began to require it) is refused until they set one up; tokens
    end when a second factor is set up, so every live token of a user with one was issued with it."""

    def validate_user(self, auth_token: AuthToken):  # noqa: ANN201
        user, token = super().validate_user(auth_token)
        if two_factor.lacks_required_factor(user):
            raise exceptions.PermissionDenied(gettext_lazy(
                "Two-factor sign-in is required. Set it up at /accounts/two-factor/ and ask for a new token."))
        return user, token


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes these tokens: `Authorization: Token <secret>`."""

    target_class = "accounts.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):  # noqa: ANN001, ANN201
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
