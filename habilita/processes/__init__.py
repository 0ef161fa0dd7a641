"""Starting the enablement processes (P1, P2) for a company: one place for
their workflow ids and start inputs, shared by the CLI and the demo seeder."""
from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy

from habilita.models import Company
from habilita.workflows import einvoicing, support_document
from habilita.workflows.support_document_inputs import StartSupportDocument

from habilita.settings import Settings

LABELS = {
    einvoicing.PROCESS_TYPE: "Habilitación de facturación electrónica",
    support_document.PROCESS_TYPE: "Habilitación de documento soporte electrónico",
}


def process_workflow_id(process_type: str, company: Company) -> str:
    """One live workflow per company and process (the admin console's convention)."""
    return f"{process_type}-{company.country}-{company.tax_id}"


def start_input(process_type: str, company: Company, *, actor: str, settings: Settings):
    """The start dataclass of ``process_type`` for ``company``."""
    common = dict(company_id=company.id, company_tax_id=company.display_tax_id, started_by=actor,
                  company_name=company.legal_name, provider_nit=settings.provider_nit)
    if process_type == einvoicing.PROCESS_TYPE:
        return einvoicing.StartEnablement(**common, test_set_counts=(
            settings.test_set_invoices, settings.test_set_credit_notes, settings.test_set_debit_notes))
    if process_type == support_document.PROCESS_TYPE:
        return StartSupportDocument(**common)
    raise ValueError(f"process type must be one of {', '.join(LABELS)}, not {process_type!r}")


async def start_process(client: Client, settings: Settings, process_type: str, company: Company, *,
                        actor: str, workflow_id: str | None = None) -> WorkflowHandle:
    """Start ``process_type`` for ``company``, or return the handle of the one already running."""
    workflow = (einvoicing.EInvoicingEnablement.run if process_type == einvoicing.PROCESS_TYPE
                else support_document.SupportDocumentEnablement.run)
    return await client.start_workflow(
        workflow, start_input(process_type, company, actor=actor, settings=settings),
        id=workflow_id or process_workflow_id(process_type, company), task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary=f"{LABELS[process_type]}: {company.legal_name}",
    )
