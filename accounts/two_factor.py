"""Two-factor sign-in (django-otp): who must use it, enrolment, and checking a code.

A user passes the second factor with a TOTP code from an authenticator app (one device per
user) or with one of their recovery codes (django-otp's static device, each code good once).
Who must: every role that reads PII (roles.MUST_USE_TWO_FACTOR), Django staff (the admin shows
PII), anyone a case was shared with in person (shares carry PII), and every member of an
organisation whose admin requires it. Anyone else may enrol; once enrolled, they always use it.
There is no setting that turns this off.
"""
import math
import re
from base64 import b32encode

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import audit
from .models import AccessKind, AccessVia, Membership, Organization, User
from .roles import CAN_MANAGE_MEMBERS, MUST_USE_TWO_FACTOR, VIEW_PII

RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# A demo login's authenticator (demo.families): the development sign-in shows its current code.
DEMO_NAME = "Demo authenticator"

_SPACES = re.compile(r"[\s-]+")


def _must_use() -> Q:
    """The users who must use a second factor, as a condition on User."""
    from cases.models import CaseUserObjectPermission  # lazy: cases builds on accounts

    pii_role = Membership.objects.filter(user=OuterRef("pk"), is_active=True).filter(
        Q(role__in=MUST_USE_TWO_FACTOR) | Q(organization__require_two_factor=True))
    pii_share = CaseUserObjectPermission.objects.filter(user=OuterRef("pk"), permission__codename=VIEW_PII)
    return Q(is_staff=True) | Q(is_superuser=True) | Q(Exists(pii_role)) | Q(Exists(pii_share))


def _has_authenticator() -> Exists:
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))


def _has_key() -> Exists:
    return Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True))


def must_use(user: User) -> bool:
    """Must this user pass a second factor before anything else? One query."""
    return User.objects.filter(Q(pk=user.pk) & _must_use()).exists()


def needs_second_step(user: User) -> bool:
    """Must this signed-in, not yet verified user pass the second factor (or enrol) first? Those
    who must use it, and anyone with an authenticator. One query."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    return User.objects.filter(Q(pk=user.pk) & (_must_use() | Q(_has_authenticator()) | Q(_has_key()))).exists()


def lacks_required_factor(user: User) -> bool:
    """Must use a second factor and has no authenticator (a token issued before the rule reached
    them: their role changed, or their organisation began to require it). One query."""
    return User.objects.filter(Q(pk=user.pk) & _must_use() & ~Q(_has_authenticator())).exists()


def webauthn_rp_id(request) -> str:  # noqa: ANN001
    """Security keys belong to this site's host name (OTP_WEBAUTHN_RP_ID_CALLABLE)."""
    return request.get_host().rsplit(":", 1)[0]


def keys_of(user: User) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at"))


@transaction.atomic
def key_remove(*, user: User, key_id: int) -> None:
    """The user removes one of their security keys (their authenticator app stays)."""
    deleted, _ = WebAuthnCredential.objects.filter(user=user, pk=key_id).delete()
    if not deleted:
        raise WebAuthnCredential.DoesNotExist
    audit.record(None, AccessKind.TWO_FACTOR_CHANGED, user=user, what="security key removed")


def authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def users_with_authenticator(user_ids: list[int]) -> set[int]:
    """Which of these users have set up an authenticator (the Members page): one query."""
    return set(TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True))


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise(code: str) -> str:
    return _SPACES.sub("", code or "").lower()


class TooManyTries(Exception):
    """Wrong codes came too fast: django-otp refuses every code on that device (even the right
    one) for a delay that doubles with each failure."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def check_code(*, user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code, or None. Six digits are a TOTP code (not accepted twice);
    anything else is tried as a recovery code (used up by this). Raises TooManyTries while the
    device is slowed down after wrong codes."""
    code = normalise(code)
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
        else:
            devices = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        for device in devices:
            allowed, info = device.verify_is_allowed()
            if not allowed and info and info.get("locked_until"):
                raise TooManyTries(max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds())))
            if device.verify_token(code):
                return device
    return None


def verify(request, code: str) -> bool:  # noqa: ANN001
    """The signed-in user passes the second factor with `code`; the session remembers it."""
    try:
        device = check_code(user=request.user, code=code)
    except TooManyTries:
        audit.record(request, AccessKind.SECOND_FACTOR_FAILED, via=AccessVia.PAGE, what="slowed down")
        raise
    if device is None:
        audit.record(request, AccessKind.SECOND_FACTOR_FAILED, via=AccessVia.PAGE)
        return False
    otp_login(request, device)
    audit.record(request, AccessKind.SECOND_FACTOR, via=AccessVia.PAGE,
                 what="recovery code" if isinstance(device, StaticDevice) else "authenticator app")
    return True


def verify_enrolled(request, device: TOTPDevice) -> None:  # noqa: ANN001
    """The code that confirmed a new authenticator also passes this session's second factor."""
    otp_login(request, device)


def secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator (a fresh secret) for the user to add to their app. An earlier
    unfinished enrolment is replaced; a confirmed authenticator stays until the new one is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def pending_enrolment(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """The first code from the app proves the secret arrived: the authenticator replaces any
    earlier one, and a new set of recovery codes replaces the old. Returns the recovery codes,
    shown once. API tokens issued before the change end (accounts.tokens)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(normalise(code)):
        raise ValidationError({"code": _("That code is not right. Check the time on your phone, and enter the "
                                         "6 digits your app shows now.")})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_new(user=user, _log=False)
    _two_factor_changed(user, actor=user, what="authenticator set up")
    return codes


@transaction.atomic
def recovery_codes_new(*, user: User, _log: bool = True) -> list[str]:
    """A new set of recovery codes; the old set stops working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    if _log:
        audit.record(None, AccessKind.TWO_FACTOR_CHANGED, user=user, what="new recovery codes")
    return codes


@transaction.atomic
def two_factor_remove(*, user: User, actor: User) -> None:
    """Remove a user's authenticator and recovery codes. The user may do it only when nobody
    requires it of them; an admin of one of their organisations may do it for a member who lost
    their phone and codes (the member enrols again at their next sign-in)."""
    if actor.pk == user.pk:
        if must_use(user):
            raise PermissionDenied(_("Your role requires two-factor sign-in: set up a new authenticator "
                                     "instead of removing it."))
    elif not Membership.objects.filter(
            user=actor, is_active=True, role__in=CAN_MANAGE_MEMBERS,
            organization__in=Organization.objects.filter(memberships__user=user)).exists():
        raise PermissionDenied(_("Only an admin of the member's organisation may reset their two-factor sign-in."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    _two_factor_changed(user, actor=actor, what="turned off" if actor.pk == user.pk else "reset by an admin")


@transaction.atomic
def organization_require_two_factor(*, organization: Organization, required: bool, actor: User) -> None:
    if not Membership.objects.filter(user=actor, organization=organization, is_active=True,
                                     role__in=CAN_MANAGE_MEMBERS).exists():
        raise PermissionDenied(_("Only an organisation admin may change this."))
    Organization.objects.filter(pk=organization.pk).update(require_two_factor=required)
    organization.require_two_factor = required


def _two_factor_changed(user: User, *, actor: User, what: str) -> None:
    from .tokens import tokens_end_for  # lazy: tokens import this module's policy

    tokens_end_for(user=user)
    # The entry names the member whose sign-in changed; an admin's reset says so in `what`.
    audit.record(None, AccessKind.TWO_FACTOR_CHANGED, user=user, what=what)
