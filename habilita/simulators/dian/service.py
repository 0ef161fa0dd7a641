"""The SOAP operations of the simulator: what DIAN does with each request.

Every method takes the parsed request and the NIT of the certificate that
signed it, and returns the result dataclass :mod:`habilita.dian.soap` serializes.
Validation happens on receipt; the answers become visible to GetStatusZip
only after ``processing_seconds``, so the product's polling is exercised.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
from collections import Counter

from habilita.dian import soap, status

from .config import SimulatorConfig
from .store import Store, utcnow
from .validation import Verdict, content_key, judge, read_facts_or_none


class UploadRefused(Exception):
    """An upload DIAN refuses as a whole (bad zip, too many documents, unknown set)."""


class DianService:
    """DIAN's side of every SOAP operation, on the simulator's store."""

    def __init__(self, store: Store, config: SimulatorConfig) -> None:
        self.store = store
        self.config = config

    # --- uploads ------------------------------------------------------------

    def send_test_set_async(self, request: soap.SendTestSetAsync, *, sender_nit: str | None,
                            now: dt.datetime | None = None) -> soap.UploadDocumentResponse:
        """Receive a test-set zip: at most 50 documents, one issuer, a known set."""
        now = now or utcnow()
        try:
            entries = self._entries(request, limit=self.config.max_test_set_documents)
            test_set = self._test_set_for(request.test_set_id, entries)
        except UploadRefused as exc:
            return _refused(request.file_name, str(exc))
        with self.store.atomic():
            test_set = self.settle(test_set, now=now)
            batch = self._new_batch(request, now=now, test_set_id=test_set.test_set_id,
                                    sender_nit=sender_nit, set_status=test_set.status or None)
            for name, xml in entries:
                self._receive(name, xml)
                if test_set.status == status.TEST_SET_IN_PROCESS:
                    verdict = judge(self.store, self.config, xml=xml, sender_nit=sender_nit, test_set=test_set)
                    self._record(verdict, file_name=name, zip_key=batch.zip_key, ready_at=batch.ready_at,
                                 test_set_id=test_set.test_set_id)
            self._processing_starts(batch)
        return soap.UploadDocumentResponse(zip_key=batch.zip_key)

    def send_bill_async(self, request: soap.SendBillAsync, *, sender_nit: str | None,
                        now: dt.datetime | None = None) -> soap.UploadDocumentResponse:
        """Receive a zip of up to 500 documents for asynchronous validation."""
        now = now or utcnow()
        try:
            entries = self._entries(request, limit=self.config.max_async_documents)
        except UploadRefused as exc:
            return _refused(request.file_name, str(exc))
        with self.store.atomic():
            batch = self._new_batch(request, now=now, test_set_id=None, sender_nit=sender_nit, set_status=None)
            for name, xml in entries:
                self._receive(name, xml)
                verdict = judge(self.store, self.config, xml=xml, sender_nit=sender_nit)
                self._record(verdict, file_name=name, zip_key=batch.zip_key, ready_at=batch.ready_at)
            self._processing_starts(batch)
        return soap.UploadDocumentResponse(zip_key=batch.zip_key)

    def send_bill_sync(self, request: soap.SendBillSync, *, sender_nit: str | None,
                       now: dt.datetime | None = None) -> soap.DianResponse:
        """Validate the one document of the zip and answer at once."""
        now = now or utcnow()
        try:
            entries = self._entries(request, limit=1)
        except UploadRefused as exc:
            return soap.DianResponse(is_valid=False, status_code=status.ZIP_OR_AUTHORIZATION,
                                     status_description=status.status_meaning(status.ZIP_OR_AUTHORIZATION),
                                     error_messages=(str(exc),), xml_file_name=request.file_name)
        name, xml = entries[0]
        with self.store.atomic():
            self._receive(name, xml)
            verdict = judge(self.store, self.config, xml=xml, sender_nit=sender_nit)
            document = self._record(verdict, file_name=name, zip_key=None, ready_at=now)
        return _response(document)

    # --- queries ------------------------------------------------------------

    def get_status(self, request: soap.GetStatus, *, now: dt.datetime | None = None) -> soap.DianResponse:
        """The verdict on one document by track id: its accepted copy if any, else the latest."""
        now = now or utcnow()
        documents = list(self.store.Document.select().where(self.store.Document.track_id == request.track_id)
                         .order_by(self.store.Document.is_valid.desc(), self.store.Document.id.desc()))
        if not documents:
            return _not_found(request.track_id)
        if documents[0].ready_at > now:
            return _in_process()
        return _response(documents[0])

    def get_status_zip(self, request: soap.GetStatusZip, *, now: dt.datetime | None = None,
                       hold: bool = False) -> tuple[soap.DianResponse, ...]:
        """The verdicts on a zip; "Batch en proceso de validación." until it is processed (or while ``hold``)."""
        now = now or utcnow()
        batch = self.store.Batch.get_or_none(self.store.Batch.zip_key == request.track_id)
        if batch is None:
            return (_not_found(request.track_id),)
        if hold or batch.ready_at > now:
            return (_in_process(),)
        if batch.set_status_at_receipt:
            return (_set_level(batch.test_set_id, batch.set_status_at_receipt),)
        set_message = None
        if batch.test_set_id:
            test_set = self.settle(self.store.TestSet.get(self.store.TestSet.test_set_id == batch.test_set_id), now=now)
            if test_set.status != status.TEST_SET_IN_PROCESS:
                set_message = status.set_status_message(test_set.test_set_id, test_set.status)
        documents = self.store.Document.select().where(self.store.Document.zip_key == batch.zip_key)
        return tuple(_response(d, status_message=set_message) for d in documents.order_by(self.store.Document.id))

    def get_numbering_range(self, request: soap.GetNumberingRange, *,
                            sender_nit: str | None) -> soap.NumberingRangeResponse:
        """The issuer's ranges whose prefixes are associated to the software (100/301/302/303/401)."""
        store = self.store
        holder = store.Company.get_or_none(store.Company.nit == request.account_code)
        authorized = sender_nit is not None and (
            sender_nit == request.account_code or (holder is not None and holder.may_send(sender_nit)))
        if not authorized:
            return _ranges(status.NOT_AUTHORIZED)
        software = store.Software.get_or_none(store.Software.software_id == request.software_code)
        if software is None or software.owner_nit != request.account_code_t:
            return _ranges(status.SOFTWARE_NOT_OWNED)
        ranges = list(store.NumberingRange.select().where(store.NumberingRange.nit == request.account_code)
                      .order_by(store.NumberingRange.id))
        if not ranges:
            return _ranges(status.NO_RANGES)
        prefixes = {a.prefix for a in store.PrefixAssociation.select().where(
            (store.PrefixAssociation.nit == request.account_code)
            & (store.PrefixAssociation.software_id == request.software_code))}
        associated = [r for r in ranges if r.prefix in prefixes]
        if not associated:
            return _ranges(status.NO_PREFIXES_ASSOCIATED)
        return _ranges(status.RANGES_FOUND, tuple(
            soap.NumberingRange(
                resolution_number=r.resolution_number, resolution_date=r.resolution_date, prefix=r.prefix,
                from_number=r.from_number, to_number=r.to_number, valid_date_from=r.valid_from,
                valid_date_to=r.valid_to, technical_key=r.technical_key)
            for r in associated))

    # --- test sets ----------------------------------------------------------

    def settle(self, test_set, *, now: dt.datetime):
        """Decide ``test_set`` from its processed documents, in the order DIAN processed them.

        Accepted once every kind reaches its count; rejected once rejections
        exceed ``total_documents - accepted required``. A decision is final.
        """
        if test_set.status != status.TEST_SET_IN_PROCESS:
            return test_set
        required = test_set.required_counts()
        allowed_rejections = test_set.total_documents - sum(required.values())
        accepted: Counter[str] = Counter()
        rejected = 0
        Document = self.store.Document
        processed = Document.select().where(
            (Document.test_set_id == test_set.test_set_id) & (Document.counted == True)  # noqa: E712
            & (Document.ready_at <= now)).order_by(Document.ready_at, Document.id)
        for document in processed:
            if document.is_valid:
                accepted[document.kind] += 1
            else:
                rejected += 1
            if rejected > allowed_rejections:
                return self._decide(test_set, status.TEST_SET_REJECTED, now)
            if all(accepted[kind] >= count for kind, count in required.items()):
                return self._decide(test_set, status.TEST_SET_ACCEPTED, now)
        return test_set

    def test_set_summary(self, test_set, *, now: dt.datetime | None = None) -> dict:
        """A test set's status and counts, as the portal shows them."""
        test_set = self.settle(test_set, now=now or utcnow())
        Document = self.store.Document
        counted = list(Document.select().where(
            (Document.test_set_id == test_set.test_set_id) & (Document.counted == True)))  # noqa: E712
        accepted = Counter(d.kind for d in counted if d.is_valid)
        return {
            "test_set_id": test_set.test_set_id, "nit": test_set.nit, "software_id": test_set.software_id,
            "kind": test_set.kind, "status": test_set.status,
            "status_text": status.TEST_SET_STATUS[test_set.status],
            "message": status.set_status_message(test_set.test_set_id, test_set.status),
            "required": test_set.required_counts(), "total_documents": test_set.total_documents,
            "accepted": dict(accepted), "rejected": sum(1 for d in counted if not d.is_valid),
            "received": len(counted),
        }

    def _decide(self, test_set, outcome: int, now: dt.datetime):
        test_set.status = outcome
        test_set.decided_at = now
        test_set.save()
        if outcome == status.TEST_SET_ACCEPTED and test_set.kind == "invoice":
            self.store.Company.update(invoicer_enabled=True).where(self.store.Company.nit == test_set.nit).execute()
        return test_set

    # --- helpers ------------------------------------------------------------

    def _entries(self, request, *, limit: int) -> list[tuple[str, bytes]]:
        try:
            archive = zipfile.ZipFile(io.BytesIO(request.content_file))
            names = [i.filename for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".xml")]
            if len(names) > limit:
                if limit == 1:
                    raise UploadRefused(f"El ZIP debe contener exactamente un documento XML; contiene {len(names)}")
                raise UploadRefused(status.zip_too_large_message(limit))
            entries = [(name, archive.read(name)) for name in names]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
            raise UploadRefused(f"El archivo {request.file_name} no es un ZIP válido: {exc}") from exc
        if not entries:
            raise UploadRefused(f"El ZIP {request.file_name} no contiene documentos XML")
        return entries

    def _test_set_for(self, test_set_id: str, entries: list[tuple[str, bytes]]):
        facts = [f for f in (read_facts_or_none(xml) for _, xml in entries) if f is not None]
        issuers = sorted({f.issuer_nit for f in facts})
        if len(issuers) > 1:
            raise UploadRefused(f"Los documentos del lote ZIP deben ser de un solo emisor; hay {', '.join(issuers)}")
        test_set = self.store.TestSet.get_or_none(self.store.TestSet.test_set_id == test_set_id)
        nit = facts[0].issuer_nit if facts else "(desconocido)"
        software_id = facts[0].software_id if facts else "(desconocido)"
        if test_set is None or (facts and (test_set.nit != nit or test_set.software_id != software_id)):
            raise UploadRefused(status.no_set_message(nit, software_id))
        return test_set

    def _new_batch(self, request, *, now, test_set_id, sender_nit, set_status):
        return self.store.Batch.create(
            zip_key=str(uuid.uuid4()), operation=request.OPERATION, file_name=request.file_name,
            test_set_id=test_set_id, sender_nit=sender_nit, set_status_at_receipt=set_status,
            received_at=now, ready_at=now + dt.timedelta(seconds=self.config.processing_seconds))

    def _processing_starts(self, batch) -> None:
        # Validating a big zip takes real seconds here; the batch stays "en
        # proceso" for processing_seconds after that, not after its arrival.
        ready_at = utcnow() + dt.timedelta(seconds=self.config.processing_seconds)
        self.store.Batch.update(ready_at=ready_at).where(self.store.Batch.id == batch.id).execute()
        self.store.Document.update(ready_at=ready_at).where(self.store.Document.zip_key == batch.zip_key).execute()

    def _receive(self, name: str, xml: bytes) -> None:
        facts = read_facts_or_none(xml)
        track_id = facts.uuid if facts else content_key(xml)
        Receipt = self.store.Receipt
        receipt, _ = Receipt.get_or_create(track_id=track_id, defaults={
            "file_name": name, "number": facts.number if facts else None})
        Receipt.update(times_seen=Receipt.times_seen + 1, last_seen=utcnow()).where(Receipt.id == receipt.id).execute()

    def _record(self, verdict: Verdict, *, file_name: str, zip_key: str | None, ready_at: dt.datetime,
                test_set_id: str | None = None):
        return self.store.Document.create(
            zip_key=zip_key, track_id=verdict.track_id, file_name=file_name, number=verdict.number,
            kind=verdict.kind, issuer_nit=verdict.issuer_nit, test_set_id=test_set_id,
            counted=verdict.counted and test_set_id is not None, is_valid=verdict.is_valid,
            status_code=verdict.status_code, status_description=status.status_meaning(verdict.status_code),
            status_message=verdict.status_message, errors=json.dumps(list(verdict.errors), ensure_ascii=False),
            ready_at=ready_at)


def _response(document, *, status_message: str | None = None) -> soap.DianResponse:
    return soap.DianResponse(
        is_valid=document.is_valid, status_code=document.status_code,
        status_description=document.status_description,
        status_message=status_message or document.status_message,
        error_messages=tuple(document.error_list()), xml_document_key=document.track_id,
        xml_file_name=document.file_name.rsplit("/", 1)[-1].removesuffix(".xml"))


def _refused(file_name: str, message: str) -> soap.UploadDocumentResponse:
    return soap.UploadDocumentResponse(zip_key="", error_messages=(soap.ProcessedDocument(
        document_key="", processed_message=message, sender_code="", success=False, xml_file_name=file_name),))


def _in_process() -> soap.DianResponse:
    return soap.DianResponse(is_valid=False, status_code=status.IN_PROCESS, status_description=status.BATCH_IN_PROCESS)


def _not_found(track_id: str) -> soap.DianResponse:
    return soap.DianResponse(is_valid=False, status_code=status.NOT_FOUND,
                             status_description=status.status_meaning(status.NOT_FOUND),
                             error_messages=(f"TrackId {track_id} no existe",), xml_document_key=track_id)


def _set_level(test_set_id: str, set_status: int) -> soap.DianResponse:
    message = status.set_status_message(test_set_id, set_status)
    return soap.DianResponse(is_valid=set_status == status.TEST_SET_ACCEPTED, status_code=str(set_status),
                             status_description=message, status_message=message)


def _ranges(code: str, ranges: tuple = ()) -> soap.NumberingRangeResponse:
    return soap.NumberingRangeResponse(operation_code=code, operation_description=status.operation_meaning(code),
                                       ranges=ranges)
