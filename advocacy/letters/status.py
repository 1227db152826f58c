"""What a supporter is told about each of their letters: what will happen to it (by channel) and,
once it exists, where it stands. The thank-you page, the supporter's email and the status page
(reached through a signed link in that email) say the same words."""
from django.core import signing
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import Channel, LetterStatus, Submission
from ..services.channels import automatic_channels, cwc_configured

STATUS_SALT = "advocacy.letters-status"
STATUS_MAX_AGE = 180 * 24 * 3600  # the link in the email works for six months


def status_token(submission_id: int) -> str:
    """The status link's token: the submission's id, signed (no name, no address, no email)."""
    return signing.dumps(submission_id, salt=STATUS_SALT)


def submission_for_token(token: str, action_id: int) -> Submission | None:
    try:
        submission_id = signing.loads(token, salt=STATUS_SALT, max_age=STATUS_MAX_AGE)
    except signing.BadSignature:
        return None
    return Submission.objects.filter(pk=submission_id, action_id=action_id).first() if isinstance(
        submission_id, int) else None


def plan(channel: str, name: str, organization: str) -> str:
    """What will happen to a letter, in words a supporter can hold us to."""
    if channel == Channel.EMAIL:
        return _("Emailed to %(name)s's office, with your email address for their reply.") % {"name": name}
    if channel == Channel.CWC and cwc_configured():
        return _("Delivered to %(name)s's office inbox through Communicating with Congress, Congress's system for "
                 "messages from constituents.") % {"name": name}
    if channel == Channel.CWC:
        return _("Prepared for %(name)s's office: %(org)s sends it to the office's inbox (Communicating with "
                 "Congress). Until then it waits with them.") % {"name": name, "org": organization}
    if channel == Channel.PRINT:
        return _("Printed and delivered to %(name)s's office by %(org)s, with the other letters to this office.") % {
            "name": name, "org": organization}
    return _("%(name)s only takes messages through their website: please send it yourself (below).") % {"name": name}


def status_words(channel: str, status: str | None, sent_at: object) -> str:
    """What did happen, once the letter exists."""
    if status is None or status == LetterStatus.CANCELLED:
        return ""
    if status == LetterStatus.SENT:
        day = date_format(timezone.localtime(sent_at), "DATE_FORMAT")
        return (_("Delivered by hand on %(day)s.") if channel == Channel.PRINT else _("Sent on %(day)s.")) % {"day": day}
    if status == LetterStatus.FAILED:
        return _("It could not be delivered; the organizers have been told.")
    if status == LetterStatus.UNCONFIRMED:
        return _("Handed to the office's mail server, which did not confirm it yet.")
    if channel in automatic_channels():
        return _("On its way.")
    if channel == Channel.PRINT:
        return _("Waiting to be printed.")
    if channel == Channel.CWC:
        return _("Waiting to be sent.")
    return ""


