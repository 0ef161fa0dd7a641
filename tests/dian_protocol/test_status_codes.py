"""Status codes and DIAN's messages, as the product reads them."""

from __future__ import annotations

from habilita.dian import soap, status


def test_rule_codes_are_read_from_rejection_lines():
    lines = [status.rejection_message("FAD06", "CUFE mal calculado"), "Regla: ZE02, Rechazo: firma",
             "Rechazo sin regla", status.rejection_message("FAD06")]
    assert status.rule_codes(lines) == ("FAD06", "ZE02")


def test_batch_in_process_is_recognised():
    waiting = (soap.DianResponse(is_valid=False, status_code="98", status_description=status.BATCH_IN_PROCESS),)
    done = (soap.DianResponse(is_valid=True, status_code="00", status_description="Procesado Correctamente."),)
    assert status.is_batch_in_process(waiting)
    assert not status.is_batch_in_process(done)


def test_decided_set_status_is_read_from_the_answers():
    accepted = soap.DianResponse(is_valid=True, status_code="00", status_description="ok",
                                 status_message=status.set_status_message("abc", status.TEST_SET_ACCEPTED))
    rejected = soap.DianResponse(is_valid=False, status_code="2",
                                 status_description=status.set_status_message("abc", status.TEST_SET_REJECTED))
    assert accepted.status_message == "Set de prueba con identificador abc se encuentra Aceptado"
    assert status.decided_set_status([accepted]) == status.TEST_SET_ACCEPTED
    assert status.decided_set_status([rejected]) == status.TEST_SET_REJECTED
    assert status.decided_set_status([soap.DianResponse(is_valid=True, status_code="00", status_description="x")]) is None


def test_meanings_name_unknown_codes():
    assert status.status_meaning("90") == "Documento procesado anteriormente."
    assert status.operation_meaning("302") == "No se encontraron prefijos asociados al software."
    assert "77" in status.status_meaning("77")


def test_dian_messages_have_dian_wording():
    assert status.no_set_message("900123456", "abc") == (
        "NIT 900123456 no tiene habilitado set de prueba para software con id abc")
    assert status.zip_too_large_message(50) == "Cantidad de documentos dentro del lote ZIP excede máximo permitido: 50"
