"""Chinese names for audit events on a case page; the vocabularies of a case (channels, categories,
risk tiers, statuses, routes, party roles) live in app/vocab.py with their labels."""

from app.audit.labels import action_label


def audit_action(action: str) -> str:
    """The Chinese name of an audit event; never the event code itself."""
    return action_label(action)
