"""How a letter reaches its decision maker, and the network calls that deliver it.

Order of preference: Communicating with Congress when credentials are configured and the office
has a CWC code; email when the decision maker has an address; otherwise the CWC XML is kept for
export (congressional offices), the letter goes into the printable batches (a postal address), or
the supporter is given the office's contact form - the last resort.
"""
import http.client
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMessage

from config.mail import MailSession, PermanentError, TransientError, Unconfirmed, _reason, _shut  # noqa: F401

from ..models import Channel, DecisionMaker


def cwc_configured() -> bool:
    return bool(settings.CWC_API_URL and settings.CWC_API_KEY)


def choose_channel(dm: DecisionMaker) -> str:
    if dm.cwc_office_code and cwc_configured():
        return Channel.CWC
    if dm.email:
        return Channel.EMAIL
    if dm.cwc_office_code:
        return Channel.CWC  # generated, validated and kept for export
    if dm.postal_address or not dm.contact_form_url:
        return Channel.PRINT
    return Channel.CONTACT_FORM


def automatic_channels() -> tuple[str, ...]:
    """The channels a worker delivers by itself; the others rest, rendered, for export or hand delivery."""
    return (Channel.EMAIL, Channel.CWC) if cwc_configured() else (Channel.EMAIL,)


def letter_message(*, subject: str, body: str, to: str, reply_to: str, from_name: str,
                   message_id: str) -> EmailMessage:
    from_email = f'"{from_name.replace(chr(34), "")}" <{settings.LETTER_FROM_EMAIL}>'
    return EmailMessage(subject=subject, body=body, from_email=from_email, to=[to], reply_to=[reply_to],
                        headers={"Message-ID": message_id})


def post_cwc(xml: str, *, timeout: float) -> None:
    """Post one CWC message. `timeout` bounds the whole request (connecting, sending, the answer),
    as for email: at the deadline the socket is shut. A repeat is harmless (the DeliveryId makes the
    House and Senate answer 409), so any unanswered post is simply tried again."""
    url = urlsplit(settings.CWC_API_URL)
    kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    conn = kind(url.hostname, url.port, timeout=timeout)
    watchdog = threading.Timer(timeout, lambda: _shut(conn.sock))
    watchdog.daemon = True
    path = urlunsplit(("", "", url.path or "/", urlencode([*parse_qsl(url.query), ("apikey", settings.CWC_API_KEY)]), ""))
    watchdog.start()
    try:
        conn.request("POST", path, body=xml.encode(), headers={"Content-Type": "application/xml"})
        response = conn.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        raise TransientError(_reason(exc)) from exc
    finally:
        watchdog.cancel()
        conn.close()
    if 200 <= status < 300 or status == 409:
        return  # accepted; or (409) this DeliveryId was already accepted: the letter is delivered, once
    if status in (401, 403, 429) or status >= 500:
        raise TransientError(f"CWC HTTP {status}")
    raise PermanentError(f"CWC HTTP {status}")  # a refusal, or a redirect: not delivered
