"""What the system knows, as peewee tables bound to one ``DatabaseProxy``."""
from .access import LoginFailure, OutboxMessage, PasswordResetToken
from .accounting import ACCOUNTING_MODELS
from .audit import AuditEvent
from .base import BaseModel, connect, database_proxy, insert_in_batches, utcnow
from .channels import CHANNEL_MODELS, ChannelConnection, ChannelOrder
from .company import Company
from .enablement import (
    CertificateLoan, DianSoftware, Notification, NumberingResolution, Representative, SigningCertificate, TestSetBatch,
    TestSetDocument, VoucherType,
)
from .errors import FieldError, ModelError, TaxIdLocked
from .files import StoredFile
from .invitation import CompanyInvitation
from .process import ProcessRecord
from .user import ROLES, User

ALL_MODELS = [Company, User, ProcessRecord, AuditEvent, StoredFile, PasswordResetToken, LoginFailure, OutboxMessage,
              Representative, SigningCertificate, CertificateLoan, NumberingResolution, VoucherType,
              TestSetDocument, TestSetBatch, Notification, DianSoftware, CompanyInvitation]
ALL_MODELS += ACCOUNTING_MODELS + CHANNEL_MODELS

__all__ = [
    "ALL_MODELS", "AuditEvent", "ChannelConnection", "ChannelOrder", "LoginFailure", "OutboxMessage", "PasswordResetToken", "BaseModel", "CertificateLoan", "Company", "CompanyInvitation", "DianSoftware", "FieldError", "ModelError", "Notification", "NumberingResolution", "ProcessRecord", "Representative",
    "SigningCertificate", "TestSetBatch", "TestSetDocument", "VoucherType",
    "ROLES", "StoredFile", "TaxIdLocked", "User", "connect", "database_proxy", "insert_in_batches", "utcnow",
]
