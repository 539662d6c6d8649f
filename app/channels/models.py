"""Every channels table, imported together so metadata (and Alembic) sees them."""

from app.channels.duplicates.models import CaseDuplicate
from app.channels.grid.models import GridReport
from app.channels.hotline.models import HotlineOrder
from app.channels.outbox.models import OutboxMessage
from app.channels.referrals.models import Referral

__all__ = ["CaseDuplicate", "GridReport", "HotlineOrder", "OutboxMessage", "Referral"]
