"""CUFE, CUDE, CUDS and SoftwareSecurityCode against hand-written inputs."""

import hashlib
from decimal import Decimal

from habilita.dian import hashes
from habilita.dian.amounts import hash_amount, write_amount

# Annex 1.8 example invoice; the concatenation is written out by hand.
ANNEX_FIELDS = dict(
    number="323200000129",
    issue_date="2019-01-16",
    issue_time="10:53:10-05:00",
    line_extension="1500000.00",
    iva=None,
    inc=None,
    ica=None,
    payable="1500000.00",
    supplier_nit="700085371",
    customer_id="800199436",
    environment="1",
)
ANNEX_INPUT = (
    "323200000129" "2019-01-16" "10:53:10-05:00" "1500000.00" "01" "0.00" "04" "0.00" "03" "0.00"
    "1500000.00" "700085371" "800199436" "693ff6f2a553c3646a063436fd4dd9ded0311471" "1"
)
ANNEX_CUFE = "ce2b1a0ce39ad515140c02f6a059b00f98ab6dc08f6adfec70cc94ef736231e5bd8386787c78093434c22816651a8729"


def test_cufe_input_is_the_annex_concatenation():
    assert hashes.cufe_input(key="693ff6f2a553c3646a063436fd4dd9ded0311471", **ANNEX_FIELDS) == ANNEX_INPUT


def test_cufe_is_lower_case_sha384_of_the_input():
    cufe = hashes.cufe(technical_key="693ff6f2a553c3646a063436fd4dd9ded0311471", **ANNEX_FIELDS)
    assert cufe == ANNEX_CUFE
    assert cufe == hashlib.sha384(ANNEX_INPUT.encode()).hexdigest()


def test_amounts_are_truncated_not_rounded_in_hash_inputs():
    assert hash_amount("1234.567") == "1234.56"
    assert hash_amount(Decimal("0.999")) == "0.99"
    assert hash_amount(5) == "5.00"
    assert hash_amount(None) == "0.00"
    # ...while the document itself rounds half-up.
    assert write_amount("1234.565") == "1234.57"


def test_cufe_with_taxes_and_unrounded_amounts():
    fields = dict(ANNEX_FIELDS, line_extension="100.456", iva="19.0868", inc="8", ica="0.969", payable="128.51")
    expected_input = (
        "323200000129" "2019-01-16" "10:53:10-05:00" "100.45" "01" "19.08" "04" "8.00" "03" "0.96"
        "128.51" "700085371" "800199436" "KEY" "1"
    )
    assert hashes.cufe_input(key="KEY", **fields) == expected_input
    assert hashes.cufe(technical_key="KEY", **fields) == hashlib.sha384(expected_input.encode()).hexdigest()


def test_cude_uses_the_pin_in_place_of_the_technical_key():
    expected_input = ANNEX_INPUT.replace("693ff6f2a553c3646a063436fd4dd9ded0311471", "75315")
    assert hashes.cude(pin="75315", **ANNEX_FIELDS) == hashlib.sha384(expected_input.encode()).hexdigest()
    assert hashes.cude(pin="75315", **ANNEX_FIELDS) != hashes.cufe(technical_key="75315x", **ANNEX_FIELDS)


def test_cuds_input_order_seller_then_company():
    expected_input = (
        "SEDS984000001" "2024-03-15" "10:53:10-05:00" "1000.00" "01" "190.00" "1190.00"
        "1020304050" "900123456" "75315" "2"
    )
    fields = dict(number="SEDS984000001", issue_date="2024-03-15", issue_time="10:53:10-05:00",
                  line_extension="1000", tax_code="01", tax_amount="190", payable="1190",
                  seller_id="1020304050", buyer_nit="900123456", pin="75315", environment="2")
    assert hashes.cuds_input(**fields) == expected_input
    assert hashes.cuds(**fields) == hashlib.sha384(expected_input.encode()).hexdigest()


def test_cuds_defaults_to_iva_zero_without_taxes():
    text = hashes.cuds_input(number="DS1", issue_date="2024-03-15", issue_time="10:00:00-05:00", line_extension="5",
                             tax_code=None, tax_amount=None, payable="5", seller_id="1", buyer_nit="2", pin="p",
                             environment="2")
    assert text == "DS12024-03-1510:00:00-05:005.00010.005.0012p2"


def test_software_security_code():
    expected = hashlib.sha384(b"56f2ae4e-9812-4fad-9255-08fcfcd5ccb0" b"75315" b"SETP990000001").hexdigest()
    assert hashes.software_security_code(
        software_id="56f2ae4e-9812-4fad-9255-08fcfcd5ccb0", pin="75315", number="SETP990000001"
    ) == expected
    assert expected == expected.lower() and len(expected) == 96
