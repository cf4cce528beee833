"""SQLAlchemy models of Booth Samvad; importing this package registers every table on Base.metadata."""

from models.base import Base, UTCDateTime
from models.geography import AssemblySeat, Booth, District, LokSabhaSeat, Mandal, Region, Strength
from models.outreach import (
    FINAL_OUTCOMES,
    NOT_CONNECTED,
    Assignment,
    AuditEntry,
    CallReport,
    Correction,
    CorrectionKind,
    CorrectionStatus,
    Delivery,
    DeliveryStatus,
    Need,
    NeedCategory,
    NeedStatus,
    Outcome,
    Wellbeing,
)
from models.people import CALLER_ROLES, BoothPresident, OfficeBearer, OfficeBearerDistrict, Role
from models.persistence import ConversationState, UserState
from models.rollup import DailyCounts, RollupMark
from models.verification import BackCheck

__all__ = [
    "CALLER_ROLES",
    "FINAL_OUTCOMES",
    "NOT_CONNECTED",
    "AssemblySeat",
    "Assignment",
    "AuditEntry",
    "BackCheck",
    "Base",
    "Booth",
    "BoothPresident",
    "CallReport",
    "ConversationState",
    "Correction",
    "CorrectionKind",
    "CorrectionStatus",
    "DailyCounts",
    "Delivery",
    "DeliveryStatus",
    "District",
    "LokSabhaSeat",
    "Mandal",
    "Need",
    "NeedCategory",
    "NeedStatus",
    "OfficeBearer",
    "OfficeBearerDistrict",
    "Outcome",
    "Region",
    "Role",
    "RollupMark",
    "Strength",
    "UTCDateTime",
    "UserState",
    "Wellbeing",
]
