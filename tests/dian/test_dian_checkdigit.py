"""Check digits of NIT and RUT, and the messages people read when they are wrong."""

import pytest

from habilita.dian.checkdigit import (
    format_nit,
    format_rut,
    nit_check_digit,
    normalize_nit,
    normalize_rut,
    rut_check_digit,
    split_nit,
    validate_nit,
    validate_rut,
)
from habilita.dian.errors import DianError, InvalidTaxId


# Hand computation, weights 3, 7, 13, ... from the right:
# 900123456: 6*3+5*7+4*13+3*17+2*19+1*23+0+0+9*41 = 586; 586 mod 11 = 3; 11 - 3 = 8
# 800197268 (DIAN): 8*3+6*7+2*13+7*17+9*19+1*23+0+0+8*41 = 733; 733 mod 11 = 7; 11 - 7 = 4
@pytest.mark.parametrize("nit, dv", [("900123456", "8"), ("800197268", "4"), ("860.034.313", "7"), ("1", None)])
def test_nit_check_digit_matches_hand_computation(nit, dv):
    if dv is None:
        with pytest.raises(InvalidTaxId, match="between 3 and 15 digits"):
            nit_check_digit(nit)
    else:
        assert nit_check_digit(nit) == dv


def test_a_wrong_nit_check_digit_names_the_right_one():
    with pytest.raises(InvalidTaxId) as error:
        validate_nit("900123456", dv="3")
    assert str(error.value) == "the check digit of NIT 900123456 is 8, not 3"


def test_nit_accepts_separators_and_a_written_check_digit():
    assert validate_nit("900.123.456-8") == "900123456"
    assert validate_nit(" 900123456 ", 8) == "900123456"
    assert split_nit("900.123.456-8") == ("900123456", "8")
    assert normalize_nit("900 123 456") == "900123456"
    assert format_nit("900123456") == "900.123.456-8"


def test_nit_must_be_digits_only():
    with pytest.raises(InvalidTaxId, match="NIT must be digits only, got '90012345A'"):
        validate_nit("90012345A")


def test_nit_length_rule_does_not_leak_stdnum_ten_characters():
    with pytest.raises(InvalidTaxId) as error:
        validate_nit("1234567890123456")
    assert "between 3 and 15 digits" in str(error.value) and "16" in str(error.value)
    assert validate_nit("12345") == "12345"  # 5 digits: fine although stdnum wants 8-16 characters


def test_nit_written_and_given_check_digits_must_agree():
    with pytest.raises(InvalidTaxId, match="carries check digit 8 but 7 was given"):
        validate_nit("900123456-8", dv=7)


def test_a_check_digit_is_one_digit():
    with pytest.raises(InvalidTaxId, match="one digit 0-9"):
        validate_nit("900123456", dv="12")


def test_tax_id_errors_are_value_errors_and_dian_errors():
    with pytest.raises(ValueError):
        validate_nit("")
    with pytest.raises(DianError):
        validate_nit("")


# Hand computation, weights 2, 3, 4, 5, 6, 7, 2, 3 from the right:
# 12345678: 16+21+24+25+24+21+4+3 = 138; 138 mod 11 = 6; 11 - 6 = 5
# 10000013: 6+3+0+0+0+0+0+3 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> K
@pytest.mark.parametrize("body, dv", [("12345678", "5"), ("10000013", "K"), ("76086428", "5"), ("11111111", "1")])
def test_rut_check_digit_matches_hand_computation(body, dv):
    assert rut_check_digit(body) == dv


@pytest.mark.parametrize("written", ["76.086.428-5", "76086428-5", "760864285", "CL 76086428-5"])
def test_rut_accepts_the_usual_spellings(written):
    assert validate_rut(written) == "76086428-5"
    assert normalize_rut(written) == "76086428-5"
    assert format_rut(written) == "76.086.428-5"


def test_rut_lower_case_k_is_accepted():
    assert validate_rut("10.000.013-k") == "10000013-K"


def test_a_wrong_rut_check_digit_names_the_right_one():
    with pytest.raises(InvalidTaxId) as error:
        validate_rut("76.086.428-4")
    assert str(error.value) == "the check digit of RUT 76086428 is 5, not 4"


def test_rut_with_letters_in_the_body_is_refused():
    with pytest.raises(InvalidTaxId, match="digits followed by a check digit"):
        validate_rut("76086A28-5")


def test_rut_length_rule():
    with pytest.raises(InvalidTaxId, match="7 or 8 digits"):
        validate_rut("123-4")
