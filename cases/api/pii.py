"""PII redaction for API output. The decision is made once per page (one query), cached on the
request that every serializer of the response shares; what the cache says was shown is what the
access log records (shown_pii_cases)."""
from typing import Any

from rest_framework import serializers

from ..pii import PII_FIELDS
from ..selectors import pii_case_ids


def _cache(context: dict) -> dict[int, bool]:
    request = context.get("request")
    holder = getattr(request, "_request", None) if request is not None else None
    return (holder.__dict__ if holder is not None else context).setdefault("_pii_allowed", {})


def shown_pii_cases(request: Any) -> set[int]:
    """The families whose PII this response showed (PII fields were serialised unredacted)."""
    holder = getattr(request, "_request", request)
    return {cid for cid, ok in holder.__dict__.get("_pii_allowed", {}).items() if ok}


def prime_pii(context: dict, case_ids: set[int]) -> None:
    cache = _cache(context)
    missing = {cid for cid in case_ids if cid not in cache}
    if not missing:
        return
    allowed = pii_case_ids(user=context["request"].user, case_ids=missing)
    cache.update({cid: cid in allowed for cid in missing})


def mark_pii_shown(context: dict, case_id: int) -> None:
    """A row that is PII as a whole (a note) was shown: listed only to readers with the right."""
    _cache(context)[case_id] = True


def may_see_pii(context: dict, case_id: int) -> bool:
    prime_pii(context, {case_id})
    return _cache(context)[case_id]


class PiiListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Any) -> list:
        items = list(data.all() if hasattr(data, "all") else data)
        prime_pii(self.context, {self.child.case_id_of(i) for i in items})
        return super().to_representation(items)


class PiiRedactingSerializer(serializers.ModelSerializer):
    """Nulls the model's PII fields and sets `redacted` when the reader lacks view_case_pii."""

    pii_subject: str = ""
    redacted = serializers.SerializerMethodField()

    class Meta:
        list_serializer_class = PiiListSerializer

    @staticmethod
    def case_id_of(instance: Any) -> int:
        return instance.case_id

    def get_fields(self) -> dict:
        # Every PII field may be null in the answer (redacted), and the schema says so.
        fields = super().get_fields()
        for name in PII_FIELDS[self.pii_subject]:
            if name in fields:
                fields[name].allow_null = True
        return fields

    def get_redacted(self, instance: Any) -> bool:
        return not may_see_pii(self.context, self.case_id_of(instance))

    def to_representation(self, instance: Any) -> dict:
        data = super().to_representation(instance)
        if data.get("redacted"):
            for name in PII_FIELDS[self.pii_subject]:
                if name in data:
                    data[name] = None
        return data
