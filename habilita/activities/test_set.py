"""DIAN's test set: build and sign once, send each zip once, poll until DIAN decides.

The ledger (``TestSetDocument``, ``TestSetBatch``) makes every step safe to
retry after a crash: documents are built in one transaction, a zip is marked
"sending" before its upload, and a retry that finds it "sending" asks DIAN
(GetStatus of its first document) whether the upload arrived instead of
sending it again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.dian import status
from habilita.dian.sample import MAX_FILES_PER_ZIP, SampleIssuer, zip_file_name, zip_files
from habilita.dian.signing import Signer
from habilita.dian.clock import colombia_now
from habilita.models import Company, DianSoftware, TestSetBatch, TestSetDocument, database_proxy, utcnow

from .certificates import KeyVault
from .heartbeat import beating
from .dian_access import DianClients
from habilita.adapters.dian_errors import DianServiceError
from .enablement import software_pin
from .test_set_builder import RoundCounts, build_round


@dataclass(frozen=True)
class BuildRound:
    workflow_id: str
    round: int
    company_id: int
    certificate_id: int
    software_ref_id: int
    invoices: int
    credit_notes: int
    debit_notes: int


@dataclass(frozen=True)
class RoundBuilt:
    documents: int
    batches: int


@dataclass(frozen=True)
class BatchRef:
    workflow_id: str
    round: int
    batch: int
    certificate_id: int
    test_set_id: str = ""
    issuer_nit: str = ""


@dataclass(frozen=True)
class BatchSent:
    zip_key: str
    recovered: bool


@dataclass(frozen=True)
class BatchPoll:
    done: bool
    set_status: str  # "accepted", "rejected" or "in_process"


@dataclass(frozen=True)
class RoundRef:
    workflow_id: str
    round: int


@dataclass(frozen=True)
class DocumentRejection:
    number: str
    kind: str
    status_code: str
    rule_codes: tuple[str, ...]
    messages: tuple[str, ...]


@dataclass(frozen=True)
class RoundReport:
    accepted: int
    rejected: int
    pending: int
    rejections: tuple[DocumentRejection, ...]


# DIAN's decision on the whole set, as the ledger words it.
SET_STATUS = {status.TEST_SET_ACCEPTED: "accepted", status.TEST_SET_REJECTED: "rejected"}


class TestSetActivities:
    __test__ = False

    def __init__(self, *, clients: DianClients, vault: KeyVault, box) -> None:
        self._clients = clients
        self._vault = vault
        self._box = box

    @activity.defn
    def build_round(self, request: BuildRound) -> RoundBuilt:
        """Build and sign the round's documents into the ledger (once)."""
        with beating():
            return self._build_round(request)

    def _build_round(self, request: BuildRound) -> RoundBuilt:
        existing = TestSetDocument.select().where((TestSetDocument.workflow_id == request.workflow_id)
                                                  & (TestSetDocument.round == request.round))
        if existing.exists():
            return _built(existing)
        company = Company.get_by_id(request.company_id)
        software = DianSoftware.get_by_id(request.software_ref_id)
        provider = software.operation_mode == "provider"
        issuer = SampleIssuer(nit=company.tax_id, legal_name=company.legal_name, software_id=software.software_id,
                              pin=software_pin(self._box, software.id),
                              provider_nit=software.software_owner_nit if provider else None)
        key = self._vault.certified_key(request.certificate_id)
        signer = Signer(key, role="third party" if provider else "supplier")
        documents = build_round(signer=signer, issuer=issuer, round_number=request.round,
                                counts=RoundCounts(request.invoices, request.credit_notes, request.debit_notes),
                                prefix="SETT" if provider else "SETP", issued_at=colombia_now())
        with database_proxy.atomic():
            for position, doc in enumerate(documents):
                TestSetDocument.create(
                    workflow_id=request.workflow_id, document_number=doc.number, document_kind=doc.kind,
                    position=position, file_name=doc.file_name, track_id=doc.uuid, signed_xml=doc.xml,
                    batch=position // MAX_FILES_PER_ZIP + 1, round=request.round)
        return _built(existing)

    @activity.defn
    def send_batch(self, ref: BatchRef) -> BatchSent:
        """Upload one zip with SendTestSetAsync, at most once."""
        with beating():
            return self._send_batch(ref)

    def _send_batch(self, ref: BatchRef) -> BatchSent:
        docs = _batch_documents(ref)
        client = self._clients.for_certificate(ref.certificate_id)
        batch = TestSetBatch.get_or_none(workflow_id=ref.workflow_id, round=ref.round, batch=ref.batch)
        if batch is not None and batch.state == "sent":
            return BatchSent(zip_key=batch.zip_key, recovered=False)
        if batch is not None:
            # A previous attempt died during the upload: did DIAN get it?
            probe = _dian(lambda: client.get_status(track_id=docs[0].track_id))
            if probe.status_code != status.NOT_FOUND:
                _mark_sent(batch, docs, zip_key="")
                return BatchSent(zip_key="", recovered=True)
        else:
            name = zip_file_name(issuer_nit=ref.issuer_nit, year=colombia_now().year,
                                 sequence=(ref.round - 1) * 1000 + ref.batch)
            batch = TestSetBatch.create(workflow_id=ref.workflow_id, round=ref.round, batch=ref.batch,
                                        file_name=name, state="sending")
        answer = _dian(lambda: client.send_test_set_async(
            file_name=batch.file_name, zip_bytes=_zip(docs), test_set_id=ref.test_set_id))
        if not answer.zip_key:
            refused = "; ".join(m.processed_message for m in answer.error_messages) or "no ZipKey and no reason"
            batch.delete_instance()
            raise ApplicationError(f"DIAN refused zip {batch.file_name}: {refused}", type="ZipRefused",
                                   non_retryable=True)
        _mark_sent(batch, docs, zip_key=answer.zip_key)
        return BatchSent(zip_key=answer.zip_key, recovered=False)

    @activity.defn
    def poll_batch(self, ref: BatchRef) -> BatchPoll:
        """Ask DIAN once for the zip's verdicts and record each document's."""
        with beating():
            return self._poll_batch(ref)

    def _poll_batch(self, ref: BatchRef) -> BatchPoll:
        docs = {d.track_id: d for d in _batch_documents(ref)}
        batch = TestSetBatch.get(workflow_id=ref.workflow_id, round=ref.round, batch=ref.batch)
        client = self._clients.for_certificate(ref.certificate_id)
        if batch.zip_key:
            responses = _dian(lambda: client.get_status_zip(zip_key=batch.zip_key))
        else:
            responses = tuple(_dian(lambda d=d: client.get_status(track_id=d)) for d in docs)
        if status.is_batch_in_process(responses):
            return BatchPoll(done=False, set_status="in_process")
        set_status = SET_STATUS.get(status.decided_set_status(responses), "in_process")
        with database_proxy.atomic():
            for r in responses:
                doc = docs.get(r.xml_document_key)
                if doc is None:
                    continue
                doc.status = "accepted" if r.is_valid else "rejected"
                doc.status_code, doc.errors = r.status_code, json.dumps(list(r.error_messages), ensure_ascii=False)
                doc.updated_at = utcnow()
                doc.save()
        return BatchPoll(done=True, set_status=set_status)

    @activity.defn
    def round_report(self, ref: RoundRef) -> RoundReport:
        """What DIAN said about the round, with the rule codes of each rejected document."""
        docs = list(TestSetDocument.select().where((TestSetDocument.workflow_id == ref.workflow_id)
                                                   & (TestSetDocument.round == ref.round))
                    .order_by(TestSetDocument.position))
        rejected = [d for d in docs if d.status == "rejected"]
        return RoundReport(
            accepted=sum(d.status == "accepted" for d in docs), rejected=len(rejected),
            pending=sum(d.status not in ("accepted", "rejected") for d in docs),
            rejections=tuple(DocumentRejection(
                number=d.document_number, kind=d.document_kind, status_code=d.status_code,
                rule_codes=status.rule_codes(json.loads(d.errors or "[]")),
                messages=tuple(json.loads(d.errors or "[]"))) for d in rejected))


def _built(query) -> RoundBuilt:
    rows = list(query)
    return RoundBuilt(documents=len(rows), batches=max((r.batch for r in rows), default=0))


def _batch_documents(ref: BatchRef) -> list[TestSetDocument]:
    return list(TestSetDocument.select().where(
        (TestSetDocument.workflow_id == ref.workflow_id) & (TestSetDocument.round == ref.round)
        & (TestSetDocument.batch == ref.batch)).order_by(TestSetDocument.position))


def _zip(docs: list[TestSetDocument]) -> bytes:
    return zip_files((doc.file_name, bytes(doc.signed_xml)) for doc in docs)


def _mark_sent(batch: TestSetBatch, docs: list[TestSetDocument], *, zip_key: str) -> None:
    with database_proxy.atomic():
        batch.state, batch.zip_key = "sent", zip_key
        batch.save()
        TestSetDocument.update(status="sent", zip_key=zip_key, updated_at=utcnow()).where(
            TestSetDocument.id.in_([d.id for d in docs])).execute()


def _dian(call):
    try:
        return call()
    except DianServiceError as exc:
        raise ApplicationError(str(exc), type=type(exc).__name__, non_retryable=not exc.retryable) from exc
