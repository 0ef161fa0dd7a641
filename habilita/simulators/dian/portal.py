"""What a person does at DIAN's habilitación portal, as functions on the store.

Register a company (DIAN answers with a TestSetId, and a SoftwareID and PIN
for the software used), request a numbering resolution, associate prefixes
to the software, enable the support document.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid

from habilita.dian.checkdigit import normalize_nit
from habilita.dian.clock import colombia_now
from habilita.dian.errors import InvalidTaxId

from .config import SetRequirement, SimulatorConfig
from .store import Store, utcnow

MODES = ("own", "provider")
KINDS = ("invoice", "support_document")
# DIAN's test resolutions are dated 2019-01-19 and valid for a decade.
TEST_RESOLUTION_DATE = dt.date(2019, 1, 19)
TEST_VALID_TO = dt.date(2030, 1, 19)


class PortalError(ValueError):
    """A portal request that cannot be honoured; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _nit(value: object, *, field: str) -> str:
    try:
        return normalize_nit(str(value or ""))
    except InvalidTaxId as exc:
        raise PortalError(f"{field}: {exc}") from exc


def company(store: Store, nit: str):
    """The registered company with ``nit``; 404 otherwise."""
    found = store.Company.get_or_none(store.Company.nit == _nit(nit, field="nit"))
    if found is None:
        raise PortalError(f"NIT {nit} is not registered at the portal", status=404)
    return found


def _new_test_set(store: Store, *, nit: str, software_id: str, kind: str, requirement: SetRequirement,
                  status: int = 0):
    return store.TestSet.create(
        test_set_id=str(uuid.uuid4()), nit=nit, software_id=software_id, kind=kind,
        required=json.dumps(requirement.required()), total_documents=requirement.total_documents,
        status=status, decided_at=utcnow() if status else None,
    )


def register_provider(store: Store, *, nit: str) -> dict:
    """The software a technology provider registered at DIAN (created on the first call): its id and PIN.

    Its clients in provider mode use it; a provider registers it once, before its first client.
    """
    owner = _nit(nit, field="nit")
    with store.atomic():
        software = _provider_software(store, owner)
    return {"nit": owner, "software_id": software.software_id, "pin": software.pin}


def _provider_software(store: Store, owner: str):
    software = store.Software.get_or_none(store.Software.owner_nit == owner)
    if software is None:
        software = store.Software.create(
            software_id=str(uuid.uuid4()), owner_nit=owner, pin=f"{secrets.randbelow(100_000):05d}")
    return software


def register_company(store: Store, config: SimulatorConfig, *, nit: str, legal_name: str, mode: str,
                     provider_nit: str | None = None) -> dict:
    """Register ``nit`` as an electronic invoicer; answer what the portal shows.

    Own software gets a new SoftwareID and PIN. In provider mode the company
    uses the provider's software (registered on the provider's first client).
    """
    nit = _nit(nit, field="nit")
    if mode not in MODES:
        raise PortalError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not (legal_name or "").strip():
        raise PortalError("legal_name is required")
    owner = nit
    if mode == "provider":
        owner = _nit(provider_nit, field="provider_nit")
        if owner == nit:
            raise PortalError("in provider mode the provider NIT must differ from the company's")
    with store.atomic():
        if store.Company.get_or_none(store.Company.nit == nit) is not None:
            raise PortalError(f"NIT {nit} is already registered", status=409)
        software = _provider_software(store, owner)
        store.Company.create(nit=nit, legal_name=legal_name.strip(), mode=mode,
                             provider_nit=owner if mode == "provider" else None, software_id=software.software_id)
        test_set = _new_test_set(store, nit=nit, software_id=software.software_id, kind="invoice",
                                 requirement=config.invoice_set)
    return {"nit": nit, "mode": mode, "test_set_id": test_set.test_set_id,
            "software_id": software.software_id, "pin": software.pin}


def request_resolution(store: Store, config: SimulatorConfig, *, nit: str, kind: str = "invoice",
                       test: bool = False, prefix: str | None = None, from_number: int | None = None,
                       to_number: int | None = None, resolution_number: str | None = None,
                       resolution_date: str | None = None, valid_from: str | None = None,
                       valid_to: str | None = None, technical_key: str | None = None) -> dict:
    """Create a numbering range for ``nit``: the fixed test range of its mode, or the one asked for."""
    holder = company(store, nit)
    if kind not in KINDS:
        raise PortalError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if test:
        fixed = habilitacion_range(config, mode=holder.mode, kind=kind)
        values = dict(prefix=fixed.prefix, from_number=fixed.from_number, to_number=fixed.to_number,
                      resolution_number=fixed.resolution_number, resolution_date=TEST_RESOLUTION_DATE,
                      valid_from=TEST_RESOLUTION_DATE, valid_to=TEST_VALID_TO,
                      technical_key=config.test_technical_key)
    else:
        today = colombia_now().date()  # DIAN's day: before 05:00 UTC it is still yesterday in Colombia
        values = dict(
            prefix=_required_text(prefix, "prefix"),
            from_number=_number(from_number, "from_number"),
            to_number=_number(to_number, "to_number"),
            resolution_number=resolution_number or str(18764000000 + secrets.randbelow(10**6)),
            resolution_date=_date(resolution_date, "resolution_date", default=today),
            valid_from=_date(valid_from, "valid_from", default=today),
            valid_to=_date(valid_to, "valid_to", default=today.replace(year=today.year + 2)),
            technical_key=technical_key or secrets.token_hex(32),
        )
        if values["from_number"] > values["to_number"]:
            raise PortalError("from_number must not exceed to_number")
        if values["valid_from"] > values["valid_to"]:
            raise PortalError("valid_from must not be after valid_to")
    created = store.NumberingRange.create(nit=holder.nit, kind=kind, is_test=test, **values)
    return range_json(created)


def associate_prefix(store: Store, *, nit: str, prefix: str) -> dict:
    """Associate ``prefix`` (one of the company's ranges) to the company's software."""
    holder = company(store, nit)
    prefix = _required_text(prefix, "prefix")
    if not store.NumberingRange.select().where(
            (store.NumberingRange.nit == holder.nit) & (store.NumberingRange.prefix == prefix)).exists():
        raise PortalError(f"NIT {holder.nit} has no numbering range with prefix {prefix}")
    store.PrefixAssociation.get_or_create(nit=holder.nit, software_id=holder.software_id, prefix=prefix)
    return {"nit": holder.nit, "software_id": holder.software_id, "prefix": prefix}


def enable_support_document(store: Store, config: SimulatorConfig, *, nit: str) -> dict:
    """Enable the support document; a company already enabled as invoicer passes its set at once."""
    holder = company(store, nit)
    with store.atomic():
        existing = store.TestSet.get_or_none(
            (store.TestSet.nit == holder.nit) & (store.TestSet.kind == "support_document"))
        if existing is None:
            existing = _new_test_set(store, nit=holder.nit, software_id=holder.software_id,
                                     kind="support_document", requirement=config.support_document_set,
                                     status=1 if holder.invoicer_enabled else 0)
        holder.support_document_enabled = True
        holder.save()
    return {"nit": holder.nit, "test_set_id": existing.test_set_id, "status": existing.status}


def habilitacion_range(config: SimulatorConfig, *, mode: str, kind: str):
    """The fixed habilitación range for an operation mode and document kind."""
    if kind in ("support_document", "support_adjustment"):
        return config.support_test_range
    return config.own_test_range if mode == "own" else config.provider_test_range


def range_json(row) -> dict:
    """A numbering range as the portal endpoints show it."""
    return {"nit": row.nit, "kind": row.kind, "prefix": row.prefix, "from_number": row.from_number,
            "to_number": row.to_number, "resolution_number": row.resolution_number,
            "resolution_date": str(row.resolution_date), "valid_from": str(row.valid_from),
            "valid_to": str(row.valid_to), "technical_key": row.technical_key, "is_test": row.is_test}


def _required_text(value, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise PortalError(f"{field} is required")
    return text


def _number(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise PortalError(f"{field} must be a whole number, not {value!r}") from exc
    if number < 0:
        raise PortalError(f"{field} must not be negative")
    return number


def _date(value, field: str, *, default: dt.date) -> dt.date:
    if value in (None, ""):
        return default
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise PortalError(f"{field} must be a date YYYY-MM-DD, not {value!r}") from exc
