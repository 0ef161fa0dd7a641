"""Builds the enablement activities (P1, P2) with their dependencies, from settings."""
from __future__ import annotations

import functools

from habilita.adapters.secrets_box import SecretBox

from habilita.adapters.billing import BillingPort, HttpBilling
from .certificates import CertificateActivities, KeyVault, provider_certified_key
from .dian_access import DianClients
from habilita.adapters.dian_client import Timeouts
from habilita.adapters.dian_portal import DianPortal
from .enablement import EnablementActivities
from .letters import LetterActivities
from .numbering import NumberingActivities
from .representatives import RepresentativeActivities
from .support_document import SupportDocumentActivities
from .test_set import TestSetActivities
from .uploads import UploadActivities
from .vouchers import VoucherActivities


def enablement_activities(settings, *, billing: BillingPort | None = None) -> list:
    """Every activity of P1 and P2 as bound methods; ``billing`` replaces the HTTP seller (a port)."""
    box = SecretBox(settings.encryption_key)
    vault = KeyVault(box)
    timeouts = Timeouts(connect=settings.outside_connect_seconds, read=settings.outside_read_seconds)
    clients = DianClients(settings.dian_url, vault, timeouts=timeouts)
    provider_key = functools.cache(lambda: provider_certified_key(
        p12_path=settings.provider_certificate_p12, password=settings.provider_certificate_password,
        nit=settings.provider_nit, name=settings.provider_name, var_dir=settings.var_dir,
        production=settings.is_production))
    outside = (settings.outside_connect_seconds, settings.outside_read_seconds)
    certificates = CertificateActivities(billing=billing or HttpBilling(settings.billing_url, timeout=outside),
                                         vault=vault, box=box, provider_key=provider_key)
    enablement = EnablementActivities(box, provider_software=(
        (settings.provider_software_id, settings.provider_software_pin) if settings.provider_software_id else None))
    letters = LetterActivities(box, provider_name=settings.provider_name, provider_nit=settings.provider_nit)
    representatives = RepresentativeActivities(box)
    uploads = UploadActivities(box)
    numbering = NumberingActivities(clients)
    vouchers = VoucherActivities()
    test_set = TestSetActivities(clients=clients, vault=vault, box=box)
    support = SupportDocumentActivities(
        portal=DianPortal(settings.dian_url, timeout=outside),
        vault=vault, box=box)
    return [
        certificates.check_payment, certificates.issue_own_certificate, certificates.lend_provider_certificate,
        certificates.has_own_certificate,
        enablement.save_software, enablement.lock_tax_id, enablement.notify,
        letters.generate_letter, representatives.save_representative,
        uploads.attach_signed_letter, uploads.remove_signed_letter,
        numbering.check_numbering_range, vouchers.create_voucher_types,
        test_set.build_round, test_set.send_batch, test_set.poll_batch, test_set.round_report,
        support.company_standing, support.check_support_document_set, support.sign_support_document,
    ]
