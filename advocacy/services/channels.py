"""How a letter reaches its decision maker, and the network calls that deliver it.

Order of preference: Communicating with Congress when credentials are configured and the office
has a CWC code; email when the decision maker has an address; otherwise the CWC XML is kept for
export (congressional offices), the letter goes into the printable batches (a postal address), or
the supporter is given the office's contact form - the last resort.
"""
import smtplib
import socket
import threading

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from ..models import Channel, DecisionMaker


class TransientError(Exception):
    """Worth trying again later (a timeout, a 4xx SMTP reply, a 5xx HTTP answer)."""


class PermanentError(Exception):
    """Trying again will not help (a refused recipient, an invalid message)."""


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


def _reason(exc: Exception) -> str:
    # An SMTP or HTTP code and the exception's class: never the letter, never an address.
    code = getattr(exc, "smtp_code", None) or getattr(exc, "status_code", None)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"


def send_email(*, subject: str, body: str, to: str, reply_to: str, from_name: str, message_id: str,
               timeout: float) -> None:
    """Send one letter. `timeout` bounds the whole conversation, not each socket operation: a server
    that answers every command slowly (each within a per-operation timeout) would otherwise keep
    the worker past its claim. At the deadline the connection is cut; what the server had not
    accepted by then is a transient failure."""
    from_email = f'"{from_name.replace(chr(34), "")}" <{settings.LETTER_FROM_EMAIL}>'
    message = EmailMessage(subject=subject, body=body, from_email=from_email, to=[to], reply_to=[reply_to],
                           headers={"Message-ID": message_id})
    connection = get_connection(timeout=timeout)
    watchdog = threading.Timer(timeout, _cut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        with connection:
            connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if all(400 <= c < 500 for c in codes):
            raise TransientError(f"SMTPRecipientsRefused {codes[0]}") from exc
        raise PermanentError(f"SMTPRecipientsRefused {codes[0] if codes else ''}".strip()) from exc
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentError(_reason(exc)) from exc
        raise TransientError(_reason(exc)) from exc
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        raise TransientError(_reason(exc)) from exc
    finally:
        watchdog.cancel()


def _cut(connection: object) -> None:
    """The deadline passed mid-conversation: shut the socket, so the worker's next read or write
    fails at once (smtplib has no deadline of its own)."""
    sock = getattr(getattr(connection, "connection", None), "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


def post_cwc(xml: str, *, timeout: float) -> None:
    try:
        response = requests.post(
            settings.CWC_API_URL, params={"apikey": settings.CWC_API_KEY}, data=xml.encode(),
            headers={"Content-Type": "application/xml"}, timeout=timeout,
        )
    except requests.RequestException as exc:
        raise TransientError(_reason(exc)) from exc
    if response.status_code == 409:
        return  # this DeliveryId was already accepted: the letter is delivered, once
    if response.status_code in (401, 403) or response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"CWC HTTP {response.status_code}")
    if response.status_code >= 400:
        raise PermanentError(f"CWC HTTP {response.status_code}")
