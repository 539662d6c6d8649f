"""The admin area: organisation, people, lanes, calendar, credentials and the audit log."""
