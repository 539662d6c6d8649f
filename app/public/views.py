"""/public/: pages for citizens without a staff account — submit a dispute, follow it, rate it.

Every form first counts the attempt (its own unit of work, so refused attempts count too),
then does its work in a second unit. A refusal is audited in a third unit and shown in Chinese
next to the form; the work itself leaves nothing behind.
"""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import segno
from flask import Blueprint, current_app, render_template, request, url_for

from app.audit.services import record
from app.cases.labels import CATEGORIES
from app.cases.models import mask
from app.errors import OneDoorError
from app.public import codes, limits
from app.public.models import RATING_LABELS
from app.public.schemas import PhoneIn, RatingIn, SubmissionIn, TrackIn, load
from app.public.submission import CITIZEN, PURPOSE, public_grids, submit_dispute
from app.public.tracking import find_case, public_case, rate_case
from app.unit_of_work import run_unit

bp = Blueprint("public", __name__, url_prefix="/public")
log = logging.getLogger("onedoor.public")
T = TypeVar("T")


def _clock():
    return current_app.extensions["onedoor.clock"]


def _address() -> str:
    return request.remote_addr or "unknown"


def guarded(action: str, buckets: dict[str, str | None], work: Callable[[], T]) -> T:
    """Count the attempt, run `work` in one unit of work; audit and re-raise any refusal."""
    buckets = {**buckets, "address": _address()}
    try:
        run_unit(lambda: limits.hit(action, buckets, _clock().now(), current_app.config["PUBLIC_LIMITS"]))
        return run_unit(work)
    except OneDoorError as exc:
        refusal = exc
        run_unit(lambda: _refused(action, refusal, buckets))
        raise


def _refused(action: str, exc: OneDoorError, buckets: dict[str, str | None]) -> None:
    if isinstance(exc, codes.BadCode) and exc.token:
        codes.count_wrong_attempt(exc.token)
    phone = buckets.get("phone")
    record(_clock().now(), "public.refused", actor_label=CITIZEN, summary={
        "action": action, "reason": exc.code, "message": exc.message, "address": buckets["address"],
        "phone": mask(phone, 3, 4) if phone else None, "case": buckets.get("case"),
        "fields": sorted(exc.errors)})
    log.info("public %s refused (%s) from %s", action, exc.code, buckets["address"])


def _submit_page(step: int, values: dict[str, Any], errors: dict | None = None, status: int = 200,
                 message: str | None = None):
    return render_template("public/submit.html", step=step, values=values, errors=errors or {},
                           message=message, categories=CATEGORIES, grids=public_grids()), status


@bp.get("/")
def index():
    """The public entrance: submit or follow a case."""
    return render_template("public/index.html")


@bp.get("/submit")
def submit_form():
    """Step one: the phone number."""
    return _submit_page(1, {})


@bp.post("/submit/code")
def send_code():
    """Send the SMS code (rate limited per phone and address); show step two."""
    form = request.form.to_dict()
    try:
        values = guarded("sms_code", {"phone": form.get("phone", "")[:20]}, lambda: _issue(form))
    except OneDoorError as exc:
        return _submit_page(1, form, exc.errors, exc.http_status, exc.message)
    return _submit_page(2, values, message="验证码已发送，请查收短信")


def _issue(form: dict) -> dict:
    values = load(PhoneIn(), form)
    challenge = codes.issue(values["phone"], PURPOSE, secret=current_app.config["SECRET_KEY"],
                            notifier=current_app.extensions["onedoor.notifier"], now=_clock().now())
    return {**values, "token": challenge.token}


@bp.post("/submit")
def submit():
    """Step two: check the code, open the case, show the 受理回执."""
    form = request.form.to_dict()

    def work():
        values = load(SubmissionIn(), form)
        return submit_dispute(values, token=values["token"], code=values["sms_code"],
                              secret=current_app.config["SECRET_KEY"],
                              notifier=current_app.extensions["onedoor.notifier"], clock=_clock(),
                              duplicate_window_days=current_app.config["DUPLICATE_WINDOW_DAYS"])
    try:
        case = guarded("submit", {"phone": form.get("phone", "")[:20]}, work)
    except OneDoorError as exc:
        return _submit_page(2, form, exc.errors, exc.http_status, exc.message)
    track = url_for("public.track_form", code=case.code, _external=True)
    return render_template("public/receipt.html", case=case, track_url=track, qr=_qr(track, case.code),
                           phone=mask(form["phone"], 3, 4)), 201


def _qr(url: str, code: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, title=f"查询案件 {code}")


@bp.get("/track")
def track_form():
    """The tracking form (the QR on the 受理回执 and the case page opens it with the code filled in)."""
    return render_template("public/track.html", values={"code": request.args.get("code", "")},
                           errors={}, message=None)


def _track_page(values: dict, exc: OneDoorError | None = None, view=None, thanks: bool = False):
    if view is None:
        return render_template("public/track.html", values=values, errors=exc.errors if exc else {},
                               message=exc.message if exc else None), exc.http_status if exc else 200
    return render_template("public/case.html", case=view, values=values, ratings=RATING_LABELS,
                           errors=exc.errors if exc else {}, message=exc.message if exc else None,
                           thanks=thanks), exc.http_status if exc else 200


@bp.post("/track")
def track():
    """Show a case to whoever knows its code and the applicant's last four phone digits."""
    form = request.form.to_dict()

    def work():
        values = load(TrackIn(), form)
        return public_case(find_case(values["code"], values["last4"]), _clock().now())
    try:
        view = guarded("track", {"case": form.get("code", "")[:32].upper()}, work)
    except OneDoorError as exc:
        return _track_page(form, exc)
    return _track_page(form, view=view)


@bp.post("/rate")
def rate():
    """满意 / 基本满意 / 不满意 for a closed case, once."""
    form = request.form.to_dict()

    def work():
        values = load(RatingIn(), form)
        rate_case(values["code"], values["last4"], values["rating"], values["comment"], clock=_clock())
        return public_case(find_case(values["code"], values["last4"]), _clock().now())
    try:
        view = guarded("rate", {"case": form.get("code", "")[:32].upper()}, work)
    except OneDoorError as exc:
        try:
            current = run_unit(lambda: public_case(find_case(form.get("code", ""), form.get("last4", "")),
                                                   _clock().now()))
        except OneDoorError:
            return _track_page(form, exc)
        return _track_page(form, exc, view=current)
    return _track_page(form, view=view, thanks=True)
