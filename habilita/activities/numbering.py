"""Syncing numbering resolutions with DIAN's GetNumberingRange."""
from __future__ import annotations

from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.dian import status
from habilita.messages import Message
from habilita.models import Company, NumberingResolution, utcnow

from .dian_access import DianClients
from .heartbeat import beating
from habilita.adapters.dian_errors import DianServiceError


@dataclass(frozen=True)
class RangeQuery:
    company_id: int
    certificate_id: int
    software_id: str
    software_owner_nit: str
    purpose: str


@dataclass(frozen=True)
class ResolutionFacts:
    resolution_id: int
    resolution_number: str
    prefix: str
    range_from: int
    range_to: int
    valid_from: str  # ISO dates: Temporal's JSON payloads have no date type
    valid_to: str


# When DIAN lists ranges but none is new to the purpose: what to tell, by purpose.
NO_NEW_RANGE = {"einvoicing": "numbering.no_new_invoicing_range", "support_document": "numbering.no_new_support_range"}


@dataclass(frozen=True)
class RangeCheck:
    """DIAN's answer: ``code`` 100 with the resolutions new to ``purpose``, or 301/302/... and why.

    ``message`` is DIAN's answer as a message (its operation code and its own
    Spanish words as data); a str only in the results of checks recorded
    before answers were messages (a running process replays them).
    """

    code: str
    message: Message | str
    resolutions: tuple[ResolutionFacts, ...] = ()


class NumberingActivities:
    def __init__(self, clients: DianClients) -> None:
        self._clients = clients

    @activity.defn
    def check_numbering_range(self, query: RangeQuery) -> RangeCheck:
        """Ask GetNumberingRange and store what it reports under ``query.purpose``.

        Ranges already stored for another purpose (the invoicing resolutions
        when syncing support documents) are not taken as this purpose's.
        """
        company = Company.get_by_id(query.company_id)
        client = self._clients.for_certificate(query.certificate_id)
        try:
            with beating():
                answer = client.get_numbering_range(account_code=company.tax_id,
                                                    account_code_t=query.software_owner_nit,
                                                    software_code=query.software_id)
        except DianServiceError as exc:
            raise ApplicationError(str(exc), type=type(exc).__name__, non_retryable=not exc.retryable) from exc
        message = Message("numbering.dian_answer", {
            "operation": answer.operation_code,
            "description": answer.operation_description or status.operation_meaning(answer.operation_code)})
        if answer.operation_code != status.RANGES_FOUND:
            return RangeCheck(code=answer.operation_code, message=message)
        taken = {(r.resolution_number, r.prefix) for r in NumberingResolution.select().where(
            (NumberingResolution.company == company.id) & (NumberingResolution.purpose != query.purpose))}
        found = []
        for r in answer.ranges:
            if (r.resolution_number, r.prefix) in taken:
                continue
            row, created = NumberingResolution.get_or_create(
                company=company.id, purpose=query.purpose, resolution_number=r.resolution_number, prefix=r.prefix,
                defaults=dict(resolution_date=r.resolution_date, range_from=r.from_number, range_to=r.to_number,
                              valid_from=r.valid_date_from, valid_to=r.valid_date_to, technical_key=r.technical_key))
            if not created:
                row.range_from, row.range_to, row.synced_at = r.from_number, r.to_number, utcnow()
                row.valid_from, row.valid_to, row.technical_key = r.valid_date_from, r.valid_date_to, r.technical_key
                row.save()
            found.append(ResolutionFacts(resolution_id=row.id, resolution_number=row.resolution_number,
                                         prefix=row.prefix, range_from=row.range_from, range_to=row.range_to,
                                         valid_from=str(row.valid_from), valid_to=str(row.valid_to)))
        if not found:
            return RangeCheck(code=status.NO_RANGES, message=Message(
                NO_NEW_RANGE.get(query.purpose, "numbering.no_new_range"), {"operation": status.NO_RANGES}))
        return RangeCheck(code=answer.operation_code, message=message, resolutions=tuple(found))
