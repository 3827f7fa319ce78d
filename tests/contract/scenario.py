"""A third party's first hour with Marquee, through a client generated from the committed
openapi/openapi.json by openapi-python-client (package `marquee_client`).

Every API call goes through the generated client; the only raw HTTP is the owner's browser on
the OAuth hop (Zoom's consent page and the redirect back), which is not an API call. Each step
asserts the status it got and what it parsed; a body the generated models cannot parse raises,
and so does any property the document does not describe (`additional_properties`).

Run by scripts/contract-tools (tests/contract/harness.py), which imports `run`.
"""

import uuid

import attrs
import httpx

from marquee_client import AuthenticatedClient, Client
from marquee_client.api.admin import (
    disconnect_zoom,
    get_site_settings,
    get_snippets,
    get_sync_status,
    get_zoom_connection,
    get_zoom_user,
    list_registrations,
    set_meeting_visibility,
    start_zoom_connect,
    update_site_settings,
)
from marquee_client.api.health import get_health, get_readiness
from marquee_client.api.platform import (
    create_admin_link,
    create_api_key,
    create_tenant,
    delete_tenant,
    get_tenant,
    list_api_keys,
    list_tenants,
    revoke_api_key,
)
from marquee_client.api.sites import (
    get_site_meeting,
    list_site_meetings,
    list_site_recordings,
    list_site_webinars,
    register_for_meeting,
)
from marquee_client.models import (
    AdminLink,
    ApiKeyList,
    ConnectStart,
    CreateApiKey,
    CreatedApiKey,
    CreateTenant,
    DisconnectResult,
    ErrorBody,
    HealthStatus,
    Language,
    MeetingList,
    PublicMeetingDetail,
    RecordingList,
    RegistrationList,
    RegistrationRequest,
    RegistrationResult,
    RegistrationStatus,
    Scope,
    SiteSettingsDto,
    SiteSettingsPatch,
    SnippetList,
    SyncStatusDto,
    TenantDto,
    TenantList,
    ThemeMode,
    Visibility,
    ZoomConnectionDto,
    ZoomUserDto,
)
from marquee_client.types import UNSET, Unset

TIMEOUT = httpx.Timeout(30.0)


class ContractError(AssertionError):
    """A step got something other than what the document and the scenario expect."""


def platform_client(base_url: str, platform_key: str) -> AuthenticatedClient:
    """The hosting company's client: the platform key in its own header, no prefix."""
    return AuthenticatedClient(
        base_url=base_url,
        token=platform_key,
        prefix="",
        auth_header_name="X-Platform-Key",
        timeout=TIMEOUT,
        raise_on_unexpected_status=True,
    )


def tenant_client(base_url: str, key: str) -> AuthenticatedClient:
    """A site builder's client: the tenant key as `Authorization: Bearer`."""
    return AuthenticatedClient(
        base_url=base_url, token=key, timeout=TIMEOUT, raise_on_unexpected_status=True
    )


def public_client(base_url: str) -> Client:
    return Client(base_url=base_url, timeout=TIMEOUT, raise_on_unexpected_status=True)


def expect(response, status: int, model=None):
    """The parsed body of `response` (a generated `Response`), which must have `status`, be a
    `model` and contain nothing the document does not describe."""
    if response.status_code != status:
        raise ContractError(
            f"expected {status}, got {response.status_code}: {response.content[:500]!r}"
        )
    parsed = response.parsed
    if model is not None:
        if not isinstance(parsed, model):
            raise ContractError(f"expected a {model.__name__}, parsed {parsed!r}")
        assert_described(parsed, model.__name__)
    return parsed


def expect_error(response, status: int, code: str) -> ErrorBody:
    body = expect(response, status, ErrorBody)
    if body.error.code != code:
        raise ContractError(f"expected error code {code}, got {body.error.code}")
    if not body.error.request_id:
        raise ContractError("error without request_id")
    return body


def assert_described(value, where: str) -> None:
    """Fails when a parsed object (or one inside it) kept properties the document lacks."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            assert_described(item, f"{where}[{i}]")
        return
    if not attrs.has(type(value)):
        return
    extra = getattr(value, "additional_properties", {})
    if extra:
        raise ContractError(f"{where} has undocumented properties {sorted(extra)}")
    for field in attrs.fields(type(value)):
        if field.name != "additional_properties":
            assert_described(getattr(value, field.name), f"{where}.{field.name}")


def step(text: str) -> None:
    print(f"  - {text}", flush=True)


ALL_SCOPES = list(Scope)


def create_site(platform: AuthenticatedClient, slug: str):

    body = CreateTenant(slug=slug, display_name=f"Contract {slug}")
    site = expect(create_tenant.sync_detailed(client=platform, body=body), 201)
    if site.slug != slug:
        raise ContractError(f"created {site.slug}, asked for {slug}")
    return site


def mint_key(platform: AuthenticatedClient, slug: str, scopes=None):

    body = CreateApiKey(name="contract key", scopes=scopes or ALL_SCOPES)
    key = expect(
        create_api_key.sync_detailed(slug, client=platform, body=body), 201, CreatedApiKey
    )
    if not key.key.startswith("mq_live_") or set(key.scopes) != set(body.scopes):
        raise ContractError(f"unexpected key {key.prefix} with {key.scopes}")
    return key


def connect_zoom(base_url: str, tenant: AuthenticatedClient) -> None:
    """Starts the connect through the API, then plays the owner's browser: the simulator
    consents at once (auto-consent) and redirects to Marquee's callback."""

    start = expect(start_zoom_connect.sync_detailed(client=tenant), 200, ConnectStart)
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as browser:
        consent = browser.get(start.authorize_url)
        if consent.status_code != 302:
            raise ContractError(f"Zoom's authorize page: {consent.status_code} {consent.text[:300]}")
        callback = consent.headers["location"]
        if not callback.startswith(base_url):
            raise ContractError(f"Zoom redirected to {callback}")
        done = browser.get(callback)
        if done.status_code != 200 or "connected" not in done.text:
            raise ContractError(f"callback: {done.status_code} {done.text[:300]}")
    status = expect(get_zoom_connection.sync_detailed(client=tenant), 200, ZoomConnectionDto)
    if not status.connected or isinstance(status.zoom_email, Unset):
        raise ContractError(f"not connected after the callback: {status}")


def all_public_meetings(public: Client, slug: str) -> list:
    """Every public meeting, following `next_after` with small pages."""

    meetings, after = [], UNSET
    for _ in range(100):
        page = expect(
            list_site_meetings.sync_detailed(slug, client=public, limit=3, after=after),
            200,
            MeetingList,
        )
        meetings += page.meetings
        if isinstance(page.next_after, Unset):
            return meetings
        after = page.next_after
    raise ContractError("more than 100 pages of meetings")


def run(base_url: str, platform_key: str) -> None:
    """The whole scenario; raises on the first step that does not hold."""

    platform = platform_client(base_url, platform_key)
    public = public_client(base_url)
    slug = f"client-{uuid.uuid4().hex[:8]}"

    expect(get_health.sync_detailed(client=public), 200, HealthStatus)
    expect(get_readiness.sync_detailed(client=public), 200, HealthStatus)
    step("health and readiness")

    create_site(platform, slug)
    expect(get_tenant.sync_detailed(slug, client=platform), 200, TenantDto)
    listed = expect(list_tenants.sync_detailed(client=platform, limit=200), 200, TenantList)
    if slug not in [t.slug for t in listed.tenants]:
        raise ContractError(f"{slug} not in the list of sites")
    link = expect(create_admin_link.sync_detailed(slug, client=platform), 201, AdminLink)
    if "/admin/login?token=" not in link.url:
        raise ContractError(f"admin link {link.url}")
    step(f"site {slug} created, listed, admin link minted")

    key = mint_key(platform, slug)
    keys = expect(list_api_keys.sync_detailed(slug, client=platform), 200, ApiKeyList)
    if [k.id for k in keys.api_keys] != [key.id]:
        raise ContractError(f"keys listed: {[k.id for k in keys.api_keys]}")
    tenant = tenant_client(base_url, key.key)
    before = expect(get_zoom_connection.sync_detailed(client=tenant), 200, ZoomConnectionDto)
    if before.connected:
        raise ContractError("a new site is connected")
    step(f"tenant key {key.prefix}… minted with {len(key.scopes)} scopes")

    connect_zoom(base_url, tenant)
    user = expect(get_zoom_user.sync_detailed(client=tenant), 200, ZoomUserDto)
    sync = expect(get_sync_status.sync_detailed(client=tenant), 200, SyncStatusDto)
    step(f"Zoom connected as {user.email}; first sync: {sync.meetings} meetings")

    meetings = all_public_meetings(public, slug)
    if not meetings:
        raise ContractError("no public meetings after the first sync")
    expect(list_site_webinars.sync_detailed(slug, client=public), 200, MeetingList)
    expect(list_site_recordings.sync_detailed(slug, client=public), 200, RecordingList)
    shown = meetings[0]
    expect(get_site_meeting.sync_detailed(slug, shown.id, client=public), 200, PublicMeetingDetail)
    step(f"public lists: {len(meetings)} meeting entries (3 a page), webinars, recordings")

    expect(
        set_meeting_visibility.sync_detailed(shown.id, client=tenant, body=Visibility(hidden=True)),
        204,
    )
    expect_error(get_site_meeting.sync_detailed(slug, shown.id, client=public), 404, "not_found")
    if shown.id in [m.id for m in all_public_meetings(public, slug)]:
        raise ContractError(f"hidden meeting {shown.id} is still listed")
    step(f"meeting {shown.id} hidden: gone from the public list, 404 on its own")

    patch = SiteSettingsPatch(language=Language.DE, theme=ThemeMode.DARK, accent_color="#ff8800")
    changed = expect(
        update_site_settings.sync_detailed(client=tenant, body=patch), 200, SiteSettingsDto
    )
    settings = expect(get_site_settings.sync_detailed(client=tenant), 200, SiteSettingsDto)
    if (settings.language, settings.theme, settings.accent_color) != (
        Language.DE,
        ThemeMode.DARK,
        "#ff8800",
    ) or settings.to_dict() != changed.to_dict():
        raise ContractError(f"settings after the change: {settings.to_dict()}")
    expect(get_snippets.sync_detailed(client=tenant), 200, SnippetList)
    step("settings changed (language de, dark theme, accent colour) and read back")

    open_meetings = [m for m in meetings if m.registration_open and m.id != shown.id]
    if not open_meetings:
        raise ContractError("no meeting open for registration in the simulated account")
    target = open_meetings[0]
    email = f"visitor-{uuid.uuid4().hex[:6]}@example.com"
    visitor = RegistrationRequest(
        first_name="Grace",
        last_name="Hopper",
        email=email,
        occurrence_id=target.occurrence_id,
    )
    registered = expect(
        register_for_meeting.sync_detailed(
            slug, target.id, client=public, body=visitor, idempotency_key=uuid.uuid4().hex
        ),
        201,
        RegistrationResult,
    )
    if registered.status not in (RegistrationStatus.APPROVED, RegistrationStatus.PENDING):
        raise ContractError(f"registration status {registered.status}")
    step(f"visitor registered for meeting {target.id}: {registered.status}")

    registrations = expect(
        list_registrations.sync_detailed(client=tenant, meeting_id=target.id),
        200,
        RegistrationList,
    )
    if email not in [r.email for r in registrations.registrations]:
        raise ContractError(f"{email} not among the meeting's registrations")
    step(f"the admin list shows the registration ({len(registrations.registrations)} in all)")

    gone = expect(disconnect_zoom.sync_detailed(client=tenant), 200, DisconnectResult)
    after = expect(get_zoom_connection.sync_detailed(client=tenant), 200, ZoomConnectionDto)
    if after.connected or all_public_meetings(public, slug):
        raise ContractError("still connected, or meetings still public, after disconnecting")
    step(f"disconnected: {gone.meetings_removed} meetings removed, revoked at Zoom: {gone.revoked_at_zoom}")

    expect(revoke_api_key.sync_detailed(slug, key.id, client=platform), 204)
    expect_error(get_zoom_connection.sync_detailed(client=tenant), 401, "unauthorized")
    expect(delete_tenant.sync_detailed(slug, client=platform), 204)
    expect_error(get_tenant.sync_detailed(slug, client=platform), 404, "not_found")
    step("key revoked (401 after), site deleted (404 after)")
