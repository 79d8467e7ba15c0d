"""Announcement languages (webex-api.md §11.12): the list Webex supports (``GET /telephony/config/
announcementLanguages``, wxc_sdk ``read_list_of_announcement_languages``) and the change of a calling
location's language (``POST …/actions/modifyAnnouncementLanguage/invoke``, webex-lcs.json).

Why: the language a location announces in is set when calling is enabled or through this action, not by
``PUT /locations``; a client that wants to check a workbook's language against Webex's list reads it here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_INVALID, ApiProblem, EmulatorContext, json_body
from batch.emulator.locations.fields import language
from batch.emulator.org.scope import require_org, route
from batch.emulator.telephony.calling import calling_location

#: (code, name) of the announcement languages the emulator supports, a subset of Webex's list.
LANGUAGES = (
    ("da_dk", "Danish"),
    ("de_de", "German"),
    ("en_gb", "English (UK)"),
    ("en_us", "English"),
    ("es_es", "Spanish (Spain)"),
    ("fi_fi", "Finnish"),
    ("fr_fr", "French"),
    ("it_it", "Italian"),
    ("nb_no", "Norwegian"),
    ("nl_nl", "Dutch"),
    ("pt_br", "Portuguese (Brazil)"),
    ("sv_se", "Swedish"),
)
CODES = frozenset(code for code, _ in LANGUAGES)


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/telephony/config/announcementLanguages", list_languages, "GET"),
        route(
            ctx,
            "/v1/telephony/config/locations/{location_id}/actions/modifyAnnouncementLanguage/invoke",
            modify_language,
            "POST",
        ),
    ]


async def list_languages(ctx: EmulatorContext, request: Request) -> Response:
    if request.query_params.get("orgId"):
        require_org(ctx, request)
    return JSONResponse({"languages": [{"name": name, "code": code} for code, name in LANGUAGES]})


async def modify_language(ctx: EmulatorContext, request: Request) -> Response:
    _, location = calling_location(ctx, request)
    code = language(await json_body(request), "announcementLanguageCode")
    if code not in CODES:
        raise ApiProblem(400, f"announcementLanguageCode {code} is not a supported announcement language", CODE_INVALID)
    location.announcement_language = code
    return Response(status_code=204)
