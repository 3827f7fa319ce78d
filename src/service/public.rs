//! What visitors may see of a site, read only from Marquee's store (a visitor never waits on
//! Zoom), and the in-memory caches in front of it.
//!
//! Caching across instances: every write of visitor-visible data bumps the tenant's
//! `content_version` in the database (sync, webhooks, owner settings). Each instance keeps
//! * the site (tenant, settings, content version) per slug. An entry is trusted for
//!   [`SITE_TTL`]; after that the first request to find it stale re-reads it (one small indexed
//!   query) while concurrent requests keep serving the entry they have — so another instance's
//!   change shows within `SITE_TTL` plus one query, and no burst of visitors stampedes the
//!   database. This instance's own writes show at once ([`PublicCache::forget_site`],
//!   [`PublicCache::forget_all_sites`]);
//! * rendered pages per tenant and key, valid only for the content version they were built from
//!   and for at most [`PAGE_TTL`] (lists drop meetings that ended even when nothing else
//!   changes). A page is constant bytes: its compressed variants are made once, on the first
//!   request that accepts them.
//!
//! Both caches are bounded in bytes ([`SITE_CACHE_BYTES`], [`PAGE_CACHE_BYTES`]; moka with a
//! weigher, evicting the least used first), so any number of sites fits in a fixed budget and
//! the sites visitors read stay. Reading either costs no lock: moka's reads are lock-free.

use std::collections::HashSet;
use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::NaiveDateTime;
use moka::sync::Cache;

use crate::domain::TenantId;
use crate::domain::cursor::ListKey;
use crate::domain::public::{ListedMeeting, MeetingDetail, Occurrence, Recording};
use crate::domain::site::{Feature, PublicSite};
use crate::domain::status::MeetingKind;
use crate::store::public::{ListQuery, RecordingScope};
use crate::store::{self, Store};

use super::paging::{self, CursorPage};
use super::{Background, ServiceError, Services};

/// How long a site's content version is trusted before it is read again.
pub const SITE_TTL: Duration = Duration::from_secs(1);
/// How long a rendered page is served at most, even if nothing changed.
pub const PAGE_TTL: Duration = Duration::from_secs(60);
/// Memory for cached sites (about 1 KB each: 100,000 sites need ~24 MB at most).
pub const SITE_CACHE_BYTES: u64 = 24 * 1024 * 1024;
/// Memory for cached pages, compressed variants counted in.
pub const PAGE_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// What one cache entry costs beyond its own bytes (key, moka's bookkeeping, the `Arc`s).
const ENTRY_OVERHEAD: usize = 256;
/// Pages smaller than this are not worth compressing.
const MIN_COMPRESSED: usize = 256;
/// Largest page of a public list.
pub const MAX_PAGE_SIZE: i64 = 100;
/// Deepest numbered page of a widget list (bounds the work of one uncached request).
pub const MAX_PAGE: i64 = 50;
/// Occurrences shown for one recurring meeting.
const MAX_OCCURRENCES: i64 = 50;

/// Who looks at a stored meeting: visitors never see hidden ones, the owner does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    ByVisitors,
    ByOwner,
}

/// What a page builder hands the cache: the body and, for HTML, the page's own
/// Content-Security-Policy (it names the hashes of the page's inline script and style).
#[derive(Debug, Default)]
pub struct PageBody {
    pub bytes: Vec<u8>,
    pub policy: Option<String>,
    /// The body has per-response slots (a form's idempotency key): it is filled per response,
    /// so it is never sent as it is, compressed or answered with 304.
    pub has_slots: bool,
}

impl From<Vec<u8>> for PageBody {
    fn from(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            policy: None,
            has_slots: false,
        }
    }
}

/// A content coding a client may accept for a cached page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    Brotli,
}

/// A rendered response body with its entity tag, as cached per tenant and content version:
/// constant bytes, served as they are (a clone of `Bytes`), never rewritten per response.
#[derive(Debug)]
pub struct CachedPage {
    pub body: Bytes,
    /// Strong entity tag (quoted), derived from the body.
    pub etag: String,
    /// The page's own Content-Security-Policy, when it is HTML.
    pub policy: Option<String>,
    /// See [`PageBody::has_slots`].
    pub has_slots: bool,
    /// The content version of the site the page was built from.
    version: i64,
    built: Instant,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl CachedPage {
    pub fn new(body: impl Into<PageBody>) -> Self {
        Self::of_version(body.into(), 0)
    }

    fn of_version(body: PageBody, version: i64) -> Self {
        let bytes = Bytes::from(body.bytes);
        use sha2::Digest;
        let digest = hex::encode(&sha2::Sha256::digest(&bytes)[..16]);
        Self {
            etag: format!("\"{digest}\""),
            body: bytes,
            policy: body.policy,
            has_slots: body.has_slots,
            version,
            built: Instant::now(),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The body in `coding`, compressed on first demand and kept with the page; `None` when
    /// the page is too small to gain from it.
    pub fn encoded(&self, coding: Coding) -> Option<&Bytes> {
        if self.body.len() < MIN_COMPRESSED || self.has_slots {
            return None;
        }
        let (slot, compress): (_, Compressor) = match coding {
            Coding::Gzip => (&self.gzip, gzip),
            Coding::Brotli => (&self.brotli, brotli),
        };
        slot.get_or_init(|| compress(&self.body).map(Bytes::from))
            .as_ref()
    }

    /// Bytes held, for the cache's budget: the body and room for its two compressed variants
    /// (made later, so estimated: text pages shrink to well under a third each).
    fn weight(&self) -> usize {
        self.body.len() + self.body.len() / 2 + self.policy.as_ref().map_or(0, String::len)
    }
}

/// Compresses a page body (`None` if the encoder fails).
type Compressor = fn(&[u8]) -> Option<Vec<u8>>;

fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 3),
        flate2::Compression::default(),
    );
    out.write_all(body).ok()?;
    out.finish().ok()
}

fn brotli(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 9,
        lgwin: 20,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &body[..], &mut out, &params).ok()?;
    Some(out)
}

/// One cached site: immutable but for who is refreshing it.
struct SiteEntry {
    site: Arc<PublicSite>,
    checked: Instant,
    /// The value of [`PublicCache::epoch`] when read: older entries are stale.
    epoch: u64,
    /// A request is re-reading this site; others serve this entry meanwhile.
    refreshing: AtomicBool,
}

impl SiteEntry {
    fn weight(&self) -> usize {
        let t = &self.site.tenant;
        let origins = t.origins.len() + self.site.settings.allowed_origins.len();
        std::mem::size_of::<PublicSite>()
            + t.slug.as_str().len() * 2
            + t.display_name.len()
            + t.id.as_str().len()
            + origins * 64
    }
}

/// The per-instance caches of the public face (see the module docs). Cheap to clone.
#[derive(Clone)]
pub struct PublicCache {
    sites: Cache<String, Arc<SiteEntry>>,
    pages: Cache<(TenantId, String), Arc<CachedPage>>,
    /// Bumped by [`PublicCache::forget_all_sites`]: every site entry read before is stale.
    epoch: Arc<AtomicU64>,
    /// Question fetches running in the background, so a burst of visitors starts one.
    fetching: Arc<Mutex<HashSet<(TenantId, i64)>>>,
}

impl Default for PublicCache {
    fn default() -> Self {
        Self::with_budget(SITE_CACHE_BYTES, PAGE_CACHE_BYTES)
    }
}

/// An entry's weight for moka (which counts in `u32`).
fn weight(bytes: usize) -> u32 {
    u32::try_from(bytes + ENTRY_OVERHEAD).unwrap_or(u32::MAX)
}

impl PublicCache {
    /// Caches bounded to `site_bytes` and `page_bytes` of memory.
    pub fn with_budget(site_bytes: u64, page_bytes: u64) -> Self {
        Self {
            sites: Cache::builder()
                .max_capacity(site_bytes)
                .weigher(|slug: &String, e: &Arc<SiteEntry>| weight(slug.len() + e.weight()))
                .build(),
            pages: Cache::builder()
                .max_capacity(page_bytes)
                .weigher(|(_, key): &(TenantId, String), p: &Arc<CachedPage>| {
                    weight(key.len() + p.weight())
                })
                .build(),
            epoch: Arc::new(AtomicU64::new(0)),
            fetching: Arc::default(),
        }
    }

    /// The cached site, and whether this caller should re-read it: it is stale and no other
    /// request is re-reading it already. `None` when not cached.
    fn site(&self, slug: &str) -> Option<(Arc<PublicSite>, bool)> {
        let entry = self.sites.get(slug)?;
        let fresh =
            entry.epoch == self.epoch.load(Ordering::Acquire) && entry.checked.elapsed() < SITE_TTL;
        let refresh = !fresh && !entry.refreshing.swap(true, Ordering::AcqRel);
        Some((entry.site.clone(), refresh))
    }

    fn put_site(&self, site: Arc<PublicSite>, epoch: u64) {
        let entry = SiteEntry {
            site,
            checked: Instant::now(),
            epoch,
            refreshing: AtomicBool::new(false),
        };
        self.sites
            .insert(entry.site.tenant.slug.to_string(), Arc::new(entry));
    }

    /// Marks this instance's copies of every site stale, so their content versions are read
    /// again (at most one indexed read per site, on its next visit; the same happens every
    /// `SITE_TTL` anyway). Called when visible data changed through this instance (sync,
    /// webhook, disconnect): its pages show the change at once; other instances notice within
    /// `SITE_TTL`.
    pub fn forget_all_sites(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// Drops this instance's copy of a site, after this instance changed it.
    pub fn forget_site(&self, slug: &str) {
        self.sites.invalidate(slug);
    }

    /// The cached page `key` of the site, if built from the site's current content version.
    fn page(
        &self,
        site: &PublicSite,
        key: String,
    ) -> (Option<Arc<CachedPage>>, (TenantId, String)) {
        let key = (site.tenant.id.clone(), key);
        let page = self
            .pages
            .get(&key)
            .filter(|p| p.version == site.content_version && p.built.elapsed() < PAGE_TTL);
        (page, key)
    }

    fn start_fetch(&self, tenant_id: &TenantId, meeting_id: i64) -> bool {
        let mut fetching = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
        fetching.insert((tenant_id.clone(), meeting_id))
    }

    fn end_fetch(&self, tenant_id: &TenantId, meeting_id: i64) {
        let mut fetching = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
        fetching.remove(&(tenant_id.clone(), meeting_id));
    }
}

/// Filters of a public meetings list (and the widgets' page).
#[derive(Clone, Debug, Default)]
pub struct MeetingFilter {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub host_id: Option<String>,
    /// 1-based.
    pub page: i64,
    pub page_size: i64,
}

/// Which recordings a widget's page shows.
#[derive(Clone, Debug, Default)]
pub struct RecordingFilter {
    /// Only this host's (Zoom user id).
    pub host_id: Option<String>,
    /// Only those that started at or after this.
    pub since: Option<NaiveDateTime>,
    /// 1-based.
    pub page: i64,
    pub page_size: i64,
}

/// One entry of a widget's list: a meeting, or a recurring series at its next occurrence with
/// the few after it.
pub struct SeriesEntry {
    pub listed: ListedMeeting,
    /// The series' next occurrences from the listed one on (empty for a single meeting).
    pub upcoming: Vec<Occurrence>,
}

/// One numbered page of a list and whether more follow (the widgets' paging; the API pages
/// by cursor, see `service/paging.rs`).
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub page_size: i64,
    pub has_more: bool,
}

fn clamp_page(page: i64, page_size: i64) -> (i64, i64) {
    (page.clamp(1, MAX_PAGE), page_size.clamp(1, MAX_PAGE_SIZE))
}

/// The store's query of a visitor list of meetings (or webinars), one item per occurrence.
fn list_query(
    feature: Feature,
    filter: &MeetingFilter,
    after: Option<(Option<NaiveDateTime>, i64)>,
    offset: i64,
    limit: i64,
) -> ListQuery {
    ListQuery {
        kind: if feature == Feature::Webinars {
            MeetingKind::Webinar
        } else {
            MeetingKind::Meeting
        },
        now: store::now(),
        from: filter.from,
        to: filter.to,
        host_id: filter.host_id.clone(),
        after,
        offset,
        limit,
        one_per_series: false,
    }
}

/// Visitors can register, and the form's questions are not stored yet.
fn needs_questions(detail: &MeetingDetail) -> bool {
    detail.registration_open && detail.questions.is_none() && !detail.has_ended(store::now())
}

/// What visitors see of a site, through this instance's caches.
#[derive(Clone, Copy)]
pub struct Public<'a> {
    store: &'a Store,
    cache: &'a PublicCache,
    /// Fetches registration questions a visitor is waiting for, without making them wait.
    background: Background<'a>,
}

impl Services {
    /// What visitors see (`service/public.rs`).
    pub fn public(&self) -> Public<'_> {
        Public {
            store: &self.store,
            cache: &self.public,
            background: self.background(),
        }
    }
}

impl Public<'_> {
    /// The site behind a slug, with its settings and content version (cached, see module docs).
    /// Unknown sites are `NotFound`.
    pub async fn site(&self, slug: &str) -> Result<Arc<PublicSite>, ServiceError> {
        let cached = self.cache.site(slug);
        crate::telemetry::metrics::cache("public_sites", cached.as_ref().is_some_and(|c| !c.1));
        match cached {
            Some((site, false)) => Ok(site),
            Some((site, true)) => match self.read_site(slug).await {
                Ok(fresh) => Ok(fresh),
                // The site is gone now; a failed read serves what we have (within a second's
                // staleness) and lets the next request try again.
                Err(ServiceError::NotFound(what)) => {
                    self.cache.forget_site(slug);
                    Err(ServiceError::NotFound(what))
                }
                Err(e) => {
                    self.cache.forget_site(slug);
                    tracing::warn!(error = %e, "site re-read failed; served the cached copy");
                    Ok(site)
                }
            },
            None => self.read_site(slug).await,
        }
    }

    /// Reads the site from the store and caches it.
    async fn read_site(&self, slug: &str) -> Result<Arc<PublicSite>, ServiceError> {
        // Read before the query: a forget during it leaves this entry stale.
        let epoch = self.cache.epoch.load(Ordering::Acquire);
        let lookup = slug.to_owned();
        let site = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::settings::public_site(&mut db, &lookup).await })
            })
            .await?
            .ok_or(ServiceError::NotFound("site"))?;
        let site = Arc::new(site);
        self.cache.put_site(site.clone(), epoch);
        Ok(site)
    }

    /// The site, if `feature` is public there; otherwise the same `NotFound` as an unknown site.
    pub async fn site_with(
        &self,
        slug: &str,
        feature: Feature,
    ) -> Result<Arc<PublicSite>, ServiceError> {
        let site = self.site(slug).await?;
        if !feature.is_public(&site.settings) {
            return Err(ServiceError::NotFound("site"));
        }
        Ok(site)
    }

    /// The rendered page `key` of the site (a JSON body or a widget's HTML), as cached for the
    /// site's current content version; on a miss `build` renders it and it is cached. Every
    /// visitor read is served through here.
    pub async fn cached_page<F, Fut, B, E>(
        &self,
        site: &PublicSite,
        key: String,
        build: F,
    ) -> Result<Arc<CachedPage>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<B, E>>,
        B: Into<PageBody>,
    {
        let (cached, key) = self.cache.page(site, key);
        crate::telemetry::metrics::cache("public_pages", cached.is_some());
        if let Some(page) = cached {
            return Ok(page);
        }
        let page = Arc::new(CachedPage::of_version(
            build().await?.into(),
            site.content_version,
        ));
        self.cache.pages.insert(key, page.clone());
        Ok(page)
    }

    /// Upcoming visible meetings (or webinars) with recurring meetings expanded, soonest first:
    /// at most `limit` after the cursor `after` (see `service/paging.rs`).
    pub async fn meetings_after(
        &self,
        site: &PublicSite,
        feature: Feature,
        filter: &MeetingFilter,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CursorPage<ListedMeeting>, ServiceError> {
        let after = paging::parse_numeric_after(after)?;
        let limit = paging::clamp_limit(limit);
        let (items, more) = self
            .read_meetings(site, feature, filter, after, 0, limit)
            .await?;
        Ok(paging::page_of(items, more, |m| {
            ListKey::new(m.start_time(), m.meeting.zoom_meeting_id.to_string())
        }))
    }

    /// The widgets' numbered pages of [`Public::meetings_after`] (`filter.page`, `page_size`),
    /// with a recurring series as one entry (at its next occurrence, with up to `dates`
    /// upcoming ones).
    pub async fn series(
        &self,
        site: &PublicSite,
        feature: Feature,
        filter: &MeetingFilter,
        dates: i64,
    ) -> Result<Page<SeriesEntry>, ServiceError> {
        let (page, page_size) = clamp_page(filter.page, filter.page_size);
        let query = ListQuery {
            one_per_series: true,
            ..list_query(feature, filter, None, (page - 1) * page_size, page_size)
        };
        let id = site.tenant.id.clone();
        let (items, has_more) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let (listed, more) = store::public::list_meetings(&mut db, &id, &query).await?;
                    let mut entries = Vec::with_capacity(listed.len());
                    for listed in listed {
                        let upcoming = match &listed.occurrence {
                            Some(_) => {
                                let mid = listed.meeting.zoom_meeting_id;
                                store::public::upcoming_occurrences(
                                    &mut db, &id, mid, query.now, dates,
                                )
                                .await?
                            }
                            None => Vec::new(),
                        };
                        entries.push(SeriesEntry { listed, upcoming });
                    }
                    Ok((entries, more))
                })
            })
            .await?;
        Ok(Page {
            items,
            page,
            page_size,
            has_more,
        })
    }

    async fn read_meetings(
        &self,
        site: &PublicSite,
        feature: Feature,
        filter: &MeetingFilter,
        after: Option<(Option<NaiveDateTime>, i64)>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<ListedMeeting>, bool), ServiceError> {
        let query = list_query(feature, filter, after, offset, limit);
        let id = site.tenant.id.clone();
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::public::list_meetings(&mut db, &id, &query).await })
            })
            .await?)
    }

    /// One visible meeting with its upcoming occurrences and, when visitors can register, its
    /// registration questions. Hidden, unknown, and meetings of a non-public feature are the
    /// same `NotFound`. Questions not stored yet are fetched in the background (the visitor
    /// does not wait; the page shows them once they arrive).
    pub async fn meeting(
        &self,
        site: &PublicSite,
        zoom_meeting_id: i64,
    ) -> Result<MeetingDetail, ServiceError> {
        let detail = self.visitor_meeting(site, zoom_meeting_id).await?;
        if needs_questions(&detail) {
            self.fetch_questions_in_background(&site.tenant.id, detail.kind(), zoom_meeting_id);
        }
        Ok(detail)
    }

    /// [`Public::meeting`] for a page that shows the registration form: questions not stored
    /// yet are asked of Zoom before answering (once: they are stored), so the form never lacks
    /// them. Zoom unreachable is the classified `ZoomUnavailable`, not a form without questions.
    pub async fn meeting_with_questions(
        &self,
        site: &PublicSite,
        zoom_meeting_id: i64,
    ) -> Result<MeetingDetail, ServiceError> {
        let mut detail = self.visitor_meeting(site, zoom_meeting_id).await?;
        if needs_questions(&detail) {
            let questions = self
                .background
                .services()
                .registrations()
                .refresh_questions(&site.tenant.id, detail.kind(), zoom_meeting_id)
                .await?;
            detail.questions = Some(questions);
        }
        Ok(detail)
    }

    /// The meeting as a visitor sees it, from the store only.
    pub(crate) async fn visitor_meeting(
        &self,
        site: &PublicSite,
        zoom_meeting_id: i64,
    ) -> Result<MeetingDetail, ServiceError> {
        let detail = self
            .stored_meeting(&site.tenant.id, zoom_meeting_id, Seen::ByVisitors)
            .await?;
        let feature = if detail.webinar {
            Feature::Webinars
        } else {
            Feature::Meetings
        };
        if !feature.is_public(&site.settings) {
            return Err(ServiceError::NotFound("meeting"));
        }
        Ok(MeetingDetail {
            registration_open: site.registration_open() && detail.registration_open,
            ..detail
        })
    }

    /// A meeting (or webinar) with its upcoming occurrences and stored questions, hidden ones
    /// only for [`Seen::ByOwner`]. `registration_open` is Zoom's switch alone:
    /// the owner's public switch is the visitor face's to add.
    pub(crate) async fn stored_meeting(
        &self,
        tenant_id: &TenantId,
        zoom_meeting_id: i64,
        seen: Seen,
    ) -> Result<MeetingDetail, ServiceError> {
        let id = tenant_id.clone();
        let now = store::now();
        let ((meeting, webinar, version), occurrences, questions) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let found = match seen {
                        Seen::ByVisitors => {
                            store::public::find_visible(&mut db, &id, zoom_meeting_id).await?
                        }
                        Seen::ByOwner => store::meeting::find_any(&mut db, &id, zoom_meeting_id)
                            .await?
                            .map(|(m, kind, v)| (m, kind == MeetingKind::Webinar, v)),
                    };
                    let Some(meeting) = found else {
                        return Ok(None);
                    };
                    let occurrences = store::public::upcoming_occurrences(
                        &mut db,
                        &id,
                        zoom_meeting_id,
                        now,
                        MAX_OCCURRENCES,
                    )
                    .await?;
                    let questions = store::public::questions(&mut db, &id, zoom_meeting_id).await?;
                    Ok(Some((meeting, occurrences, questions)))
                })
            })
            .await?
            .ok_or(ServiceError::NotFound("meeting"))?;
        Ok(MeetingDetail {
            registration_open: meeting.registration_open(),
            webinar,
            meeting,
            occurrences,
            questions,
            version,
        })
    }

    fn fetch_questions_in_background(
        &self,
        tenant_id: &TenantId,
        kind: crate::domain::status::MeetingKind,
        meeting_id: i64,
    ) {
        if !self.cache.start_fetch(tenant_id, meeting_id) {
            return;
        }
        let tenant_id = tenant_id.clone();
        self.background.spawn(move |services| async move {
            if let Err(e) = services
                .registrations()
                .refresh_questions(&tenant_id, kind, meeting_id)
                .await
            {
                tracing::info!(tenant.id = %tenant_id, zoom.meeting_id = meeting_id, error = %e, "registration questions not fetched");
            }
            services.public.end_fetch(&tenant_id, meeting_id);
        });
    }

    /// Visible recordings, newest first: at most `limit` after the cursor `after`.
    pub async fn recordings_after(
        &self,
        site: &PublicSite,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CursorPage<Recording>, ServiceError> {
        let after = paging::parse_timed_after(after)?;
        let limit = paging::clamp_limit(limit);
        let (items, more) = self
            .read_recordings(site, &RecordingScope::default(), after, 0, limit)
            .await?;
        Ok(paging::page_of(items, more, |r| {
            ListKey::new(Some(r.start_time), r.zoom_meeting_uuid.clone())
        }))
    }

    /// The Zoom user id a widget's host e-mail address names: the site's connected Zoom user
    /// when the address is theirs (Marquee stores no other host's address). Any other address
    /// is returned as it is: Zoom user ids never contain `@`, so it matches no item and the
    /// list is empty, as for a host without meetings.
    pub async fn host_by_email(
        &self,
        site: &PublicSite,
        email: &str,
    ) -> Result<String, ServiceError> {
        let id = site.tenant.id.clone();
        let grant = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::grant::find_for_tenant(&mut db, &id).await })
            })
            .await?;
        Ok(grant
            .filter(|g| g.zoom_email.eq_ignore_ascii_case(email))
            .map_or_else(|| email.to_owned(), |g| g.zoom_user_id))
    }

    /// The widgets' numbered pages of [`Public::recordings_after`], of one host and from a
    /// time on when `filter` says.
    pub async fn recordings(
        &self,
        site: &PublicSite,
        filter: &RecordingFilter,
    ) -> Result<Page<Recording>, ServiceError> {
        let (page, page_size) = clamp_page(filter.page, filter.page_size);
        let offset = (page - 1) * page_size;
        let scope = RecordingScope {
            host_id: filter.host_id.clone(),
            since: filter.since,
            ..Default::default()
        };
        let (items, has_more) = self
            .read_recordings(site, &scope, None, offset, page_size)
            .await?;
        Ok(Page {
            items,
            page,
            page_size,
            has_more,
        })
    }

    async fn read_recordings(
        &self,
        site: &PublicSite,
        scope: &RecordingScope,
        after: Option<(NaiveDateTime, String)>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Recording>, bool), ServiceError> {
        let id = site.tenant.id.clone();
        let scope = scope.clone();
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::public::list_recordings(&mut db, &id, &scope, after, offset, limit).await
                })
            })
            .await?)
    }
}
