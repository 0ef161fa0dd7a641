"""Customers (terceros), as ``POST /v1/customers`` takes them and the API shows them.

An invoice names its customer by identification (and branch office, 0 by
default); the customer must have been created first, as in the real ERP: a
hub looks it up with ``GET /v1/customers?identification=`` and creates it
when missing. Cities are DANE codes: a 2-digit department and the 5-digit
municipality starting with it; their format is checked, not their existence
(the DIVIPOLA list is not shipped here).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from habilita.dian.checkdigit import nit_check_digit, validate_nit
from habilita.dian.errors import InvalidTaxId

from .catalogs import ID_TYPES, PERSON_TYPES
from .errors import ApiError, Problem

_STATE = re.compile(r"[0-9]{2}")
_CITY = re.compile(r"[0-9]{5}")


def new_customer(body: dict, existing: dict[tuple[str, int], dict]) -> dict:
    """Validate ``body`` and return the customer to store; every problem is reported at once."""
    problems: list[Problem] = []

    def refuse(code: str, message: str, value: object, field: str) -> None:
        problems.append(Problem(code, message, (str(value),) if value not in (None, "") else (), field))

    person_type = body.get("person_type")
    if person_type not in PERSON_TYPES:
        refuse("invalid_type", f"person_type debe ser {' o '.join(PERSON_TYPES)}", person_type, "person_type")
    id_type = str(body.get("id_type") or "")
    if id_type not in ID_TYPES:
        refuse("invalid_type", f"id_type {id_type!r} no es un tipo de identificación conocido "
               f"({', '.join(ID_TYPES)})", id_type, "id_type")
    identification = str(body.get("identification") or "").strip()
    check_digit = None
    if not identification:
        refuse("parameter_required", "El campo identification es obligatorio", None, "identification")
    elif id_type == "31":
        try:
            identification = validate_nit(identification, body.get("check_digit"))
            check_digit = nit_check_digit(identification)
        except InvalidTaxId as exc:
            refuse("invalid_type", f"NIT inválido: {exc}", identification, "identification")
    name = body.get("name")
    wanted = 2 if person_type == "Person" else 1
    if not (isinstance(name, list) and len(name) == wanted and all(isinstance(n, str) and n.strip() for n in name)):
        refuse("invalid_type", f"name debe ser una lista de {wanted} textos "
               f"({'nombres y apellidos' if wanted == 2 else 'razón social'})", None, "name")
    address = body.get("address") if isinstance(body.get("address"), dict) else {}
    city = address.get("city") if isinstance(address.get("city"), dict) else {}
    state_code, city_code = str(city.get("state_code") or ""), str(city.get("city_code") or "")
    if not str(address.get("address") or "").strip():
        refuse("parameter_required", "El campo address.address es obligatorio", None, "address.address")
    if not _STATE.fullmatch(state_code):
        refuse("invalid_type", "address.city.state_code debe ser el código DANE de 2 dígitos del departamento",
               state_code, "address.city.state_code")
    if not (_CITY.fullmatch(city_code) and city_code.startswith(state_code)):
        refuse("invalid_type", "address.city.city_code debe ser el código DANE de 5 dígitos del municipio, "
               "que empieza por el del departamento", city_code, "address.city.city_code")
    branch_office = body.get("branch_office", 0)
    if not isinstance(branch_office, int) or isinstance(branch_office, bool) or branch_office < 0:
        refuse("invalid_type", "branch_office debe ser un número entero no negativo", branch_office, "branch_office")
    elif (identification, branch_office) in existing:
        refuse("already_exists", f"Ya existe un cliente con identificación {identification} "
               f"y sucursal {branch_office}", identification, "identification")
    if problems:
        raise ApiError(400, *problems)
    return {
        "id": str(uuid.uuid4()), "type": "Customer", "person_type": person_type,
        "id_type": {"code": id_type, "name": ID_TYPES[id_type]}, "identification": identification,
        "check_digit": check_digit, "branch_office": branch_office, "name": [n.strip() for n in name],
        "commercial_name": str(body.get("commercial_name") or ""), "active": True,
        "vat_responsible": bool(body.get("vat_responsible", False)),
        "fiscal_responsibilities": [{"code": str(r.get("code"))} for r in body.get("fiscal_responsibilities") or []
                                    if isinstance(r, dict)] or [{"code": "R-99-PN"}],
        "address": {"address": str(address["address"]).strip(),
                    "city": {"country_code": "Co", "state_code": state_code, "city_code": city_code,
                             **{k: str(city[k]) for k in ("state_name", "city_name") if city.get(k)}},
                    "postal_code": str(address.get("postal_code") or "")},
        "phones": [p for p in body.get("phones") or [] if isinstance(p, dict)],
        "contacts": [c for c in body.get("contacts") or [] if isinstance(c, dict)],
        "metadata": {"created": dt.datetime.now(dt.timezone.utc).isoformat()},
    }
