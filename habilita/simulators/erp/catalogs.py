"""The catalogs every simulated company starts with, as the ERP lists them.

Ids are fixed (the same in every company, as ids in separate ERP tenants may
be) so tests and the dev console can name them. Each catalog holds one
inactive entry, to exercise ``parameter_inactive``. The second sales
document type requires a cost centre, to exercise ``document_settings``.
"""

from __future__ import annotations

import copy

# Identification types of customers (the DIAN codes the ERP uses).
ID_TYPES = {
    "11": "Registro civil",
    "12": "Tarjeta de identidad",
    "13": "Cédula de ciudadanía",
    "21": "Tarjeta de extranjería",
    "22": "Cédula de extranjería",
    "31": "NIT",
    "41": "Pasaporte",
    "42": "Documento de identificación extranjero",
    "47": "Permiso especial de permanencia (PEP)",
    "50": "NIT de otro país",
    "91": "NUIP",
}
PERSON_TYPES = {"Person": "2", "Company": "1"}  # the ERP's word -> DIAN's AdditionalAccountID
# Tax types of the catalog -> DIAN tax scheme.
TAX_SCHEMES = {"IVA": "01", "INC": "04", "ICA": "03"}

DOCUMENT_TYPE_INVOICE = 24446
DOCUMENT_TYPE_WITH_COST_CENTER = 24447

_SEED = {
    "price-lists": [
        {"id": 1273, "name": "Precio de venta 1", "position": 1, "active": True},
        {"id": 1274, "name": "Precio mayorista", "position": 2, "active": True},
        {"id": 1275, "name": "Precio tienda en línea", "position": 3, "active": True},
    ],
    "warehouses": [
        {"id": 1270, "name": "Bodega principal", "active": True, "has_movements": True},
        {"id": 1271, "name": "Bodega Mercado Libre Full", "active": True, "has_movements": True},
        {"id": 1272, "name": "Bodega antigua", "active": False, "has_movements": False},
    ],
    "users": [
        {"id": 629, "username": "ventas@empresa.co", "first_name": "Laura", "last_name": "Gómez",
         "email": "ventas@empresa.co", "active": True, "identification": "52123456"},
        {"id": 630, "username": "tienda@empresa.co", "first_name": "Andrés", "last_name": "Rodríguez",
         "email": "tienda@empresa.co", "active": True, "identification": "80123456"},
        {"id": 631, "username": "antiguo@empresa.co", "first_name": "Carlos", "last_name": "Pérez",
         "email": "antiguo@empresa.co", "active": False, "identification": "79123456"},
    ],
    "cost-centers": [
        {"id": 235, "code": "1", "name": "Ventas en línea", "active": True},
        {"id": 236, "code": "2", "name": "Tienda física", "active": True},
        {"id": 237, "code": "3", "name": "Sucursal cerrada", "active": False},
    ],
    "payment-types": [
        {"id": 5636, "name": "Efectivo", "type": "Efectivo", "active": True, "due_date": False},
        {"id": 5637, "name": "Tarjeta de crédito", "type": "Tarjeta", "active": True, "due_date": False},
        {"id": 5638, "name": "Transferencia bancaria", "type": "Banco", "active": True, "due_date": False},
        {"id": 5639, "name": "Crédito (cartera)", "type": "Cartera", "active": True, "due_date": True},
        {"id": 5640, "name": "Cheque", "type": "Banco", "active": False, "due_date": False},
    ],
    "document-types": [
        {"id": DOCUMENT_TYPE_INVOICE, "code": "1", "name": "Factura electrónica de venta", "type": "FV",
         "active": True, "cost_center": True, "cost_center_mandatory": False, "automatic_number": True,
         "electronic_type": "ElectronicInvoice"},
        {"id": DOCUMENT_TYPE_WITH_COST_CENTER, "code": "2", "name": "Factura electrónica por centro de costo",
         "type": "FV", "active": True, "cost_center": True, "cost_center_mandatory": True,
         "automatic_number": True, "electronic_type": "ElectronicInvoice"},
        {"id": 24448, "code": "3", "name": "Factura de venta POS (descontinuada)", "type": "FV", "active": False,
         "cost_center": False, "cost_center_mandatory": False, "automatic_number": True,
         "electronic_type": "NoElectronic"},
    ],
    "taxes": [
        {"id": 13156, "name": "IVA 19%", "type": "IVA", "percentage": 19, "active": True},
        {"id": 13157, "name": "IVA 5%", "type": "IVA", "percentage": 5, "active": True},
        {"id": 13158, "name": "Impoconsumo 8%", "type": "INC", "percentage": 8, "active": True},
        {"id": 13159, "name": "IVA 16% (histórico)", "type": "IVA", "percentage": 16, "active": False},
    ],
}
# What each catalog is called in error messages.
LABELS = {
    "price-lists": "lista de precios",
    "warehouses": "bodega",
    "users": "vendedor",
    "cost-centers": "centro de costo",
    "payment-types": "forma de pago",
    "document-types": "tipo de comprobante",
    "taxes": "impuesto",
}


def seed() -> dict[str, list[dict]]:
    """A fresh copy of every catalog, for a new company."""
    return copy.deepcopy(_SEED)
