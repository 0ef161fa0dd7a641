"""Voucher types: how a company numbers its documents under a resolution."""
from __future__ import annotations

from dataclasses import dataclass

from temporalio import activity

from habilita.models import NumberingResolution, VoucherType
from habilita.models.base import write_transaction


@dataclass(frozen=True)
class CreateVoucherTypes:
    """One voucher type per kind, all with the same prefix, resolution and next number."""

    workflow_id: str
    company_id: int
    resolution_id: int
    prefix: str
    next_number: int
    document_kinds: tuple[str, ...]
    actor: str


@dataclass(frozen=True)
class VoucherTypesCreated:
    voucher_type_ids: tuple[int, ...]


class VoucherActivities:
    @activity.defn
    def create_voucher_types(self, request: CreateVoucherTypes) -> VoucherTypesCreated:
        """Create the voucher types once per workflow and kind."""
        resolution = NumberingResolution.get_by_id(request.resolution_id)
        ids = []
        # get_or_create reads, then inserts: take the write lock first (see write_transaction).
        with write_transaction():
            for kind in request.document_kinds:
                row, _ = VoucherType.get_or_create(source_key=f"{request.workflow_id}:voucher:{kind}", defaults=dict(
                    company=request.company_id, document_kind=kind, resolution=resolution.id, prefix=request.prefix,
                    range_from=resolution.range_from, range_to=resolution.range_to,
                    next_number=request.next_number, created_by=request.actor))
                ids.append(row.id)
        return VoucherTypesCreated(voucher_type_ids=tuple(ids))
