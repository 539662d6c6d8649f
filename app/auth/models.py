"""Failed sign-ins, kept in the database so every worker process throttles the same way."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class LoginFailure(Model):
    """One refused sign-in: the account name tried and the client address it came from."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_account_at", "account", "at"),
                      Index("ix_login_failure_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
