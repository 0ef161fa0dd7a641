"""Credentials, the error shape and the catalogs, through the real client over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from habilita.adapters.erp_client import PriceList
from habilita.adapters.erp_errors import ErpCredentialsRefused

from .conftest import ACCESS_KEY, USERNAME, client_for


def counting_session() -> tuple[requests.Session, list[str]]:
    """A session that remembers the path of every answered request."""
    session, paths = requests.Session(), []
    session.hooks["response"].append(lambda response, *args, **kwargs: paths.append(response.request.path_url))
    return session, paths


def test_right_credentials_authenticate_once_and_the_token_is_reused(erp_simulator, erp_company):
    session, paths = counting_session()
    with client_for(erp_simulator, session=session) as client:
        client.price_lists()
        client.warehouses()
    assert paths == ["/auth", "/v1/price-lists", "/v1/warehouses"]


def test_wrong_credentials_are_refused_without_showing_the_key(erp_simulator, erp_company):
    with client_for(erp_simulator, access_key="not-the-key") as client:
        with pytest.raises(ErpCredentialsRefused) as refused:
            client.check_credentials()
        assert (refused.value.status, refused.value.code) == (401, "invalid_credentials")
        assert "not-the-key" not in str(refused.value) and "not-the-key" not in repr(client)


def test_an_expired_token_is_renewed_once(erp_simulator, erp_company):
    session, paths = counting_session()
    with client_for(erp_simulator, session=session) as client:
        client.taxes()
        erp_simulator.admin.send("POST", f"/_admin/users/{USERNAME}/expire-tokens")
        client.taxes()
    assert paths == ["/auth", "/v1/taxes", "/v1/taxes", "/auth", "/v1/taxes"]


def test_errors_have_the_erp_shape_and_partner_id_is_required(erp_simulator, erp_company):
    body = {"username": USERNAME, "access_key": ACCESS_KEY}
    missing = requests.post(erp_simulator.url + "/auth", json=body, timeout=10)
    assert missing.status_code == 400
    assert missing.json() == {"Status": 400, "Errors": [{
        "Code": "parameter_required", "Message": "El encabezado Partner-Id es obligatorio",
        "Params": ["Partner-Id"], "Detail": "Partner-Id"}]}
    short = requests.post(erp_simulator.url + "/auth", json=body, headers={"Partner-Id": "ab"}, timeout=10)
    assert short.json()["Errors"][0]["Code"] == "invalid_type"
    answer = requests.post(erp_simulator.url + "/auth", json=body, headers={"Partner-Id": "habilita"}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["expires_in"] == 86400 and answer.json()["token_type"] == "Bearer"
    token = answer.json()["access_token"]
    no_partner = requests.get(erp_simulator.url + "/v1/taxes", headers={"Authorization": f"Bearer {token}"},
                              timeout=10)
    assert no_partner.status_code == 400
    no_token = requests.get(erp_simulator.url + "/v1/taxes", headers={"Partner-Id": "habilita"}, timeout=10)
    assert (no_token.status_code, no_token.json()["Errors"][0]["Code"]) == (401, "unauthorized")


def test_the_catalogs_carry_ids_and_spanish_names(erp_client):
    assert PriceList(id=1273, name="Precio de venta 1", position=1, active=True) in erp_client.price_lists()
    assert "Bodega principal" in {w.name for w in erp_client.warehouses()}
    assert {s.name for s in erp_client.sellers() if s.active} == {"Laura Gómez", "Andrés Rodríguez"}
    assert [c.name for c in erp_client.cost_centers() if c.active] == ["Ventas en línea", "Tienda física"]
    assert "Efectivo" in {p.name for p in erp_client.payment_types()}
    assert [p.name for p in erp_client.payment_types() if p.due_date] == ["Crédito (cartera)"]
    document_types = {d.id: d for d in erp_client.document_types()}
    assert document_types[24446].name == "Factura electrónica de venta"
    assert document_types[24447].cost_center_mandatory and not document_types[24446].cost_center_mandatory
    iva = next(t for t in erp_client.taxes() if t.id == 13156)
    assert (iva.name, iva.type, iva.percentage) == ("IVA 19%", "IVA", Decimal(19))


def test_products_are_found_by_code_or_barcode(erp_client):
    by_code = erp_client.find_product(code="SKU-001")
    assert (by_code.name, by_code.barcode, by_code.active, by_code.tax_ids) == (
        "Camiseta estampada", "7701234567890", True, (13156,))
    assert by_code.price(currency="COP", position=1) == Decimal(50000)
    assert by_code.price(currency="USD") is None
    assert erp_client.find_product(barcode="7701234567890") == by_code
    assert erp_client.find_product(code="SKU-404") is None
    assert erp_client.find_product(code="SKU-OLD").active is False
    with pytest.raises(ValueError):
        erp_client.find_product()
