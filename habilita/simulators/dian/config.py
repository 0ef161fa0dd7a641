"""What the simulator can be configured with: test-set sizes, limits, timing.

Defaults follow ``docs/dian.md``; values DIAN does not publish (current set
sizes, how many rejections a set tolerates, the DS set) are configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from habilita.dian import constants


@dataclass(frozen=True)
class SetRequirement:
    """Accepted documents a test set needs, by kind, and how many documents it allows in total.

    A set is accepted once every kind reaches its count; it is rejected once
    rejected documents exceed ``total_documents - sum(counts)``.
    """

    counts: tuple[tuple[str, int], ...]
    total_documents: int

    def required(self) -> dict[str, int]:
        """Accepted documents required, by kind."""
        return dict(self.counts)

    @property
    def accepted_required(self) -> int:
        """How many accepted documents the set needs in all."""
        return sum(count for _, count in self.counts)


def invoice_set(invoices: int = 60, credit_notes: int = 20, debit_notes: int = 20, *,
                allowed_rejections: int = 10) -> SetRequirement:
    """The invoicing test set: 60/20/20 per DIAN's 2019 guide."""
    counts = (("invoice", invoices), ("credit_note", credit_notes), ("debit_note", debit_notes))
    return SetRequirement(counts=counts, total_documents=invoices + credit_notes + debit_notes + allowed_rejections)


def support_document_set(support_documents: int = 10, adjustments: int = 0, *,
                         allowed_rejections: int = 5) -> SetRequirement:
    """The support-document test set for a company not yet enabled as invoicer."""
    counts = (("support_document", support_documents), ("support_adjustment", adjustments))
    return SetRequirement(counts=counts, total_documents=support_documents + adjustments + allowed_rejections)


@dataclass(frozen=True)
class TestRange:
    """A numbering range DIAN fixes for habilitación."""

    __test__ = False  # pytest: configuration, not a test class

    prefix: str
    resolution_number: str
    from_number: int
    to_number: int


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything a simulator instance may be told at start."""

    processing_seconds: float = 3.0
    invoice_set: SetRequirement = field(default_factory=invoice_set)
    support_document_set: SetRequirement = field(default_factory=support_document_set)
    max_test_set_documents: int = 50
    max_async_documents: int = 500
    # Test ranges by operation mode (invoices) and for support documents.
    own_test_range: TestRange = TestRange(
        constants.TEST_PREFIX, constants.TEST_RESOLUTION, constants.TEST_RANGE_FROM, constants.TEST_RANGE_TO)
    provider_test_range: TestRange = TestRange(
        "SETT", constants.TEST_RESOLUTION, constants.TEST_RANGE_FROM, constants.TEST_RANGE_TO)
    support_test_range: TestRange = TestRange(
        constants.TEST_DS_PREFIX, constants.TEST_RESOLUTION, constants.TEST_DS_RANGE_FROM, constants.TEST_DS_RANGE_TO)
    test_technical_key: str = constants.TEST_TECHNICAL_KEY
