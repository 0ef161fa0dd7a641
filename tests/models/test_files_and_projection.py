"""Stored files are content-addressed; the schema the migrations build matches the models;
the projection keeps its newest version."""
from habilita.models.database import migration_router, upgrade
from habilita.models import ALL_MODELS, StoredFile
from tests.harness import TEST_BOX


def test_the_same_bytes_are_stored_once(db):
    first = StoredFile.put(b"%PDF-1.4 letter", box=TEST_BOX, media_type="application/pdf", original_name="carta.pdf")
    again = StoredFile.put(b"%PDF-1.4 letter", box=TEST_BOX, media_type="application/pdf", original_name="otra.pdf")
    assert first.id == again.id and StoredFile.select().count() == 1
    assert len(first.sha256) == 64 and first.size == len(b"%PDF-1.4 letter")


def test_migrations_create_every_column_of_every_model(db):
    assert upgrade(db) == []
    for model in ALL_MODELS:
        table = model._meta.table_name
        columns = {c.name for c in db.get_columns(table)}
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert expected <= columns, f"{table} lacks {expected - columns}: write a migration"
        indexed = {tuple(index.columns) for index in db.get_indexes(table)}
        for fields, _unique in model._meta.indexes:
            wanted = tuple(model._meta.fields[name].column_name for name in fields)
            assert wanted in indexed, f"{table} lacks the index on {wanted}: write a migration"
    assert list(migration_router(db).diff) == []


def _snapshot(version: str, *, company_id=None, step="dian_registration", status="running"):
    from datetime import datetime, timezone

    from habilita.activities.process import ProcessSnapshot

    return ProcessSnapshot(workflow_id="einvoicing-1", run_id="run-" + version, process_type="einvoicing",
                           company_id=company_id, company_tax_id="900123456-8", step=step, status=status,
                           waiting_on="staff", step_entered_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                           last_error="", version=version)


def test_the_projection_keeps_the_newest_version_and_only_existing_companies(db, company):
    from temporalio.testing import ActivityEnvironment

    from habilita.activities.process import ProcessActivities
    from habilita.models import ProcessRecord

    project = ActivityEnvironment().run
    activities = ProcessActivities()
    project(activities.project, _snapshot("2026-01-02T03:04:05#0002", company_id=company.id + 1000))
    first = ProcessRecord.get_by_id("einvoicing-1")
    assert first.company_id is None and first.version == "2026-01-02T03:04:05#0002" and first.completed_at is None

    for older in ("2026-01-02T03:04:05#0001", "2026-01-02T03:04:05#0002"):
        project(activities.project, _snapshot(older, company_id=company.id, step="old"))
    kept = ProcessRecord.get_by_id("einvoicing-1")
    assert (kept.current_step, kept.company_id, kept.run_id) == ("dian_registration", None, "run-2026-01-02T03:04:05#0002")

    project(activities.project, _snapshot("2026-01-02T03:04:05#0003", company_id=company.id, step="done",
                                          status="completed"))
    newest = ProcessRecord.get_by_id("einvoicing-1")
    assert (newest.current_step, newest.status, newest.company_id) == ("done", "completed", company.id)
    assert newest.completed_at == newest.step_entered_at and newest.started_at == first.started_at
    assert ProcessRecord.select().count() == 1


def test_the_projection_keeps_a_retry_while_the_step_stays_and_clears_it_once_it_moves_or_ends(db):
    from datetime import datetime

    from temporalio.testing import ActivityEnvironment

    from habilita.activities.process import ProcessActivities
    from habilita.models import ProcessRecord

    project, activities = ActivityEnvironment().run, ProcessActivities()

    def retrying() -> tuple:
        record = ProcessRecord.get_by_id("einvoicing-1")
        return record.retrying_activity, record.retry_attempt, record.retry_error

    def worker_writes_a_retry() -> None:
        ProcessRecord.update(retrying_activity="notify", retry_attempt=3, retry_error="mail down",
                             retrying_since=datetime(2026, 1, 2)).execute()

    project(activities.project, _snapshot("v#0001"))
    worker_writes_a_retry()
    project(activities.project, _snapshot("v#0002", status="waiting"))
    assert retrying() == ("notify", 3, "mail down"), "the same step keeps its retry"
    project(activities.project, _snapshot("v#0003", step="certificate"))
    assert retrying() == ("", 0, "") and ProcessRecord.get_by_id("einvoicing-1").retrying_since is None
    worker_writes_a_retry()
    project(activities.project, _snapshot("v#0004", step="certificate", status="failed"))
    assert retrying() == ("", 0, ""), "an end clears it"
