"""Google-shaped error bodies.

Drive v3 answers `{"error": {"code", "message", "errors": [{"domain", "reason",
"message", ...}]}}`; the fake adds `status` too (harmless for clients).
Sheets v4 / Docs v1 answer `{"error": {"code", "message", "status"}}` plus an
optional `details` list (google.rpc.BadRequest / ErrorInfo), no `errors`.
"""

from __future__ import annotations

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

# Drive default (domain, reason, message) per status, used by fail_next.
DRIVE_DEFAULTS = {
    400: ("global", "badRequest", "Bad Request"),
    401: ("global", "authError", "Invalid Credentials"),
    403: ("usageLimits", "userRateLimitExceeded", "User rate limit exceeded."),
    404: ("global", "notFound", "File not found."),
    429: ("usageLimits", "rateLimitExceeded", "Rate limit exceeded."),
    500: ("global", "backendError", "Internal Error"),
    503: ("global", "backendError", "The service is currently unavailable."),
}
DRIVE_REASON_DOMAIN = {
    "usageLimits": {"userRateLimitExceeded", "rateLimitExceeded", "storageQuotaExceeded", "dailyLimitExceeded", "quotaExceeded"},
}
DRIVE_REASON_MESSAGE = {
    "userRateLimitExceeded": "User rate limit exceeded.",
    "rateLimitExceeded": "Rate limit exceeded.",
    "storageQuotaExceeded": "The user's Drive storage quota has been exceeded.",
    "notFound": "File not found.",
    "insufficientFilePermissions": "The user does not have sufficient permissions for this file.",
    "backendError": "Internal Error",
}
SHEETS_DEFAULTS = {
    400: "Request contains an invalid argument.",
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}

SA_STORAGE_MESSAGE = (
    "Service Accounts do not have storage quota. Leverage shared drives "
    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
    "or use OAuth delegation (http://support.google.com/a/answer/7281227) instead."
)


def quota_message(kind: str, project: str = "123456789012") -> str:
    """kind: 'Read' or 'Write' (Sheets per-user per-minute quota)."""
    return (
        f"Quota exceeded for quota metric '{kind} requests' and limit "
        f"'{kind} requests per minute per user' of service 'sheets.googleapis.com' "
        f"for consumer 'project_number:{project}'."
    )


class GoogleError(Exception):
    """Raised anywhere in the fake; the server renders `body` with `code`."""

    def __init__(self, code: int, body: dict, headers: dict | None = None):
        super().__init__(body.get("error", {}).get("message", ""))
        self.code = code
        self.body = body
        self.headers = headers or {}


def drive_error(code: int, message: str, reason: str, domain: str = "global", location: str | None = None, location_type: str | None = None) -> GoogleError:
    item = {"message": message, "domain": domain, "reason": reason}
    if location:
        item["location"] = location
        item["locationType"] = location_type or "parameter"
    return GoogleError(code, {"error": {"code": code, "message": message, "status": STATUS.get(code, "UNKNOWN"), "errors": [item]}})


def sheets_error(code: int, message: str | None = None, status: str | None = None, details: list | None = None) -> GoogleError:
    err = {"code": code, "message": message or SHEETS_DEFAULTS.get(code, "Error"), "status": status or STATUS.get(code, "UNKNOWN")}
    if details:
        err["details"] = details
    return GoogleError(code, {"error": err})


def bad_request(api: str, message: str, field: str | None = None) -> GoogleError:
    """400 INVALID_ARGUMENT in the shape of the given api."""
    if api in ("drive", "upload"):
        return drive_error(400, message, "badRequest")
    violation = {"description": message}
    if field:
        violation["field"] = field
    return sheets_error(400, message, details=[{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}])


def not_found(api: str, file_id: str) -> GoogleError:
    if api in ("drive", "upload"):
        return drive_error(404, f"File not found: {file_id}.", "notFound", location="fileId", location_type="parameter")
    return sheets_error(404, "Requested entity was not found.")


def unauthenticated(api: str) -> GoogleError:
    msg = SHEETS_DEFAULTS[401]
    if api in ("drive", "upload"):
        err = drive_error(401, msg, "authError", location="Authorization", location_type="header")
        err.body["error"]["errors"][0]["message"] = "Invalid Credentials"
        return err
    return sheets_error(401, msg, details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "CREDENTIALS_MISSING", "domain": "googleapis.com"}])


def storage_quota() -> GoogleError:
    return drive_error(403, SA_STORAGE_MESSAGE, "storageQuotaExceeded", domain="usageLimits")


def sheets_quota(kind: str) -> GoogleError:
    msg = quota_message(kind)
    return sheets_error(
        429,
        msg,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                    "quota_limit": f"{kind}RequestsPerMinutePerUser",
                    "quota_location": "global",
                    "service": "sheets.googleapis.com",
                    "consumer": "projects/123456789012",
                },
            }
        ],
    )


def injected(api: str, code: int, reason: str | None) -> GoogleError:
    """Error for fail_next(): Google's usual body for that api/status/reason."""
    if api in ("drive", "upload"):
        domain, dreason, msg = DRIVE_DEFAULTS.get(code, ("global", "backendError", "Error"))
        if reason:
            dreason = reason
            msg = DRIVE_REASON_MESSAGE.get(reason, msg)
            domain = "usageLimits" if reason in DRIVE_REASON_DOMAIN["usageLimits"] else "global"
            if reason == "storageQuotaExceeded":
                msg = SA_STORAGE_MESSAGE
        return drive_error(code, msg, dreason, domain=domain)
    if code == 429:
        return sheets_quota("Read" if reason in (None, "read", "Read") else "Write")
    err = sheets_error(code)
    if reason:
        err.body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com"}]
    return err
