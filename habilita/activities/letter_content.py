"""What the exoneration letter says, as the worker asks the helper that draws it
(:mod:`habilita.activities.letter_pdf`) to draw it: without fpdf2."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class LetterContent:
    """What the letter says; everything comes from stored data except the date."""

    company_name: str
    company_nit: str
    representative_name: str
    document_label: str
    position: str
    email: str
    provider_name: str
    provider_nit: str
    purpose: str
    date: dt.date

    def to_json(self) -> bytes:
        return json.dumps({**dataclasses.asdict(self), "date": self.date.isoformat()}).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "LetterContent":
        fields = json.loads(data)
        return cls(**{**fields, "date": dt.date.fromisoformat(fields["date"])})
