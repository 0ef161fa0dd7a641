"""Judge one received document the way DIAN's validation platform does.

Order of the checks follows what DIAN answers first: unreadable documents
(ZB01), documents processed before (90), senders not authorized for the issuer
(FAJ44, 89: never attributed to the issuer's test set), then every document
rule at once: software (FAB24b), numbering range (FAD05e/FAB05b/FAB05c),
schema, signature, CUFE/CUDE/CUDS and security code (``habilita.dian.verify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from habilita.dian import status
from habilita.dian.errors import MalformedDocument
from habilita.dian.verify import DocumentFacts, read_facts, verify_document

from .config import SimulatorConfig
from .portal import habilitacion_range
from .store import Store

_RANGED_KINDS = {"invoice": "invoice", "support_document": "support_document"}
_LABELS = {
    "invoice": "Factura electrónica",
    "credit_note": "Nota crédito electrónica",
    "debit_note": "Nota débito electrónica",
    "support_document": "Documento soporte",
    "support_adjustment": "Nota de ajuste del documento soporte",
}


@dataclass(frozen=True)
class Verdict:
    """DIAN's answer on one document and whether it counts toward its test set."""

    track_id: str
    number: str | None
    kind: str | None
    issuer_nit: str | None
    is_valid: bool
    status_code: str
    status_message: str
    errors: tuple[str, ...]
    counted: bool


def content_key(xml: bytes) -> str:
    """The track id of a document whose own CUFE cannot be read: a hash of its bytes."""
    return hashlib.sha384(xml).hexdigest()


def read_facts_or_none(xml: bytes) -> DocumentFacts | None:
    """The document's facts, or None when it cannot be read as a DIAN document."""
    try:
        return read_facts(xml)
    except MalformedDocument:
        return None


def judge(store: Store, config: SimulatorConfig, *, xml: bytes, sender_nit: str | None,
          test_set=None) -> Verdict:
    """Validate ``xml`` sent by a certificate of ``sender_nit`` (None: no NIT in it)."""
    in_set = test_set is not None
    try:
        facts = read_facts(xml)
    except MalformedDocument as exc:
        return _rejected(content_key(xml), None, "99", [status.rejection_message("ZB01", str(exc))], counted=in_set)
    if store.Document.select().where(
            (store.Document.track_id == facts.uuid) & (store.Document.is_valid == True)).exists():  # noqa: E712
        return _rejected(facts.uuid, facts, status.DUPLICATE, [status.rejection_message("90")], counted=False)
    holder = store.Company.get_or_none(store.Company.nit == facts.issuer_nit)
    if holder is None or sender_nit is None or not holder.may_send(sender_nit):
        message = (f"El NIT {sender_nit or '(sin NIT)'} del certificado no está autorizado para enviar "
                   f"documentos del emisor {facts.issuer_nit}")
        return _rejected(facts.uuid, facts, status.ZIP_OR_AUTHORIZATION,
                         [status.rejection_message("FAJ44", message)], counted=False)

    errors: list[str] = []
    software = store.Software.get_or_none(store.Software.software_id == facts.software_id)
    if software is None or software.software_id != holder.software_id:
        errors.append(status.rejection_message(
            "FAB24b", f"El software {facts.software_id} no está registrado para el emisor {holder.nit}"))
    technical_key, range_errors = _range_check(store, config, holder, facts)
    errors.extend(range_errors)
    problems = verify_document(xml, technical_key=technical_key, pin=software.pin if software else None)
    errors.extend(status.rejection_message(p.code, p.message) for p in problems)
    if in_set and facts.kind not in test_set.required_counts():
        errors.append(f"Rechazo: el documento {facts.number} ({_LABELS[facts.kind]}) no hace parte "
                      f"del set de pruebas {test_set.test_set_id}")
    if errors:
        return _rejected(facts.uuid, facts, status.ERRORS_IN_FIELDS, errors, counted=in_set)
    return Verdict(track_id=facts.uuid, number=facts.number, kind=facts.kind, issuer_nit=facts.issuer_nit,
                   is_valid=True, status_code=status.PROCESSED,
                   status_message=f"La {_LABELS[facts.kind]} {facts.number}, ha sido autorizada.",
                   errors=(), counted=in_set)


def _range_check(store: Store, config: SimulatorConfig, holder, facts: DocumentFacts) -> tuple[str | None, list[str]]:
    """The technical key to check the CUFE with, and the numbering-range problems."""
    range_kind = _RANGED_KINDS.get(facts.kind)
    if range_kind is None:
        # Notes carry no numbering range at DIAN: nothing to check, and CUDEs use the PIN.
        return None, []
    candidates = [
        (r.prefix, r.from_number, r.to_number, r.valid_from, r.valid_to, r.technical_key)
        for r in store.NumberingRange.select().where(
            (store.NumberingRange.nit == holder.nit) & (store.NumberingRange.kind == range_kind))
    ]
    if facts.profile_execution_id == "2":
        fixed = habilitacion_range(config, mode=holder.mode, kind=range_kind)
        candidates.append((fixed.prefix, fixed.from_number, fixed.to_number, dt.date.min, dt.date.max,
                           config.test_technical_key))
    same_prefix = [c for c in candidates if c[0] == facts.prefix]
    if not same_prefix:
        return None, [status.rejection_message(
            "FAD05e", f"El prefijo {facts.prefix!r} no corresponde a un rango de numeración autorizado "
                      f"del emisor {holder.nit}")]
    in_range = [c for c in same_prefix if c[1] <= facts.sequence <= c[2]]
    if not in_range:
        bounds = ", ".join(f"{c[1]}-{c[2]}" for c in same_prefix)
        return same_prefix[0][5], [status.rejection_message(
            "FAB05b", f"El número {facts.sequence} está fuera del rango autorizado {facts.prefix} {bounds}")]
    current = [c for c in in_range if c[3] <= facts.issue_date <= c[4]]
    if not current:
        return in_range[0][5], [status.rejection_message(
            "FAB05c", f"La fecha {facts.issue_date} está fuera de la vigencia de la numeración {facts.prefix}")]
    return current[0][5], []


def _rejected(track_id: str, facts: DocumentFacts | None, code: str, errors: list[str], *, counted: bool) -> Verdict:
    return Verdict(
        track_id=track_id,
        number=facts.number if facts else None,
        kind=facts.kind if facts else None,
        issuer_nit=facts.issuer_nit if facts else None,
        is_valid=False,
        status_code=code,
        status_message="Documento con errores en campos mandatorios." if code == status.ERRORS_IN_FIELDS
        else status.status_meaning(code),
        errors=tuple(errors),
        counted=counted,
    )
