"""Domain errors. Views and CLI turn them into responses; services raise them."""


class OneDoorError(Exception):
    """Base class: carries a stable code and a Chinese message for users."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(OneDoorError):
    """The thing asked for does not exist (or is not visible to the actor)."""

    code = "not_found"
    http_status = 404


class Forbidden(OneDoorError):
    """The actor may not do this."""

    code = "forbidden"
    http_status = 403


class Conflict(OneDoorError):
    """Someone else changed the same instance or task first."""

    code = "conflict"
    http_status = 409


class ValidationFailed(OneDoorError):
    """Input failed validation; `errors` maps field paths to Chinese messages."""

    code = "validation_failed"
    http_status = 422


class ProcessFault(Conflict):
    """A diagram's own code went past its bounds while a user's step ran: the step is not
    taken, the fault is audited (after the rollback, by `run_unit`) for the designers."""

    code = "process_fault"

    def __init__(self, message: str, *, at, instance_id: str | None, summary: dict):
        super().__init__(message)
        self.at, self.instance_id, self.summary = at, instance_id, summary
