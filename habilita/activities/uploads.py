"""The signed, scanned exoneration letter: checked before anything is stored.

The admin and the CLI call :func:`receive_signed_letter` with the uploaded
bytes; a refused file raises :class:`UploadRefused` with the problem to show
(a catalog code) and leaves no trace. An accepted file is stored sealed with the
application key (like every secret at rest) and its id goes to the workflow's
update, whose activity attaches it to the loan.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.adapters.secrets_box import DecryptionError
from habilita.messages import Problem
from habilita.messages.catalog import in_english
from habilita.models import CertificateLoan, StoredFile
from habilita.models.base import write_transaction

MAX_LETTER_BYTES = 1_048_576
# The field a refused file is shown at: the console's file input, the CLI's FILE argument.
UPLOAD_FIELD = "upload"


class UploadRefused(ValueError):
    """The uploaded file cannot be the signed letter; ``problem`` says why (``str()``: in English)."""

    def __init__(self, code: str, /, **params):
        self.problem = Problem(UPLOAD_FIELD, code, params)
        super().__init__(in_english(self.problem))


def check_letter_pdf(content: bytes) -> int:
    """Return the page count of an acceptable letter or raise :class:`UploadRefused`."""
    if not content:
        raise UploadRefused("letter_empty")
    if len(content) > MAX_LETTER_BYTES:
        raise UploadRefused("letter_too_large", size=f"{len(content):,}", limit=f"{MAX_LETTER_BYTES:,}")
    if not content.lstrip()[:5] == b"%PDF-":
        raise UploadRefused("letter_not_pdf")
    # Imported here, where a letter is read: pypdf takes ~60 ms to import, which every command of the CLI
    # would pay through the process declarations.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content), strict=True)
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        # What pypdf could not read stays in the chained exception, for the logs.
        raise UploadRefused("letter_damaged") from exc
    if pages == 0:
        raise UploadRefused("letter_no_pages")
    return pages


@dataclass(frozen=True)
class StagedUpload:
    stored_file_id: int
    sha256: str
    size: int


def receive_signed_letter(content: bytes, file_name: str, *, box) -> StagedUpload:
    """Check the upload and store it sealed with ``box``; the returned id goes into the upload update."""
    check_letter_pdf(content)
    stored = StoredFile.put(content, box=box, media_type="application/pdf", original_name=file_name[:255])
    return StagedUpload(stored_file_id=stored.id, sha256=stored.sha256, size=stored.size)


@dataclass(frozen=True)
class AttachSignedLetter:
    workflow_id: str
    purpose: str
    stored_file_id: int
    sha256: str
    uploaded_at: dt.datetime


@dataclass(frozen=True)
class LetterAttached:
    """The loan's date and whether this upload set it (the workflow tells the person which)."""

    loan_date: dt.datetime
    first_upload: bool


@dataclass(frozen=True)
class RemoveSignedLetter:
    workflow_id: str
    purpose: str


def refused(refusal: UploadRefused) -> ApplicationError:
    """The activity's failure for ``refusal``: not retried, its problem in the details."""
    return ApplicationError(str(refusal), refusal.problem.as_detail(), type="UploadRefused", non_retryable=True)


class UploadActivities:
    def __init__(self, box) -> None:
        self._box = box

    @activity.defn
    def attach_signed_letter(self, request: AttachSignedLetter) -> LetterAttached:
        """Hang the checked letter on the loan; only the first upload sets the loan date."""
        stored = StoredFile.get_or_none(StoredFile.id == request.stored_file_id)
        if stored is None or stored.sha256 != request.sha256:
            raise refused(UploadRefused("upload_not_stored", id=request.stored_file_id))
        try:
            content = stored.read(self._box)
        except DecryptionError as exc:
            raise refused(UploadRefused("upload_changed", id=stored.id)) from exc
        if hashlib.sha256(content).hexdigest() != stored.sha256:
            raise refused(UploadRefused("upload_changed", id=stored.id))
        try:
            check_letter_pdf(content)
        except UploadRefused as exc:
            raise refused(exc) from exc
        uploaded_at = request.uploaded_at.replace(tzinfo=None)
        # Read the loan, then write it: take the write lock first (see write_transaction).
        with write_transaction():
            loan = CertificateLoan.get(workflow_id=request.workflow_id, purpose=request.purpose)
            # A retry of the same upload finds its own timestamp: still the first.
            first = loan.loan_date is None or loan.loan_date == uploaded_at
            if loan.loan_date is None:
                loan.loan_date = uploaded_at
            loan.signed_letter, loan.signed_letter_uploaded_at = stored.id, uploaded_at
            loan.save()
        return LetterAttached(loan_date=loan.loan_date, first_upload=first)

    @activity.defn
    def remove_signed_letter(self, request: RemoveSignedLetter) -> None:
        """Delete the uploaded letter from the loan; the loan date stays."""
        CertificateLoan.update(signed_letter=None).where(
            (CertificateLoan.workflow_id == request.workflow_id) & (CertificateLoan.purpose == request.purpose)
        ).execute()
