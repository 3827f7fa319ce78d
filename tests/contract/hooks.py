"""schemathesis hooks of scripts/contract-tools (loaded through SCHEMATHESIS_HOOKS=hooks).

`filter_failure` drops exactly these kinds of `positive_data_acceptance` (ST202) failure, each a
rule that OpenAPI 3.0 cannot state (docs/testing.md lists them with the reasons):

* an `after` that is not a cursor this server handed out: cursors are opaque (any string
  fits their schema) and a made-up one is a 400 `invalid_request` with `field: "after"`;
* a control character in a request body where the document cannot forbid it: in an object
  *key* (OpenAPI 3.0 has no `propertyNames`) or in the value of a property the document does
  not list. The input guard refuses control characters anywhere in the body; the document
  forbids them (a `pattern`) in every string it describes, which tests/api/openapi.rs checks,
  so a schema-valid case holds one only in those places;
* 422 `idempotency_key_reused`: schemathesis sends the same generated `Idempotency-Key` with
  different requests; refusing that is state (the key's first request), not schema;
* the registration honeypot (`website`): a filled trap is refused with the same words as any
  refusal so that a bot learns nothing, and the document cannot say "must be empty" without
  telling it;
* a meeting refused by one of Zoom's rules (a real IANA zone, a start in the future, a
  consistent recurrence, the passcode rule, a host of the account, an upcoming occurrence);
* ST302 (created resource not found) where the "created" answer was a replay
  (`Idempotent-Replayed: true`) of an earlier request whose resource the fuzzer has deleted since;
* an origin (`allowed_origins`, `origins`) or page URL (`return_url`, `refresh_url`) that is a
  string but no URL: the host rules of a URL are the URL parser's, not a pattern's;
* an event endpoint's `events` entry that is no subscribable event type, and a replay's
  selection (`event_ids`, or `from` and `to` as RFC 3339 times with `from` first): the document
  names the event types and the time format in descriptions only (an enum and `format:
  date-time` are open work, docs/events.md), and a body of two alternative shapes is beyond it;
* an `accent_color` too faint to read on the theme's background (WCAG contrast below 4.5:1,
  `Theme::check_contrast`): a ratio of two colours is arithmetic, not a pattern.

Every other failure stands.

`json_error_envelope`: every error answer of an `/api/…` operation is the documented JSON
envelope `{"error": {"code", "message", "request_id", "field"?}}`, with `request_id` equal to
the answer's `X-Request-Id`. schemathesis's own content-type check covers only statuses the
document lists; this one also catches framework errors (wrong Content-Type, malformed JSON,
bad parameters) whatever their status.
"""

import json
import os
import unicodedata

import schemathesis

CURSOR_REFUSED = "after: is not a cursor from `next_after`"
CONTROL_REFUSED = "must not contain control characters"
NOT_A_URL = ("is not an origin like", "is not a web address like")
URL_FIELDS = ("allowed_origins", "origins", "return_url", "refresh_url")
LOW_CONTRAST = "text needs at least 4.5:1"
# `domain::event::UrlRefusal`: an event endpoint's URL must be absolute https on a host that
# resolves to public addresses only, which no JSON Schema can say (DNS).
ENDPOINT_URL_REFUSED = (
    "must be an absolute URL", "must use https", "must not carry a user name or password",
    "must not have a #fragment", "its host does not resolve", "its host resolves to a private",
)


MEETING_RULE_FIELDS = (
    "timezone", "start_time", "recurrence", "recurring", "passcode", "host", "occurrence_id",
    "questions", "standard_questions", "waiting_room", "join_before_host",
)


def is_meeting_rule(case, error: dict) -> bool:
    """A meeting refused by a rule of Zoom's the schema cannot state: a real IANA zone, a start
    in the future, a consistent recurrence, Zoom's passcode rule, a host of the account,
    distinct questions with registration on, no meeting-only settings on a webinar."""
    field = str(error.get("field", "")).split(".")[0].split("[")[0]
    admin_items = "/admin/meetings" in case.path or "/admin/webinars" in case.path
    return admin_items and field in MEETING_RULE_FIELDS


def is_replay_selection_rule(case, error: dict) -> bool:
    """A replay's selection rule: ids or a window of two times, `from` before `to` (one of
    two shapes, which OpenAPI 3.0 cannot require of an all-optional body)."""
    on_replay = "/event-endpoints" in case.path and case.path.endswith("/replay")
    return on_replay and error.get("field") in ("event_ids", "from", "to")


def is_endpoint_url_rule(case, error: dict) -> bool:
    message = str(error.get("message"))
    on_endpoint = "/event-endpoints" in case.path and error.get("field") == "url"
    return on_endpoint and any(m in message for m in ENDPOINT_URL_REFUSED)


def is_url_field(error: dict) -> bool:
    return str(error.get("field", "")).split(".")[0] in URL_FIELDS


def honeypot_filled(body) -> bool:
    return isinstance(body, dict) and str(body.get("website", "")).strip() != ""


def error_of(response) -> dict:
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def has_control(value) -> bool:
    """Whether a JSON value holds a control character, in a key or a string."""
    if isinstance(value, str):
        return any(unicodedata.category(c) == "Cc" for c in value)
    if isinstance(value, dict):
        return any(has_control(key) or has_control(v) for key, v in value.items())
    if isinstance(value, list):
        return any(has_control(v) for v in value)
    return False


# Ids and slugs in answers that were replays of an earlier request (`Idempotent-Replayed`).
REPLAYED: set = set()


@schemathesis.hook
def after_call(context, case, response):
    """Notes what replayed answers named: the fuzzer repeats its few generated
    `Idempotency-Key`s, so a POST may replay the answer for a site it deleted since."""
    value = response.headers.get("idempotent-replayed") or response.headers.get(
        "Idempotent-Replayed"
    )
    if value and "true" in (value if isinstance(value, list) else [value]):
        body = error_of(response) or {}
        try:
            body = json.loads(response.content)
        except ValueError:
            pass
        if isinstance(body, dict):
            REPLAYED.update(v for v in body.values() if isinstance(v, str))


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """False drops the failure: only the cases described above."""
    if failure.code == "ST302" and set((case.path_parameters or {}).values()) & REPLAYED:
        return dropped("a replayed answer for a resource deleted since", {"field": case.path})
    if failure.code != "ST202" or response is None:
        return True
    error = error_of(response)
    if response.status_code == 422 and error.get("code") == "idempotency_key_reused":
        return dropped("Idempotency-Key reused by the fuzzer", error)
    if response.status_code != 400:
        return True
    if error.get("field") == "form" and honeypot_filled(case.body):
        return dropped("honeypot filled", error)
    if is_meeting_rule(case, error):
        return dropped("meeting rule beyond the schema", error)
    if is_url_field(error) and any(m in str(error.get("message")) for m in NOT_A_URL):
        return dropped("origin or page URL that is no URL", error)
    if is_endpoint_url_rule(case, error):
        return dropped("event endpoint URL not public https", error)
    if is_replay_selection_rule(case, error):
        return dropped("replay selection beyond the schema", error)
    if error.get("field") == "accent_color" and LOW_CONTRAST in str(error.get("message")):
        return dropped("accent too faint for the theme", error)
    if error.get("field") == "after" and error.get("message") == CURSOR_REFUSED:
        return dropped("opaque cursor", error)
    if str(error.get("message")).endswith(CONTROL_REFUSED) and has_control(case.body):
        return dropped("control character in a key or an undocumented property", error)
    return True


def dropped(reason: str, error: dict) -> bool:
    """Notes the dropped failure and the field refused (for the harness's summary and an
    audit of dropped.txt) and drops it."""
    log = os.environ.get("MQ_CONTRACT_DROPPED")
    if log:
        with open(log, "a") as f:
            f.write(f"{reason}\t{error.get('field')!r}\n")
    return False


@schemathesis.check
def json_error_envelope(ctx, response, case):
    if not case.path.startswith("/api/") or response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        raise AssertionError(
            f"{response.status_code} error answered as {content_type or 'no Content-Type'}, "
            f"not JSON: {response.content[:200]!r}"
        )
    try:
        body = json.loads(response.content)
    except ValueError as err:
        raise AssertionError(f"error body is not JSON ({err}): {response.content[:200]!r}")
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        raise AssertionError(f"error body without an `error` object: {body!r}")
    for name in ("code", "message", "request_id"):
        if not isinstance(error.get(name), str) or not error[name]:
            raise AssertionError(f"error.{name} missing or not a string: {body!r}")
    if "field" in error and not isinstance(error["field"], str):
        raise AssertionError(f"error.field is not a string: {body!r}")
    request_id = (response.headers.get("x-request-id") or [None])[0]
    if error["request_id"] != request_id:
        raise AssertionError(
            f"error.request_id {error['request_id']!r} is not X-Request-Id {request_id!r}"
        )
    return None
