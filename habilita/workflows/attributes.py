"""Search attributes every process keeps current, for Temporal's UI and batches."""
from temporalio.common import SearchAttributeKey

PROCESS_TYPE = SearchAttributeKey.for_keyword("ProcessType")
COMPANY_TAX_ID = SearchAttributeKey.for_keyword("CompanyTaxId")
STEP = SearchAttributeKey.for_keyword("Step")
STEP_ENTERED_AT = SearchAttributeKey.for_datetime("StepEnteredAt")
WAITING_ON = SearchAttributeKey.for_keyword("WaitingOn")
PROCESS_STATUS = SearchAttributeKey.for_keyword("ProcessStatus")

ALL = (PROCESS_TYPE, COMPANY_TAX_ID, STEP, STEP_ENTERED_AT, WAITING_ON, PROCESS_STATUS)

# The type names the `temporal` CLI takes for --search-attribute.
CLI_TYPES = {
    PROCESS_TYPE: "Keyword", COMPANY_TAX_ID: "Keyword", STEP: "Keyword",
    STEP_ENTERED_AT: "Datetime", WAITING_ON: "Keyword", PROCESS_STATUS: "Keyword",
}
