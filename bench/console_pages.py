"""Console pages at 100,000 processes: server-side time against the bare SQL they need.

Builds a SQLite database with 100,000 ``ProcessRecord`` rows over 2,000
companies, signs in through the login form, then times (in the Flask test
client, so no network) the process list filtered to one status (a page of
50) and the home page (its indicators recomputed on every request, and as served,
kept 15 s); each against the same queries run bare on the database. Prints p50/p95 in ms and the ratio of the page's p50 to the bare
SQL's p50, ending with one line per page.

    python bench/console_pages.py [--rows 100000] [--runs 200]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from habilita.console import create_app
from habilita.console import dashboard
from habilita.processes import STARTABLE
from habilita.console.views.home import steps_by_type
from habilita.models.database import open_database, upgrade
from habilita.settings import Settings
from habilita.models import Company, ProcessRecord, User, database_proxy, insert_in_batches, utcnow
from habilita.models.process import STATUSES

PASSWORD = "bench-clave-2024"
TYPES = {"einvoicing": ("dian_registration", "certificate", "test_set", "numbering_resolution",
                        "prefix_association", "voucher_type"),
         "support_document": ("dian_enablement", "certificate", "certificate_confirmation", "resolution",
                              "voucher_type"),
         "accounting": ("request", "accept", "default_accounts", "connect", "sync", "connected")}
WAITING = ("", "staff", "company", "dian", "system")


def populate(rows: int, companies: int, seed: int = 7) -> None:
    """Companies and process records spread over the last 200 days, inserted in bulk."""
    rng = random.Random(seed)
    now = utcnow()
    with database_proxy.atomic():
        Company.insert_many([
            {"country": "CO", "tax_id": str(800_000_000 + i), "check_digit": str(i % 10),
             "legal_name": f"Empresa de prueba {i:05d} SAS", "created_at": now, "updated_at": now}
            for i in range(companies)]).execute()
    company_ids = [c.id for c in Company.select(Company.id)]

    def records():
        for n in range(rows):
            ptype = rng.choice(tuple(TYPES))
            started = now - dt.timedelta(minutes=rng.randint(0, 200 * 24 * 60))
            entered = started + (now - started) * rng.random()
            status = rng.choices(STATUSES, weights=(20, 50, 25, 2, 2, 1))[0]
            yield {
                "workflow_id": f"{ptype}-{n:06d}", "run_id": "", "process_type": ptype,
                "company": rng.choice(company_ids), "status": status,
                "current_step": "enabled" if status == "completed" and ptype == "einvoicing" else rng.choice(TYPES[ptype]),
                "waiting_on": rng.choice(WAITING) if status == "waiting" else "", "step_entered_at": entered,
                "last_error": "", "version": "", "started_at": started, "updated_at": entered,
                "completed_at": entered if status == "completed" else None,
            }

    insert_in_batches(ProcessRecord, records(), size=5000)


def timed(call, runs: int) -> list[float]:
    call()  # warm caches and templates once
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1]


def signed_in_client(app):
    browser = app.test_client()
    page = browser.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = browser.post("/auth/login", data={"email": "bench@habilita.test", "password": PASSWORD,
                                               "csrf_token": token})
    assert answer.status_code == 302, "bench user could not sign in"
    return browser


def bare_process_list(db) -> None:
    """What the filtered list needs: the count and one page, then the page's companies."""
    db.execute_sql("SELECT COUNT(*) FROM process_record WHERE status = ?", ("waiting",)).fetchall()
    rows = db.execute_sql(
        "SELECT * FROM process_record WHERE status = ? ORDER BY updated_at DESC LIMIT 50", ("waiting",)).fetchall()
    ids = sorted({r[3] for r in rows if r[3]})
    db.execute_sql(f"SELECT * FROM company WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()


def bare_home() -> None:
    """The home page's queries, without the page around them."""
    dashboard.processes_by_type_and_step(steps_by_type())
    dashboard.enabled_per_week()
    dashboard.median_days_to_enable()
    dashboard.stuck_count()
    dashboard.recent_cards(tuple(STARTABLE))
    dashboard.notifications()


def report(name: str, page: list[float], bare: list[float]) -> str:
    ratio = statistics.median(page) / statistics.median(bare)
    return (f"{name}: p50 {statistics.median(page):.1f} ms p95 {p(page, 95):.1f} ms "
            f"(ratio {ratio:.1f} vs bare SQL p50 {statistics.median(bare):.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-admin-"))
    settings = Settings.from_env({"HABILITA_VAR": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
                                  "SECRET_KEY": "bench", "HABILITA_ENCRYPTION_KEY": "a" * 43 + "="})
    db = open_database(settings.database_url)
    upgrade(db)
    started = time.perf_counter()
    populate(args.rows, args.companies)
    user = User(email="bench@habilita.test", name="Bench")
    user.set_roles(["auditor"])
    user.set_password(PASSWORD)
    user.save()
    db.execute_sql("ANALYZE")
    print(f"{args.rows:,} process records over {args.companies:,} companies in {time.perf_counter() - started:.1f} s")

    async def no_temporal():
        raise RuntimeError("the bench pages do not talk to Temporal")

    app = create_app(settings, temporal_client_factory=no_temporal)
    uncached = create_app(settings, temporal_client_factory=no_temporal, test_config={"INDICATORS_TTL_SECONDS": 0})
    browser, cold = signed_in_client(app), signed_in_client(uncached)
    list_url = "/admin/processrecord/?flt0_2=waiting"
    assert b"waiting-" not in browser.get(list_url).data  # sanity: the page renders

    def get(url, client=browser):
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"

    bare_home_samples = timed(bare_home, args.runs // 2)
    lines = [
        report("home, indicators recomputed", timed(lambda: get("/admin/", cold), args.runs // 2), bare_home_samples),
        report("home (indicators kept 15 s)", timed(lambda: get("/admin/"), args.runs // 2), bare_home_samples),
        report("process list", timed(lambda: get(list_url), args.runs), timed(lambda: bare_process_list(db), args.runs)),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
