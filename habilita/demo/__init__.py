"""Demo data for the dev stack, seeded once and safe to seed again."""
from __future__ import annotations

import secrets

from temporalio.client import Client

from habilita.models import Company, User
from habilita.processes import EINVOICING
from habilita.processes.client import ProcessClient
from habilita.settings import Settings

ADMIN_EMAIL = "admin@habilita.local"
DEMO_COMPANIES = (
    # (country, tax id, check digit, legal name, city)
    ("CO", "900123456", "8", "Panadería La Espiga S.A.S.", "Bogotá"),
    ("CO", "901234567", "7", "Ferretería El Tornillo Ltda.", "Medellín"),
    ("CO", "860512780", "4", "Distribuidora Andina S.A.", "Cali"),
    ("CO", "901555444", "7", "Café de la Sierra S.A.S.", "Santa Marta"),
    ("CL", "76086428", "5", "Comercial Los Andes SpA", "Santiago"),
)


def seed_admin() -> str | None:
    """Create the first admin when there is no user; returns its password (20 random characters)."""
    if User.select().exists():
        return None
    password = secrets.token_urlsafe(15)
    user = User(email=ADMIN_EMAIL, name="Administrador")
    user.set_roles(["admin"])
    user.set_password(password, must_change=True)
    user.save()
    return password


def seed_companies() -> list[Company]:
    companies = []
    for country, tax_id, dv, name, city in DEMO_COMPANIES:
        company = Company.get_or_none((Company.country == country) & (Company.tax_id == tax_id))
        if company is None:
            company = Company.create(country=country, tax_id=tax_id, check_digit=dv, legal_name=name, city=city,
                                     email=f"facturacion@{tax_id}.example.co")
        companies.append(company)
    return companies


async def seed_processes(client: Client, settings: Settings, companies: list[Company]) -> None:
    """P1 and P2 at several steps for the staged companies (see ``demo_enablement``); P1 just started for the rest."""
    from .enablement import STAGES, seed_enablement_demo

    await seed_enablement_demo(client, settings)
    for company in companies:
        if company.country == "CO" and company.tax_id not in STAGES:
            await ProcessClient(client, task_queue=settings.task_queue).start(
                EINVOICING, company, actor="demo", settings=settings)
