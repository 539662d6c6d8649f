"""The REST API under /api/v1: OpenAPI document, docs page, JSON errors, keys and tokens."""

from flask import Flask

SPEC = {
    "info": {"description": "一扇门（OneDoor）对外接口：案件、任务、报表、流程部署，以及 12345 工单、"
                            "网格上报、警情/信访/法院对接。错误统一为 "
                            "{\"code\", \"message\", \"errors\": {字段路径: [...]}}。"},
    "components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer",
                       "description": "API 密钥（odk_…，按渠道和单位授权，限流）或个人令牌（odp_…）"},
        "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                          "description": "登录会话；写操作需带 X-CSRFToken 请求头"},
        "hotlineSignature": {"type": "apiKey", "in": "header", "name": "X-OneDoor-Signature",
                             "description": "HMAC-SHA256(密钥, 时间戳 + '.' + 请求体)，"
                                            "时间戳放在 X-OneDoor-Timestamp"},
    }},
}


def init_app(app: Flask) -> None:
    """Register the API blueprints, the OpenAPI document, the docs page and `flask api`."""
    from app.api import cases, instances, meta, reports, tasks, transfers, urging  # noqa: PLC0415
    from app.api.base import PREFIX, OneDoorApi  # noqa: PLC0415
    from app.api.cli import api_cli  # noqa: PLC0415
    from app.channels.views import blueprints  # noqa: PLC0415

    for key, value in {
        "API_TITLE": "OneDoor 一扇门 API", "API_VERSION": "v1", "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": PREFIX, "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui-dist/",
    }.items():
        app.config.setdefault(key, value)
    api = OneDoorApi(app, spec_kwargs=SPEC)
    for module in (cases, tasks, transfers, urging, instances, reports, meta):
        api.register_blueprint(module.bp)
    for bp in blueprints():
        api.register_blueprint(bp)
    app.extensions["onedoor.api"] = api
    app.cli.add_command(api_cli)
