"""A family's documents: the notice to appear, the I-863 referral, the sponsor's application, an
identity document, a court order.

An upload is refused, with a clear reason and nothing stored, when it is larger than
DOCUMENT_MAX_BYTES or is not what it says: its type is read from its bytes (`filetype`), must be
a PDF, an image or an office document, and must agree with its name's extension (a program named
.pdf is refused). The bytes are encrypted with the field keys (Fernet) before they reach the
"documents" storage, under a random name; the file's own name is encrypted in the row. Adding a
document writes the case history; reading one back needs PII rights on the family and writes the
access log.
"""
import uuid
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import User
from accounts.roles import CHANGE, VIEW_PII

from ..fields import fernet
from ..models import Case, Document, Person
from ..permissions import has_case_perm, require_case_perm
from ._base import field_error, record_event

# What the bytes may be, and the extensions a name may then carry.
ACCEPTED: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "jpg": ("jpg", "jpeg"), "png": ("png",), "heic": ("heic", "heif"), "webp": ("webp",), "tif": ("tif", "tiff"),
    "doc": ("doc",), "docx": ("docx",), "odt": ("odt",), "rtf": ("rtf",),
    "xls": ("xls",), "xlsx": ("xlsx",), "ods": ("ods",),
}
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "heic": "image/heic", "webp": "image/webp",
    "tif": "image/tiff", "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text", "rtf": "application/rtf",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def storage():  # noqa: ANN201
    return storages["documents"]


def save_encrypted(prefix: str, data: bytes) -> str:
    """Encrypt with the field keys and store under a random name (nothing of the family in it)."""
    return storage().save(f"{prefix}-{uuid.uuid4().hex}.bin", ContentFile(fernet().encrypt(data)))


def read_encrypted(name: str) -> bytes:
    with storage().open(name, "rb") as fh:
        return fernet().decrypt(fh.read())


def check_file(upload: UploadedFile) -> str:
    """The file's type, or a ValidationError on `file` saying why it is refused."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise field_error("file", _("The file is empty."), "empty")
    if upload.size > limit:
        raise field_error("file", _("The file is %(size)s MB; the largest accepted is %(limit)s MB.") % {
            "size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}, "too_large")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    found = kind.extension if kind else ""
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    if found not in ACCEPTED:
        raise field_error("file", _("Upload a PDF, a photo or scan (JPEG, PNG, HEIC, WebP, TIFF) or an office document "
                                    "(Word, Excel, OpenDocument); this file is none of those."), "file_type")
    if extension not in ACCEPTED[found]:
        raise field_error("file", _("The file's name says .%(extension)s but it is a %(found)s file: rename it or "
                                    "choose the right file.") % {"extension": extension or "?", "found": found.upper()},
                          "file_type_mismatch")
    return found


def document_add(*, actor: User, case: Case, upload: UploadedFile, kind: str, person: Person | None = None,
                 expires_on: Any = None) -> Document:
    """Store an encrypted copy and record it (module docstring). Nothing is stored when refused."""
    require_case_perm(actor, CHANGE, case)
    if kind not in Document.Kind.values:
        raise field_error("kind", _("Choose the kind of document."), "invalid_choice")
    if person is not None and person.case_id != case.pk:
        raise field_error("person", _("This person belongs to another family."))
    file_type = check_file(upload)
    plain = upload.read()
    stored = save_encrypted("document", plain)
    try:
        with transaction.atomic():
            require_case_perm(actor, CHANGE, case)
            document = Document.objects.create(
                case=case, person=person, kind=kind, name=(upload.name or "")[:255], file_type=file_type,
                size=len(plain), storage_name=stored, expires_on=expires_on or None, uploaded_by=actor)
            record_event(case=case, actor=actor, action="document.added", subject=document, after={
                "kind": kind, "person": person.pk if person else None, "file_type": file_type, "size": len(plain),
                "expires_on": expires_on.isoformat() if expires_on else None})
    except BaseException:
        storage().delete(stored)  # the row was not written: leave nothing behind
        raise
    return document


def document_remove(*, actor: User, case: Case, document_id: int, reason: str) -> None:
    """Take a document off the family's record for `reason` (Document.RemovalReason): the row is
    deleted and the history says so; the encrypted file is deleted once that is committed. A
    document already removed, or of another family, is refused and nothing changes."""
    require_case_perm(actor, CHANGE, case)
    if reason not in Document.RemovalReason.values:
        raise field_error("reason", _("Choose why the document is being removed."), "invalid_choice")
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id, case=case).first()
        if document is None:
            raise field_error("document", _("That document is no longer on this family's record: nothing was "
                                            "changed."), "gone")
        stored, pk = document.storage_name, document.pk
        before = {"kind": document.kind, "person": document.person_id, "file_type": document.file_type,
                  "size": document.size, "expires_on": document.expires_on.isoformat() if document.expires_on else None,
                  "uploaded_at": document.uploaded_at.isoformat()}
        document.delete()
        document.pk = pk  # the history names the row it removed
        record_event(case=case, actor=actor, action="document.removed", subject=document, before=before,
                     after={"kind": before["kind"], "reason": reason})
        # The bytes go only once the removal is committed; a failure to delete them is logged, not
        # raised, as the record is already right.
        transaction.on_commit(lambda: storage().delete(stored), robust=True)


def document_read(*, actor: User, document: Document, request: object = None, via: str = audit.AccessVia.PAGE) -> bytes:
    """The document's bytes, for a reader with PII rights on its family; written to the access log."""
    if not has_case_perm(actor, VIEW_PII, document.case):
        raise PermissionDenied(_("Downloading a family's documents needs the right to see its personal details."))
    plain = read_encrypted(document.storage_name)
    audit.record(request, audit.AccessKind.EXPORT, user=actor, via=via, what="document", object_id=document.pk,
                 case_ids=[document.case_id])
    return plain


def content_type(document: Document) -> str:
    return CONTENT_TYPES.get(document.file_type, "application/octet-stream")
