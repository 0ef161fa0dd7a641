"""The exoneration letters (a representative's data and signature) are downloaded only by the roles that
handle them, onboarding and admin; support and auditors get 403. Every download and every refusal is in
the audit log, and what is downloaded is the letter itself, opened from its sealed copy."""
from __future__ import annotations

from habilita.models import AuditEvent, CertificateLoan, ProcessRecord, StoredFile
from tests.harness import TEST_BOX

LETTER = b"%PDF-1.4\n% a signed letter, scanned\n%%EOF\n"
WORKFLOW_ID = "einvoicing-CO-900123456"


def stored_letter(company) -> StoredFile:
    signed = StoredFile.put(LETTER, box=TEST_BOX, media_type="application/pdf", original_name="carta-firmada.pdf")
    CertificateLoan.create(company=company, purpose="einvoicing", workflow_id=WORKFLOW_ID + "-certificate",
                           signed_letter=signed)
    return signed


def test_onboarding_and_admin_download_the_letter_and_support_and_auditors_are_refused(as_role, company):
    letter = stored_letter(company)
    url = f"/admin/process/{WORKFLOW_ID}/file/{letter.id}"

    answers = {role: as_role(role).get(url) for role in ("onboarding", "admin", "support", "auditor")}

    assert {role: a.status_code for role, a in answers.items()} == {
        "onboarding": 200, "admin": 200, "support": 403, "auditor": 403}
    assert answers["onboarding"].data == answers["admin"].data == LETTER, "the letter, opened from its seal"
    # Downloads are audited by the view, refusals by the permissions check that ran before it.
    downloads = AuditEvent.select().where(AuditEvent.action.in_(("download document", "download_documents")))
    assert sorted((e.actor, e.action, e.outcome) for e in downloads) == [
        ("admin@habilita.test", "download document", "ok"), ("auditor@habilita.test", "download_documents", "refused"),
        ("onboarding@habilita.test", "download document", "ok"),
        ("support@habilita.test", "download_documents", "refused")]
    assert all(e.target_id == WORKFLOW_ID for e in downloads)


def test_the_letter_is_sealed_in_the_database(company):
    letter = stored_letter(company)
    kept = bytes(StoredFile.get_by_id(letter.id).content)
    assert b"%PDF" not in kept and b"signed letter" not in kept
    assert StoredFile.get_by_id(letter.id).read(TEST_BOX) == LETTER


def test_the_process_page_links_the_letter_only_for_the_roles_that_may_download_it(as_role, company):
    letter = stored_letter(company)
    ProcessRecord.create(workflow_id=WORKFLOW_ID, process_type="einvoicing", company=company,
                         current_step="test_set", status="waiting", waiting_on="staff")
    link = f'href="/admin/process/{WORKFLOW_ID}/file/{letter.id}"'
    pages = {role: as_role(role).get(f"/admin/process/{WORKFLOW_ID}").get_data(as_text=True)
             for role in ("onboarding", "support", "auditor")}
    assert {role: link in page for role, page in pages.items()} == {
        "onboarding": True, "support": False, "auditor": False}
    assert all("Carta firmada cargada" in page for page in pages.values()), "everyone sees it exists"
