"""The company-level writes of enablement: DIAN registration facts, the NIT
lock, and the notifications people read."""
from __future__ import annotations

from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.messages import Message
from habilita.messages.stored import as_text
from habilita.models import Company, DianSoftware, Notification, utcnow
from habilita.models.base import write_transaction

_PIN_CONTEXT = b"software-pin"


@dataclass(frozen=True)
class SaveSoftware:
    """What DIAN's portal gave the company; stored once per ``source_key``."""

    source_key: str
    company_id: int
    operation_mode: str
    test_set_id: str
    software_id: str
    software_owner_nit: str
    pin: str


@dataclass(frozen=True)
class SoftwareRef:
    software_ref_id: int
    software_id: str
    software_owner_nit: str


@dataclass(frozen=True)
class LockTaxId:
    company_id: int
    reason: str


@dataclass(frozen=True)
class Notice:
    """A notification; ``source_key`` makes a retried activity write it once.

    Title and body are messages, stored as JSON for the reader's language; a
    str only in a notice a workflow scheduled before messages were codes.
    """

    company_id: int | None
    kind: str
    title: Message | str
    body: Message | str
    source_key: str


class EnablementActivities:
    def __init__(self, box, *, provider_software: tuple[str, str] | None = None) -> None:
        """``provider_software``: the provider's (software id, PIN) at DIAN, when configured."""
        self._box = box
        self._provider_software = provider_software

    @activity.defn
    def save_software(self, request: SaveSoftware) -> SoftwareRef:
        """Store the registration with the PIN sealed; the workflow keeps the row id.

        A provider-mode registration without a PIN uses the provider's configured software. A
        registration done again (support took the process back to it) replaces the one stored.
        """
        pin = request.pin or self._provider_pin_for(request)
        facts = dict(company=request.company_id, operation_mode=request.operation_mode,
                     test_set_id=request.test_set_id, software_id=request.software_id,
                     software_owner_nit=request.software_owner_nit)
        with write_transaction():
            row = DianSoftware.get_or_none(DianSoftware.source_key == request.source_key)
            if row is None:
                row = DianSoftware.create(source_key=request.source_key, **facts,
                                          sealed_pin=self._box.encrypt(pin.encode(), context=_PIN_CONTEXT))
            elif any(getattr(row, name) != value for name, value in facts.items() if name != "company") \
                    or software_pin(self._box, row.id) != pin:
                for name, value in facts.items():
                    setattr(row, name, value)
                row.sealed_pin = self._box.encrypt(pin.encode(), context=_PIN_CONTEXT)
                row.save()
        return SoftwareRef(software_ref_id=row.id, software_id=row.software_id,
                           software_owner_nit=row.software_owner_nit)

    def _provider_pin_for(self, request: SaveSoftware) -> str:
        if request.operation_mode == "provider" and self._provider_software and \
                request.software_id == self._provider_software[0]:
            return self._provider_software[1]
        raise ApplicationError(
            "no PIN for software %s: the provider's software is not configured on the worker "
            "(PROVIDER_SOFTWARE_ID and PROVIDER_SOFTWARE_PIN)" % request.software_id,
            type="ProviderSoftwareMissing", non_retryable=True)

    @activity.defn
    def lock_tax_id(self, request: LockTaxId) -> None:
        """Freeze the company's NIT (the first lock's date and reason stay)."""
        # An update query: Company.save() would re-validate a row we do not change.
        Company.update(tax_id_locked_at=utcnow(), tax_id_locked_reason=request.reason[:300]).where(
            (Company.id == request.company_id) & Company.tax_id_locked_at.is_null()).execute()

    @activity.defn
    def notify(self, notice: Notice) -> None:
        """Write the notification once."""
        Notification.get_or_create(source_key=notice.source_key, defaults=dict(
            company=notice.company_id, kind=notice.kind, title=_title(notice.title), body=_text(notice.body)))


TITLE_LENGTH = 200  # Notification.title's column


def _text(message: Message | str) -> str:
    return as_text(message) if isinstance(message, Message) else message


def _title(message: Message | str) -> str:
    # A title's message names no free text, so it fits; were it ever too long, the code alone
    # still reads (cutting the JSON would not).
    text = _text(message)
    if len(text) > TITLE_LENGTH and isinstance(message, Message):
        text = as_text(Message(message.code))
    return text[:TITLE_LENGTH]


def software_pin(box, software_ref_id: int) -> str:
    """The sealed PIN of a stored registration, for activities that compute CUDE/CUDS."""
    row = DianSoftware.get_by_id(software_ref_id)
    return box.decrypt(bytes(row.sealed_pin), context=_PIN_CONTEXT).decode()
