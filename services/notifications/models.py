"""Every notifications table, imported in one place so Alembic and tests see the whole metadata."""

import services.crm.models  # noqa: F401  (deliveries reference crm's contact table)
from services.notifications.deliveries.models import Delivery
from services.notifications.newsletters.models import Newsletter

__all__ = ["Delivery", "Newsletter"]
