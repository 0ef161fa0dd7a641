"""Dataclass payloads read with their annotations evaluated once, the same values as Temporal's default."""
from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass, field

import pytest
from temporalio.converter import DefaultPayloadConverter

from habilita.adapters.codec import data_converter
from habilita.adapters.payload_types import PayloadConverter


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Order:
    number: str
    placed_at: dt.datetime
    lines: list[Line] = field(default_factory=list)
    note: Line | None = None


@dataclass(frozen=True)
class Shipment:  # read in one test only: its annotations are still strings until then
    order: Order
    sent_at: dt.datetime


@dataclass(frozen=True)
class Unresolvable:
    part: NotDefinedAnywhere  # noqa: F821 (the point of the test)


ORDER = Order("A-1", dt.datetime(2026, 12, 1, 9, 30), [Line("CAFE-1", 2), Line("CAFE-2", 1)], Line("X", 1))


def test_a_dataclass_reads_back_as_with_the_default_converter():
    ours, default = PayloadConverter(), DefaultPayloadConverter()
    payloads = ours.to_payloads([ORDER])
    assert payloads == default.to_payloads([ORDER])
    assert ours.from_payloads(payloads, [Order]) == default.from_payloads(payloads, [Order]) == [ORDER]


def test_after_the_first_read_the_annotations_name_types_not_strings():
    converter = PayloadConverter()
    assert Shipment.__annotations__ == {"order": "Order", "sent_at": "dt.datetime"}
    shipment = Shipment(ORDER, dt.datetime(2026, 12, 2))
    assert converter.from_payloads(converter.to_payloads([shipment]), [Shipment]) == [shipment]
    assert Shipment.__annotations__ == {"order": Order, "sent_at": dt.datetime}
    assert Order.__annotations__["placed_at"] is dt.datetime  # held by a field: resolved with it
    assert Order.__annotations__["lines"] == list[Line]
    assert Line.__annotations__ == {"sku": str, "quantity": int}
    assert typing.get_type_hints(Order) == {"number": str, "placed_at": dt.datetime, "lines": list[Line],
                                            "note": Line | None}


def test_a_class_whose_annotation_cannot_be_evaluated_fails_as_temporal_says():
    converter, default = PayloadConverter(), DefaultPayloadConverter()
    payloads = default.to_payloads([{"part": 1}])
    with pytest.raises(Exception) as ours:
        converter.from_payloads(payloads, [Unresolvable])
    with pytest.raises(Exception) as theirs:
        default.from_payloads(payloads, [Unresolvable])
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


def test_the_data_converter_of_habilita_uses_it():
    assert data_converter("k" * 43 + "=").payload_converter_class is PayloadConverter
