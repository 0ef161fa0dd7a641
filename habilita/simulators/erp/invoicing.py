"""``POST /v1/invoices``: validation, idempotency, numbering and stamping of a sales invoice.

The order of decisions is the real ERP's, and it matters to a hub:

1. A known ``Idempotency-Key`` returns the invoice it created, whatever the
   body (so a retried request after a lost answer never creates a second
   invoice, even days later when the date would now be refused).
2. The body is validated, and every problem is reported in one answer:
   ``invalid_reference`` (unknown product code, customer, seller, tax,
   warehouse, payment type or document type; Params name the value),
   ``parameter_inactive``, ``document_settings`` (a cost centre the document
   type requires; no electronic setup when ``stamp.send``), ``invalid_date``
   (before today in Colombia), ``blocked_transactions`` (a closed period),
   ``invalid_total_payments`` (payments not adding up to the total).
3. Without a key, a body equal to one already invoiced is refused with
   ``duplicated_document`` (Params: the existing invoice's name).
4. The next number of the company's numbering is taken, the invoice is
   stored as Draft and, when ``stamp.send`` is true, built, signed and sent
   to DIAN; DIAN's verdict and the CUFE go on the invoice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from habilita.dian.amounts import compute_totals, money
from habilita.dian.clock import colombia_now
from habilita.dian.documents import Line, LineTax
from habilita.dian.errors import InvalidDocument

from . import stamping
from .catalogs import TAX_SCHEMES
from .errors import ApiError, Problem, required
from .store import Company, ErpState, public_invoice

IDEMPOTENCY_KEY = re.compile(r"[0-9A-Za-z]{1,30}")


@dataclass(frozen=True)
class _Order:
    """A validated invoice body."""

    document_type: dict
    date: dt.date
    customer: dict
    seller: dict
    cost_center: dict | None
    lines: tuple[Line, ...]
    items: tuple[dict, ...]
    payments: tuple[dict, ...]
    send: bool
    mail: bool
    observations: str


class _Problems:
    """Collects the problems of every check, so one answer names them all."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def check(self, action, *args, **kwargs):
        """``action``'s result, or None with its problems kept."""
        try:
            return action(*args, **kwargs)
        except ApiError as exc:
            self.found.extend(exc.problems)
            return None

    def add(self, code: str, message: str, *params: object, detail: str = "") -> None:
        self.found.append(Problem(code, message, tuple(str(p) for p in params), detail))


def create_invoice(state: ErpState, company: Company, payload: object,
                   idempotency_key: str | None) -> tuple[int, dict]:
    """(HTTP status, invoice): 201 for a new invoice, 200 for the replay of a known key."""
    if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise ApiError.one(400, "invalid_type", "El Idempotency-Key debe tener de 1 a 30 letras o dígitos",
                           idempotency_key, detail="Idempotency-Key")
    if not isinstance(payload, dict):
        raise ApiError.one(400, "invalid_type", "El cuerpo de la solicitud debe ser un objeto JSON", detail="body")
    with company.lock:
        if idempotency_key in company.idempotency:
            return 200, public_invoice(company.invoices[company.idempotency[idempotency_key]])
        order = _validate(company, payload)
        fingerprint = None
        if idempotency_key is None:
            fingerprint = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            earlier = company.fingerprints.get(fingerprint)
            if earlier is not None:
                name = company.invoices[earlier]["name"]
                raise ApiError.one(400, "duplicated_document",
                                   f"El documento ya fue creado como {name}; use un Idempotency-Key para "
                                   "reintentar sin duplicar", name, detail="body")
        numbering, number = company.numbering, company.next_number
        if number > numbering.to_number:
            raise ApiError.one(400, "document_settings",
                               f"La numeración {numbering.prefix} {numbering.from_number}-{numbering.to_number} "
                               "está agotada", numbering.prefix, detail="document")
        signed = _signed(state, company, order, number) if order.send else None
        company.next_number = number + 1
        invoice = _invoice(order, prefix=numbering.prefix, number=number)
        company.invoices[invoice["id"]] = invoice
        if idempotency_key is not None:
            company.idempotency[idempotency_key] = invoice["id"]
        if fingerprint is not None:
            company.fingerprints[fingerprint] = invoice["id"]
        if signed is not None:
            stamp = stamping.send(signed, setup=company.dian, dian_url=state.dian_url, timeouts=state.dian_timeouts,
                                  issuer_nit=company.nit, year=order.date.year, number=number)
            invoice["stamp"] = stamp.to_json()
            invoice["_xml"] = signed.xml
        return 201, public_invoice(invoice)


def _signed(state: ErpState, company: Company, order: _Order, number: int):
    missing = [what for what, absent in (
        ("software y certificado de firma (configuración DIAN)", company.dian is None),
        ("clave técnica de la resolución de numeración", company.numbering.technical_key is None),
        ("dirección del servicio de la DIAN", state.dian_url is None)) if absent]
    if missing:
        raise ApiError.one(400, "document_settings", "La compañía no puede enviar facturas electrónicas: "
                           f"falta {', '.join(missing)}", detail="stamp.send")
    return stamping.build_signed(
        setup=company.dian, numbering=company.numbering, number=number, issue_date=order.date,
        supplier=stamping.supplier_party(company.nit, company.name),
        customer=stamping.customer_party(order.customer), lines=order.lines)


def _validate(company: Company, payload: dict) -> _Order:
    problems = _Problems()
    document = payload.get("document") if isinstance(payload.get("document"), dict) else {}
    document_type = problems.check(lambda: company.catalog_entry(
        "document-types", required(document.get("id"), "document.id"), "document.id"))
    date = problems.check(_date, company, payload.get("date"))
    customer = problems.check(_customer, company, payload.get("customer"))
    seller = problems.check(lambda: company.catalog_entry("users", required(payload.get("seller"), "seller"), "seller"))
    cost_center = None
    if payload.get("cost_center") is not None:
        cost_center = problems.check(company.catalog_entry, "cost-centers", payload["cost_center"], "cost_center")
    elif document_type is not None and document_type["cost_center_mandatory"]:
        problems.add("document_settings", f"El tipo de comprobante {document_type['name']} exige centro de costo",
                     document_type["id"], detail="cost_center")
    lines, items = _items(company, payload.get("items"), problems)
    payments = _payments(company, payload.get("payments"), problems)
    if lines and payments is not None and not problems.found:
        total = compute_totals(lines).payable
        paid = money(sum((p["_value"] for p in payments), Decimal(0)))
        if paid != total:
            problems.add("invalid_total_payments", f"La suma de los pagos ({paid}) no es igual al total de la "
                         f"factura ({total})", paid, total, detail="payments")
    if problems.found:
        raise ApiError(400, *problems.found)
    return _Order(document_type=document_type, date=date, customer=customer, seller=seller, cost_center=cost_center,
                  lines=lines, items=items, payments=tuple(payments), send=_flag(payload, "stamp"),
                  mail=_flag(payload, "mail"), observations=str(payload.get("observations") or ""))


def _flag(payload: dict, name: str) -> bool:
    part = payload.get(name)
    return isinstance(part, dict) and part.get("send") is True


def _date(company: Company, value: object) -> dt.date:
    try:
        date = dt.date.fromisoformat(str(required(value, "date")))
    except ValueError as exc:
        raise ApiError.one(400, "invalid_type", "date debe tener el formato AAAA-MM-DD", value, detail="date") from exc
    today = colombia_now().date()
    if date < today:
        raise ApiError.one(400, "invalid_date", f"Una factura electrónica no puede tener fecha anterior a hoy "
                           f"({today})", date, today, detail="date")
    if company.closed_until is not None and date <= company.closed_until:
        raise ApiError.one(400, "blocked_transactions", f"El periodo contable está cerrado hasta el "
                           f"{company.closed_until}", date, detail="date")
    return date


def _customer(company: Company, value: object) -> dict:
    value = value if isinstance(value, dict) else {}
    identification = str(required(value.get("identification"), "customer.identification"))
    branch_office = value.get("branch_office", 0)
    customer = company.customers.get((identification, branch_office))
    if customer is None:
        raise ApiError.one(400, "invalid_reference", f"El cliente con identificación {identification} "
                           f"(sucursal {branch_office}) no existe", identification, detail="customer.identification")
    return customer


def _number(value: object, field: str, *, positive: bool) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ApiError.one(400, "invalid_type", f"{field} debe ser un número", value, detail=field)
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ApiError.one(400, "invalid_type", f"{field} debe ser un número", value, detail=field) from exc
    if not number.is_finite() or number < 0 or (positive and number == 0):
        sign = "positivo" if positive else "no negativo"
        raise ApiError.one(400, "invalid_type", f"{field} debe ser un número {sign}",
                           value, detail=field)
    return number


def _items(company: Company, items: object, problems: _Problems) -> tuple[tuple[Line, ...], tuple[dict, ...]]:
    if not isinstance(items, list) or not items:
        problems.add("parameter_required", "La factura debe tener al menos un ítem", "items", detail="items")
        return (), ()
    lines, shown = [], []
    for index, item in enumerate(items):
        where = f"items[{index}]"
        item = item if isinstance(item, dict) else {}
        product = problems.check(_product, company, item.get("code"), f"{where}.code")
        quantity = problems.check(_number, item.get("quantity"), f"{where}.quantity", positive=True)
        price = problems.check(_number, item.get("price"), f"{where}.price", positive=False)
        taxes = [problems.check(company.catalog_entry, "taxes", t.get("id") if isinstance(t, dict) else t,
                                f"{where}.taxes[{n}].id") for n, t in enumerate(item.get("taxes") or [])]
        warehouse = None
        if item.get("warehouse") is not None:
            warehouse = problems.check(company.catalog_entry, "warehouses", item["warehouse"], f"{where}.warehouse")
        if product is None or quantity is None or price is None or None in taxes:
            continue
        description = str(item.get("description") or product["name"])
        try:
            lines.append(Line(description=description, quantity=quantity, unit_price=price, item_code=product["code"],
                              taxes=tuple(LineTax(scheme=TAX_SCHEMES[t["type"]], percent=Decimal(t["percentage"]))
                                          for t in taxes)))
        except InvalidDocument as exc:
            problems.add("invalid_type", str(exc), product["code"], detail=where)
            continue
        shown.append({"code": product["code"], "description": description, "quantity": float(quantity),
                      "price": float(price), "discount": 0.0, "warehouse": warehouse and warehouse["id"],
                      "taxes": [{"id": t["id"], "name": t["name"], "type": t["type"], "percentage": t["percentage"]}
                                for t in taxes]})
    return tuple(lines), tuple(shown)


def _product(company: Company, code: object, field: str) -> dict:
    code = str(required(code, field))
    product = company.products.get(code)
    if product is None:
        raise ApiError.one(400, "invalid_reference", f"El producto con código {code} no existe", code, detail=field)
    if not product["active"]:
        raise ApiError.one(400, "parameter_inactive", f"El producto con código {code} está inactivo", code,
                           detail=field)
    return product


def _payments(company: Company, payments: object, problems: _Problems) -> list[dict] | None:
    if not isinstance(payments, list) or not payments:
        problems.add("parameter_required", "La factura debe tener al menos una forma de pago", "payments",
                     detail="payments")
        return None
    found = []
    for index, payment in enumerate(payments):
        where = f"payments[{index}]"
        payment = payment if isinstance(payment, dict) else {}
        kind = problems.check(lambda: company.catalog_entry(
            "payment-types", required(payment.get("id"), f"{where}.id"), f"{where}.id"))
        value = problems.check(_number, payment.get("value"), f"{where}.value", positive=False)
        if kind is not None and value is not None:
            found.append({"id": kind["id"], "name": kind["name"], "value": float(money(value)),
                          "due_date": payment.get("due_date"), "_value": value})
    return found if len(found) == len(payments) else None


def _invoice(order: _Order, *, prefix: str, number: int) -> dict:
    totals = compute_totals(order.lines)
    items = [{**item, "total": float(amounts.line_extension + amounts.tax_amount)}
             for item, amounts in zip(order.items, totals.lines)]
    return {
        "id": str(uuid.uuid4()), "document": {"id": order.document_type["id"]}, "prefix": prefix, "number": number,
        "name": f"{prefix}{number}", "date": order.date.isoformat(),
        "customer": {"id": order.customer["id"], "identification": order.customer["identification"],
                     "branch_office": order.customer["branch_office"]},
        "cost_center": order.cost_center and order.cost_center["id"], "seller": order.seller["id"],
        "observations": order.observations, "total": float(totals.payable), "balance": 0.0, "items": items,
        "payments": [{k: v for k, v in p.items() if not k.startswith("_")} for p in order.payments],
        "stamp": stamping.Stamp(status="Draft").to_json(),
        "mail": {"status": "sent" if order.mail else "not_sent"},
        "metadata": {"created": dt.datetime.now(dt.timezone.utc).isoformat()},
    }
