"""The API's Api object and blueprint factory: JSON errors, authentication, body limits."""

from flask import current_app, request
from flask_smorest import Api, Blueprint
from flask_wtf.csrf import CSRFError
from webargs.flaskparser import FlaskParser, is_json_request

from app.api.auth import authenticate
from app.api.errors import HTTP_CODES, MalformedBody, api_error
from app.api.schemas import ApiErrorSchema
from app.auth import csrf
from app.errors import NotFound
from app.inputs import MAX_JSON_DEPTH, too_deep

PREFIX = "/api/v1"
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"sessionCookie": []}]


class OneDoorApi(Api):
    """flask-smorest's Api, answering HTTP errors in our JSON shape — on API paths only,
    so the web pages keep their HTML error pages."""

    ERROR_SCHEMA = ApiErrorSchema

    def handle_http_exception(self, error):
        """JSON under /api/, Werkzeug's own page elsewhere."""
        if not request.path.startswith("/api/"):
            return error
        return api_error(error)


class BodyParser(FlaskParser):
    """webargs' parser, refusing a JSON body nested deeper than any form before parsing it
    (the parser, and every walk over what it returns, would recurse once per level)."""

    def _raw_load_json(self, req):
        if is_json_request(req):
            path = too_deep(req.get_data(cache=True))
            if path is not None:
                raise MalformedBody("请求体嵌套层级过深", {path: [f"嵌套不能超过 {MAX_JSON_DEPTH} 层"]})
        return super()._raw_load_json(req)


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose bodies and query strings go through `BodyParser`."""

    ARGUMENTS_PARSER = BodyParser()


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str, *,
                  authenticated: bool = True) -> Blueprint:
    """A blueprint under /api/v1 with JSON errors; CSRF is checked by `authenticate` instead."""
    bp = ApiBlueprint(name, import_name, url_prefix=PREFIX + url_prefix, description=description)
    bp.register_error_handler(Exception, api_error)
    # app-wide handlers registered for a status code (e.g. the web pages' CSRFError page) are
    # looked up before class handlers: claim those codes for the blueprint too
    bp.register_error_handler(CSRFError, api_error)
    for code in HTTP_CODES:
        bp.register_error_handler(code, api_error)
    bp.before_request(_clean_path)
    if authenticated:
        bp.before_request(authenticate)
    csrf.exempt(bp)
    return bp


def _clean_path() -> None:
    """A NUL character in a path segment names nothing (and no database would accept it)."""
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        raise NotFound("请求的资源不存在")


def clock():
    """The app's clock."""
    return current_app.extensions["onedoor.clock"]


def setting(name: str):
    """A configuration value (views read config; services get it as an argument)."""
    return current_app.config[name]
