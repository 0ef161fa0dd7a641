"""The simulator's WSGI app: DIAN's SOAP endpoint, a tiny portal, inspection.

Endpoints:

- ``POST /WcfDianCustomerServices.svc`` the SOAP 1.2 service (WS-Security checked)
- ``POST /portal/companies`` register a company -> TestSetId, SoftwareID, PIN
- ``POST /portal/providers`` register a technology provider's software (once) -> SoftwareID, PIN
- ``GET  /portal/companies/<nit>`` the company, its test sets and ranges
- ``POST /portal/companies/<nit>/resolutions`` request a numbering resolution
- ``POST /portal/companies/<nit>/prefixes`` associate a prefix to the software
- ``POST /portal/companies/<nit>/support-document`` enable the support document
- ``GET  /portal/test-sets/<id>`` a test set's status and counts
- ``GET/PUT/DELETE /_faults`` misbehaviour switches; ``GET /_received`` documents seen
- ``GET /`` an HTML page of the whole state
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from flask import Flask, Response, jsonify, render_template, request

from habilita.dian import soap, status, wssecurity
from habilita.dian.certificates import certificate_nit
from habilita.dian.errors import CertificateError

from . import portal
from .config import SimulatorConfig
from .faults import Faults, FaultSwitch
from .service import DianService
from .store import Store

SOAP_PATH = "/WcfDianCustomerServices.svc"
SOAP_MEDIA_TYPE = "application/soap+xml; charset=utf-8"
# WCF's wording for a message whose security header does not verify.
INVALID_SECURITY = "An error occurred when verifying security for the message"


def create_app(state_path: str, *, processing_seconds: float | None = None,
               config: SimulatorConfig | None = None, hang_limit_seconds: float = 300.0) -> Flask:
    """The simulator app on the SQLite file ``state_path`` (created if missing).

    ``processing_seconds`` (how long a batch stays "en proceso") overrides
    the one in ``config``.
    """
    config = config or SimulatorConfig()
    if processing_seconds is not None:
        config = replace(config, processing_seconds=processing_seconds)
    Path(state_path).parent.mkdir(parents=True, exist_ok=True)
    store = Store(state_path)
    service = DianService(store, config)
    switch = FaultSwitch()
    # One writer at a time: SQLite serializes writes anyway, and a batch's
    # duplicate check must see the batch received just before it.
    lock = threading.Lock()

    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.extensions["dian_simulator"] = {"store": store, "service": service, "faults": switch, "config": config}

    @app.before_request
    def _connect() -> None:
        store.database.connect(reuse_if_open=True)

    @app.teardown_request
    def _disconnect(_exc) -> None:
        store.close()

    @app.post(SOAP_PATH)
    def soap_endpoint():
        faults = switch.current
        if faults.hang:
            switch.hang_while_asked(limit_seconds=hang_limit_seconds)
        if faults.delay_seconds:
            switch.pause(faults.delay_seconds)
        failure = switch.take_failure()
        if failure is not None:
            return Response(f"<html><body><h1>{failure} Service Unavailable</h1>"
                            "<p>The DIAN simulator was told to fail this call.</p></body></html>",
                            status=failure, content_type="text/html; charset=utf-8")
        return _soap(request.get_data(), request.headers.get("Content-Type", ""))

    def _soap(data: bytes, content_type: str) -> Response:
        if not content_type.lower().startswith("application/soap+xml"):
            return Response(f"Cannot process the message because the content type {content_type!r} was not "
                            "the expected type 'application/soap+xml; charset=utf-8'.", status=415,
                            content_type="text/plain; charset=utf-8")
        try:
            envelope = soap.parse_envelope(data)
            parsed = soap.parse_request(envelope)
        except soap.MalformedEnvelope as exc:
            return _fault("Sender", "a:BadRequest", f"The message could not be read: {exc}", http_status=400)
        expected = soap.action(parsed.OPERATION)
        if soap.header_action(envelope) != expected or f'action="{expected}"' not in content_type:
            return _fault("Sender", "a:ActionMismatch",
                          f"The SOAP action (header and Content-Type) must be {expected} for {parsed.OPERATION}")
        try:
            certificate = wssecurity.verify_envelope(envelope)
        except wssecurity.InvalidSecurity as exc:
            return _fault("Sender", "a:InvalidSecurity", f"{INVALID_SECURITY}: {exc}")
        try:
            sender_nit = certificate_nit(certificate)
        except CertificateError:
            sender_nit = None
        with lock:
            result = _dispatch(parsed, sender_nit)
        return Response(soap.build_response(parsed.OPERATION, result), status=200, content_type=SOAP_MEDIA_TYPE)

    def _dispatch(parsed, sender_nit):
        if isinstance(parsed, soap.SendTestSetAsync):
            return service.send_test_set_async(parsed, sender_nit=sender_nit)
        if isinstance(parsed, soap.SendBillAsync):
            return service.send_bill_async(parsed, sender_nit=sender_nit)
        if isinstance(parsed, soap.SendBillSync):
            return service.send_bill_sync(parsed, sender_nit=sender_nit)
        if isinstance(parsed, soap.GetStatus):
            return service.get_status(parsed)
        if isinstance(parsed, soap.GetStatusZip):
            return service.get_status_zip(parsed, hold=switch.current.in_process_forever)
        return service.get_numbering_range(parsed, sender_nit=sender_nit)

    @app.get(SOAP_PATH)
    def soap_help():
        return Response("DIAN simulator: POST SOAP 1.2 messages of IWcfDianCustomerServices here.\n",
                        content_type="text/plain; charset=utf-8")

    # --- portal -------------------------------------------------------------

    @app.errorhandler(portal.PortalError)
    def _portal_error(exc: portal.PortalError):
        return jsonify(error=str(exc)), exc.status

    @app.post("/portal/companies")
    def register_company():
        body = _json_body()
        with lock:
            answer = portal.register_company(
                store, config, nit=body.get("nit"), legal_name=body.get("legal_name", ""),
                mode=body.get("mode", "own"), provider_nit=body.get("provider_nit"))
        return jsonify(answer), 201

    @app.post("/portal/providers")
    def register_provider():
        body = _json_body()
        with lock:
            answer = portal.register_provider(store, nit=body.get("nit"))
        return jsonify(answer), 201

    @app.get("/portal/companies/<nit>")
    def show_company(nit: str):
        holder = portal.company(store, nit)
        with lock:
            sets = [service.test_set_summary(t) for t in store.TestSet.select().where(store.TestSet.nit == holder.nit)]
        ranges = [portal.range_json(r) for r in store.NumberingRange.select().where(store.NumberingRange.nit == holder.nit)]
        prefixes = [a.prefix for a in store.PrefixAssociation.select().where(store.PrefixAssociation.nit == holder.nit)]
        return jsonify(nit=holder.nit, legal_name=holder.legal_name, mode=holder.mode,
                       provider_nit=holder.provider_nit, software_id=holder.software_id,
                       invoicer_enabled=holder.invoicer_enabled,
                       support_document_enabled=holder.support_document_enabled,
                       test_sets=sets, ranges=ranges, associated_prefixes=prefixes)

    @app.post("/portal/companies/<nit>/resolutions")
    def request_resolution(nit: str):
        body = _json_body()
        allowed = {"kind", "test", "prefix", "from_number", "to_number", "resolution_number",
                   "resolution_date", "valid_from", "valid_to", "technical_key"}
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise portal.PortalError(f"unknown fields: {', '.join(unknown)}")
        with lock:
            answer = portal.request_resolution(store, config, nit=nit, **body)
        return jsonify(answer), 201

    @app.post("/portal/companies/<nit>/prefixes")
    def associate_prefix(nit: str):
        body = _json_body()
        with lock:
            answer = portal.associate_prefix(store, nit=nit, prefix=body.get("prefix"))
        return jsonify(answer), 201

    @app.post("/portal/companies/<nit>/support-document")
    def enable_support_document(nit: str):
        with lock:
            answer = portal.enable_support_document(store, config, nit=nit)
        return jsonify(answer), 201

    @app.get("/portal/test-sets/<test_set_id>")
    def show_test_set(test_set_id: str):
        found = store.TestSet.get_or_none(store.TestSet.test_set_id == test_set_id)
        if found is None:
            raise portal.PortalError(f"test set {test_set_id} does not exist", status=404)
        with lock:
            return jsonify(service.test_set_summary(found))

    # --- inspection and misbehaviour ---------------------------------------

    @app.route("/_faults", methods=["GET", "PUT", "POST", "DELETE"])
    def faults_endpoint():
        if request.method == "DELETE":
            switch.set(Faults())
        elif request.method in ("PUT", "POST"):
            body = _json_body()
            try:
                # PUT replaces every switch; POST changes only the ones named.
                wanted = Faults.from_json(body if request.method == "PUT" else {**switch.current.to_json(), **body})
            except ValueError as exc:
                return jsonify(error=str(exc)), 400
            switch.set(wanted)
        return jsonify(switch.current.to_json())

    @app.get("/_received")
    def received():
        rows = store.Receipt.select().order_by(store.Receipt.id)
        track_id = request.args.get("track_id")
        if track_id:
            rows = rows.where(store.Receipt.track_id == track_id)
        return jsonify([{"track_id": r.track_id, "number": r.number, "file_name": r.file_name,
                         "times_seen": r.times_seen, "first_seen": r.first_seen.isoformat(),
                         "last_seen": r.last_seen.isoformat()} for r in rows])

    @app.get("/")
    def index():
        with lock:
            sets = [service.test_set_summary(t) for t in store.TestSet.select().order_by(store.TestSet.id)]
        return render_template(
            "index.html", companies=list(store.Company.select().order_by(store.Company.id)), test_sets=sets,
            ranges=list(store.NumberingRange.select().order_by(store.NumberingRange.id)),
            associations=list(store.PrefixAssociation.select()), faults=switch.current.to_json(),
            batches=list(store.Batch.select().order_by(store.Batch.id.desc()).limit(50)),
            received_count=store.Receipt.select().count(), status_names=status.TEST_SET_STATUS)

    return app


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise portal.PortalError("the request body must be a JSON object")
    return body


def _fault(code: str, subcode: str, reason: str, *, http_status: int = 500) -> Response:
    # SOAP 1.2 over HTTP carries faults with status 500 (400 for unreadable messages).
    body = soap.build_fault(soap.SoapFault(code=code, subcode=subcode, reason=reason))
    return Response(body, status=http_status, content_type=SOAP_MEDIA_TYPE)
