"""Every workflow the worker registers (and the replayer checks histories against)."""
from __future__ import annotations

from .accounting import AccountingIntegration
from .accounting_sync import AccountingSync
from .certificate import CertificateActivation
from .channel_connection import SalesChannelConnection
from .channel_order import ChannelOrderInvoicing
from .channel_reconciliation import ChannelReconciliation
from .einvoicing import EInvoicingEnablement
from .reminders import OwnCertificateReminder
from .support_document import SupportDocumentEnablement
from .test_set import TestSetSubmission

WORKFLOWS = [EInvoicingEnablement, CertificateActivation, TestSetSubmission, OwnCertificateReminder,
             SupportDocumentEnablement, AccountingIntegration, AccountingSync, SalesChannelConnection,
             ChannelOrderInvoicing, ChannelReconciliation]
