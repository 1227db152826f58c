"""Communicating with Congress (CWC) 2.0 messages: one per letter to a congressional office,
built with lxml and validated against cwc2.rng before it is stored or posted."""
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from lxml import etree

PREFIXES = ("Mr.", "Mrs.", "Miss", "Ms.", "Dr.")
TOPICS = ("Immigration", "Families")
_PHONE_DIGITS = re.compile(r"\D")


class InvalidMessage(ValueError):
    """The XML does not satisfy the schema; the reason names the element, never a value."""


@lru_cache(maxsize=1)
def _schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(Path(__file__).with_name("cwc2.rng"))))


def cwc_phone(raw: str) -> str:
    """'(619) 555-0101' -> '619-555-0101'; anything else is left out of the message."""
    digits = _PHONE_DIGITS.sub("", raw or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}" if len(digits) == 10 else ""


def _add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def build(*, delivery_id: str, campaign_id: str, office: str, organization: str, supporter, subject: str,  # noqa: ANN001
          organization_statement: str, constituent_message: str, more_info: str = "") -> str:
    """The message as a string, validated. `supporter` is a letters.render.Supporter."""
    agent = settings.CWC_DELIVERY_AGENT
    root = etree.Element("CWC")
    _add(root, "CWCVersion", "2.0")
    delivery = _add(root, "Delivery")
    _add(delivery, "DeliveryId", delivery_id)
    _add(delivery, "DeliveryDate", timezone.localdate().strftime("%Y%m%d"))
    _add(delivery, "DeliveryAgent", agent["name"])
    _add(delivery, "DeliveryAgentAckEmailAddress", agent["ack_email"])
    contact = _add(delivery, "DeliveryAgentContact")
    _add(contact, "DeliveryAgentContactName", agent["name"])
    _add(contact, "DeliveryAgentContactEmail", agent["contact"])
    _add(contact, "DeliveryAgentContactPhone", agent.get("phone") or "000-000-0000")
    if len(organization) >= 6:
        _add(delivery, "Organization", organization[:500])
    _add(delivery, "CampaignId", campaign_id)
    recipient = _add(root, "Recipient")
    _add(recipient, "MemberOffice", office)
    _add(recipient, "IsResponseRequested", "N")
    _add(recipient, "NewsletterOptIn", "N")
    constituent = _add(root, "Constituent")
    _add(constituent, "Prefix", supporter.prefix)
    _add(constituent, "FirstName", supporter.first_name)
    _add(constituent, "LastName", supporter.last_name)
    _add(constituent, "Address1", supporter.street)
    _add(constituent, "City", supporter.city)
    _add(constituent, "StateAbbreviation", supporter.state)
    _add(constituent, "Zip", supporter.zip)
    phone = cwc_phone(supporter.phone)
    if phone:
        _add(constituent, "Phone", phone)
    _add(constituent, "Email", supporter.email)
    message = _add(root, "Message")
    _add(message, "Subject", subject[:500])
    topics = _add(message, "LibraryOfCongressTopics")
    for topic in TOPICS:
        _add(topics, "LibraryOfCongressTopic", topic)
    if organization_statement.strip():
        _add(message, "OrganizationStatement", organization_statement[:10000])
    if constituent_message.strip():
        _add(message, "ConstituentMessage", constituent_message[:10000])
    if more_info:
        _add(message, "MoreInfo", more_info)
    validate(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


def validate(root: etree._Element) -> None:
    schema = _schema()
    if not schema.validate(root):
        error = schema.error_log.last_error
        # The message names the element and the rule; lxml's text can quote values, so it is cut.
        where = error.path.rsplit("/", 1)[-1] if error and error.path else "message"
        raise InvalidMessage(f"CWC schema: {where} is not valid")


def validate_text(xml: str) -> None:
    validate(etree.fromstring(xml.encode()))
