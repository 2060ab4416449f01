"""Every crm table, imported in one place so Alembic and tests see the whole metadata."""

from services.crm.activities.models import Activity
from services.crm.campaigns.models import Campaign, CampaignTarget
from services.crm.centres.models import CentreAgreement, CentrePlaces
from services.crm.companies.models import Company, Contact, Workplace
from services.crm.cooperation.models import (
    CandidateConsent,
    IncomingProposal,
    InstallationKey,
    OutgoingMessage,
    OutgoingProposal,
    Partner,
    ReceivedMessage,
    ReceivedOrder,
    SharedOrder,
)
from services.crm.job_ads.models import JobAd
from services.crm.orders.models import Order, Proposal, ShortlistEntry
from services.crm.partnerships.models import Partnership, PartnershipGoal
from services.crm.placements.models import HoursFollowUp, Placement
from services.crm.satisfaction.models import SatisfactionSurvey
from services.crm.signin.models import UnknownCompanySignin, UsedIdToken
from services.crm.users.models import User
from shared.audit import AuditLog
from shared.erasure import ErasureRequest
from shared.events import OutboxEvent

__all__ = [
    "Activity", "AuditLog", "CentreAgreement", "CentrePlaces", "ErasureRequest", "Campaign", "CampaignTarget", "Company",
    "Contact", "HoursFollowUp", "JobAd", "Order", "OutboxEvent", "Partnership", "PartnershipGoal", "Placement", "Proposal",
    "SatisfactionSurvey", "ShortlistEntry", "UnknownCompanySignin", "UsedIdToken", "User", "Workplace",
    # issue 15: the recruitment cooperation
    "CandidateConsent", "IncomingProposal", "InstallationKey", "OutgoingMessage", "OutgoingProposal", "Partner",
    "ReceivedMessage", "ReceivedOrder", "SharedOrder",
]
