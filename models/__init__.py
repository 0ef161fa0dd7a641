"""What the system knows, as peewee tables bound to one ``DatabaseProxy``."""
from .audit import AuditEvent
from .base import BaseModel, connect, database_proxy, utcnow
from .company import Company
from .errors import FieldError, ModelError, TaxIdLocked
from .files import StoredFile
from .process import ProcessRecord
from .user import ROLES, User

ALL_MODELS = [Company, User, ProcessRecord, AuditEvent, StoredFile]

__all__ = [
    "ALL_MODELS", "AuditEvent", "BaseModel", "Company", "FieldError", "ModelError", "ProcessRecord",
    "ROLES", "StoredFile", "TaxIdLocked", "User", "connect", "database_proxy", "utcnow",
]
