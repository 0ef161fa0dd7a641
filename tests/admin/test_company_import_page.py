"""The import page: only onboarding (and admin) reach it, a file that cannot be read is refused at
once in Spanish, and a job is seen only by whoever started it."""
from __future__ import annotations

import io
import time

from habilita.models import Company

from .conftest import csrf_from, make_user, sign_in


def post_file(browser, content: bytes, **form):
    token = csrf_from(browser.get("/admin/import/").get_data(as_text=True))
    return browser.post("/admin/import/", data={"csrf_token": token, "file": (io.BytesIO(content), "empresas.csv"),
                                                **form}, content_type="multipart/form-data")


def test_only_onboarding_and_admin_reach_the_import(app, users):
    for role, status in (("support", 403), ("auditor", 403), ("onboarding", 200), ("admin", 200)):
        browser = app.test_client()
        assert sign_in(browser, f"{role}@habilita.test").status_code == 302
        assert browser.get("/admin/import/").status_code == status, role


def test_a_file_with_a_wrong_header_is_refused_at_once_and_creates_nothing(app, users):
    browser = app.test_client()
    sign_in(browser, "onboarding@habilita.test")
    answer = post_file(browser, b"name,nit\nA,900123456-8\n")
    page = browser.get(answer.location).get_data(as_text=True)
    assert "la primera fila debe ser exactamente razon_social,nit,email,telefono,ciudad" in page
    assert Company.select().count() == 0


def test_an_import_without_a_process_creates_the_companies_and_its_job_is_the_importer_s_alone(app, users):
    browser = app.test_client()
    sign_in(browser, "onboarding@habilita.test")
    answer = post_file(browser, "razon_social,nit,email,telefono,ciudad\n"
                                "Panadería La Espiga SAS,900123456-8,contacto@laespiga.co,3001234567,11001\n".encode())
    job_url = answer.location
    for _ in range(100):
        if browser.get(job_url + "/progress.json").get_json()["phase"] == "done":
            break
        time.sleep(0.05)
    page = browser.get(job_url).get_data(as_text=True)
    assert 'data-created="1"' in page and Company.get().legal_name == "Panadería La Espiga SAS"
    other = app.test_client()
    sign_in(other, "admin@habilita.test")
    assert other.get(job_url).status_code == 200, "an admin sees every job"
    make_user("otra@habilita.test", "onboarding")
    stranger = app.test_client()
    sign_in(stranger, "otra@habilita.test")
    assert stranger.get(job_url).status_code == 404, "another onboarding user does not see it"
