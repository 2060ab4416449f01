"""Every notifications table, imported in one place so Alembic and tests see the whole metadata."""

from services.notifications.deliveries.models import Delivery
from services.notifications.newsletters.models import Newsletter
from services.notifications.recipients.models import (
    OrderView,
    Recipient,
    RecipientAgreement,
    RecipientCampaign,
    RecipientCampaignTarget,
    RecipientCompany,
)

__all__ = ["Delivery", "Newsletter", "OrderView", "Recipient", "RecipientAgreement", "RecipientCampaign",
           "RecipientCampaignTarget", "RecipientCompany"]
