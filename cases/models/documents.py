from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import EncryptedTextField
from ._constraints import enum_check


class DocumentKind(models.TextChoices):
    NOTICE_TO_APPEAR = "notice_to_appear", _("Notice to appear (I-862)")
    I_863 = "i_863", _("Referral to the immigration judge (I-863)")
    SPONSOR_APPLICATION = "sponsor_application", _("Sponsor application")
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    COURT_ORDER = "court_order", _("Court order")
    OTHER = "other", _("Other")


class DocumentRemovalReason(models.TextChoices):
    """Why a document was taken off a family's record (cases.services.documents.document_remove)."""

    WRONG_FAMILY = "wrong_family", _("Uploaded to the wrong family")
    WRONG_FILE = "wrong_file", _("The wrong file, or a copy of one already here")
    FAMILY_ASKED = "family_asked", _("The family asked for it to be removed")
    OTHER = "other", _("Another reason")


class Document(models.Model):
    """A file a family's case lives on (cases.services.documents). The bytes are encrypted with the
    field keys and kept in the "documents" storage (outside the web root, or an S3-compatible store
    by configuration) under a random name; only a reader with PII rights on the family gets them
    back, and every download is in the access log."""

    Kind = DocumentKind
    RemovalReason = DocumentRemovalReason

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="documents", help_text=_("Empty: the document is about the whole family."))
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    # The file's name as uploaded ("acta de nacimiento Ana.pdf"): PII, encrypted.
    name = EncryptedTextField()
    # What the bytes are (read from them, not from the name): "pdf", "jpg", "docx"...
    file_type = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=200, unique=True, editable=False)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [enum_check("kind", DocumentKind, "document")]

    def __str__(self) -> str:
        return f"Document #{self.pk} ({self.kind})"
