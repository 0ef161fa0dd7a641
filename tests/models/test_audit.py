"""The audit log is append-only and hash-chained: a changed or deleted row is detected."""
from habilita.models import AuditEvent


def write_three():
    for action in ("start", "dian_registration", "cancel"):
        AuditEvent.record(actor="ana@example.co", action=action, target_type="process", target_id="p-1",
                          reason="because", payload={"step": action})


def test_an_intact_log_verifies(db):
    write_three()
    assert AuditEvent.verify_chain() == []


def test_a_changed_row_is_detected(db):
    write_three()
    AuditEvent.update(actor="mallory@example.co").where(AuditEvent.action == "dian_registration").execute()
    problems = AuditEvent.verify_chain()
    assert len(problems) == 1 and "changed" in problems[0]


def test_a_deleted_row_is_detected(db):
    write_three()
    AuditEvent.delete().where(AuditEvent.action == "dian_registration").execute()
    problems = AuditEvent.verify_chain()
    assert problems and "chain broken" in problems[0]


def test_the_same_source_key_writes_one_row(db):
    first = AuditEvent.record(actor="a", action="x", target_type="process", target_id="p", source_key="run:1")
    again = AuditEvent.record(actor="a", action="x", target_type="process", target_id="p", source_key="run:1")
    assert first.id == again.id and AuditEvent.select().count() == 1


def test_the_payload_is_stored_as_a_digest_only(db):
    event = AuditEvent.record(actor="a", action="x", target_type="process", target_id="p",
                              payload={"document_number": "1020304050"})
    assert "1020304050" not in event.payload_digest and len(event.payload_digest) == 64


def test_concurrent_appends_keep_one_unbroken_chain(db):
    import threading

    def append(n: int) -> None:
        for i in range(10):
            AuditEvent.record(actor=f"worker-{n}", action="step", target_type="process", target_id=f"p-{n}-{i}")
        db.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert AuditEvent.select().count() == 40
    assert AuditEvent.verify_chain() == []
