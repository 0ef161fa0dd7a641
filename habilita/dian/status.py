"""What DIAN's codes mean: document status codes, GetNumberingRange operation
codes, test-set statuses and the rejection rules worth showing to a person.

Pure lookups; both the product (to explain an answer) and the simulator (to
give one) read them here, so the words match.
"""

from __future__ import annotations

from typing import Iterable

# StatusCode of a DianResponse.
PROCESSED = "00"
ERRORS_IN_FIELDS = "99"
IN_PROCESS = "98"
NOT_FOUND = "66"
ZIP_OR_AUTHORIZATION = "89"
DUPLICATE = "90"

STATUS_CODES = {
    PROCESSED: "Procesado Correctamente.",
    ERRORS_IN_FIELDS: "Validación contiene errores en campos mandatorios.",
    IN_PROCESS: "En Proceso de validación.",
    NOT_FOUND: "TrackId no existe en los registros de la DIAN.",
    ZIP_OR_AUTHORIZATION: "Error procesando el archivo ZIP o el emisor no está autorizado.",
    DUPLICATE: "Documento procesado anteriormente.",
}

# What GetStatusZip answers (as StatusDescription) while a batch is still being validated.
BATCH_IN_PROCESS = "Batch en proceso de validación."

# OperationCode of GetNumberingRange.
RANGES_FOUND = "100"
NO_RANGES = "301"
NO_PREFIXES_ASSOCIATED = "302"
SOFTWARE_NOT_OWNED = "303"
NOT_AUTHORIZED = "401"

OPERATION_CODES = {
    RANGES_FOUND: "Acción completada OK.",
    NO_RANGES: "No se encontraron numeraciones para el NIT.",
    NO_PREFIXES_ASSOCIATED: "No se encontraron prefijos asociados al software.",
    SOFTWARE_NOT_OWNED: "El software no pertenece al NIT del proveedor tecnológico.",
    NOT_AUTHORIZED: "El NIT del certificado no está autorizado para consultar este NIT.",
}

# Test-set status (the portal and the test-set messages).
TEST_SET_IN_PROCESS = 0
TEST_SET_ACCEPTED = 1
TEST_SET_REJECTED = 2

TEST_SET_STATUS = {
    TEST_SET_IN_PROCESS: "En proceso",
    TEST_SET_ACCEPTED: "Aceptado",
    TEST_SET_REJECTED: "Rechazado",
}

# Rejection rules a person can act on (dian.md, "Rejection codes").
RULES = {
    "ZB01": "El documento no cumple el esquema XSD de UBL 2.1 / DIAN.",
    "ZE02": "Firma o política de firma inválida.",
    "ZD04": "Certificado revocado.",
    "ZD05": "Cadena de confianza del certificado inválida.",
    "ZD06": "Documento sin certificado.",
    "ZD07": "Certificado vencido.",
    "FAD06": "CUFE mal calculado.",
    "CAD06": "CUDE de la nota crédito mal calculado.",
    "DAD06": "CUDE de la nota débito mal calculado.",
    "DSAD06": "CUDS mal calculado.",
    "FAB27b": "Código de seguridad del software mal calculado.",
    "FAB24b": "Software no registrado en la DIAN.",
    "FAB24c": "Software no habilitado.",
    "FAJ44": "El NIT del certificado no está autorizado para enviar documentos de este emisor.",
    "FAJ24": "Dígito de verificación del emisor inválido.",
    "FAJ47": "Dígito de verificación del emisor inválido.",
    "FAB05b": "Número del documento fuera del rango de numeración autorizado.",
    "FAB05c": "Número del documento fuera de la vigencia de la numeración.",
    "FAD05e": "El prefijo no corresponde a un rango de numeración autorizado.",
    "90": "Documento procesado anteriormente.",
}


def status_meaning(code: str) -> str:
    """What a DianResponse StatusCode means, or a phrase naming the unknown code."""
    return STATUS_CODES.get(code, f"Código de estado {code!r} desconocido")


def operation_meaning(code: str) -> str:
    """What a GetNumberingRange OperationCode means."""
    return OPERATION_CODES.get(code, f"Código de operación {code!r} desconocido")


def rule_meaning(code: str) -> str:
    """What a rejection rule code means."""
    return RULES.get(code, f"Regla {code}")


def rejection_message(code: str, message: str | None = None) -> str:
    """A rejection line as DIAN writes it in ErrorMessage: ``Regla: X, Rechazo: ...``."""
    return f"Regla: {code}, Rechazo: {message or rule_meaning(code)}"


def rule_codes(messages: Iterable[str]) -> tuple[str, ...]:
    """The rule codes named by ``Regla: X, ...`` lines, in order of appearance."""
    codes = []
    for message in messages:
        head = message.strip()
        if head.startswith("Regla:"):
            code = head[len("Regla:"):].split(",", 1)[0].strip()
            if code and code not in codes:
                codes.append(code)
    return tuple(codes)


def is_batch_in_process(responses) -> bool:
    """True while GetStatusZip says the batch is still being validated.

    DIAN answers with a single DianResponse whose StatusDescription (or
    StatusCode 98) says so; ``responses`` is what GetStatusZip returned.
    """
    return any(
        r.status_code == IN_PROCESS or r.status_description.strip() == BATCH_IN_PROCESS for r in responses
    )


def set_status_message(test_set_id: str, status: int) -> str:
    """The message DIAN gives about a test set's status."""
    word = TEST_SET_STATUS.get(status, TEST_SET_STATUS[TEST_SET_IN_PROCESS])
    return f"Set de prueba con identificador {test_set_id} se encuentra {word}"


def no_set_message(nit: str, software_id: str) -> str:
    """DIAN's message when a NIT has no test set for a software."""
    return f"NIT {nit} no tiene habilitado set de prueba para software con id {software_id}"


ZIP_TOO_LARGE = "Cantidad de documentos dentro del lote ZIP excede máximo permitido: {limit}"


def zip_too_large_message(limit: int) -> str:
    """DIAN's message when a zip holds more documents than allowed."""
    return ZIP_TOO_LARGE.format(limit=limit)


def decided_set_status(responses) -> int | None:
    """The test set's decision (1 accepted, 2 rejected) named in GetStatusZip answers, or None.

    Once a set is decided DIAN says so in the answers about its batches
    ("Set de prueba con identificador X se encuentra Aceptado").
    """
    for response in responses:
        for text in (response.status_message, response.status_description):
            if "se encuentra " + TEST_SET_STATUS[TEST_SET_ACCEPTED] in text:
                return TEST_SET_ACCEPTED
            if "se encuentra " + TEST_SET_STATUS[TEST_SET_REJECTED] in text:
                return TEST_SET_REJECTED
    return None
