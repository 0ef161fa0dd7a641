"""Fixed values published by DIAN (habilitación and production)."""

from __future__ import annotations

# Technical key (ClTec) of every numbering range in habilitación.
TEST_TECHNICAL_KEY = "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c"

# Own-software test numbering range.
TEST_PREFIX = "SETP"
TEST_RESOLUTION = "18760000001"
TEST_RANGE_FROM = 990000000
TEST_RANGE_TO = 995000000
# Support document test range (unconfirmed by DIAN's public documents: configuration).
TEST_DS_PREFIX = "SEDS"
TEST_DS_RANGE_FROM = 984000000
TEST_DS_RANGE_TO = 985000000

ENVIRONMENT_PRODUCTION = "1"
ENVIRONMENT_TEST = "2"

# DIAN itself, the authorization provider named in every document.
DIAN_NIT = "800197268"
DIAN_DV = "4"
DIAN_AGENCY_ID = "195"
DIAN_AGENCY_NAME = "CO, DIAN (Dirección de Impuestos y Aduanas Nacionales)"

CATALOGUE_URL = {
    ENVIRONMENT_PRODUCTION: "https://catalogo-vpfe.dian.gov.co/document/searchqr?documentkey=",
    ENVIRONMENT_TEST: "https://catalogo-vpfe-hab.dian.gov.co/document/searchqr?documentkey=",
}

# XAdES-EPES signature policy of DIAN.
POLICY_IDENTIFIER = "https://facturaelectronica.dian.gov.co/politicadefirma/v2/politicadefirmav2.pdf"
POLICY_DESCRIPTION = "Política de firma para facturas electrónicas de la República de Colombia."
POLICY_DIGEST_SHA256 = "dMoMvtcG5aIzgYo0tIsSQeVJBDnUnfSOfBpxXrmor0Y="

ROLE_SUPPLIER = "supplier"
ROLE_THIRD_PARTY = "third party"
