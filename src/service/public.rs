//! What visitors may see of a site, read only from Marquee's store (a visitor never waits on
//! Zoom), and the in-memory caches in front of it.
//!
//! Caching across instances: every write of visitor-visible data bumps the tenant's
//! `content_version` in the database (sync, webhooks, owner settings). Each instance keeps
//! * the site (tenant, settings, content version) per slug, re-read with one small indexed query
//!   when older than [`SITE_TTL`] — so another instance's change shows within that time, and
//!   this instance's own owner writes show at once ([`PublicCache::forget_site`]);
//! * rendered pages per tenant, valid only for the content version they were built from and
//!   for at most [`PAGE_TTL`] (lists drop meetings that ended even when nothing else changes).
//!
//! Both maps are bounded ([`MAX_SITES`], [`MAX_PAGES`]): when full they are emptied, which costs
//! a few re-reads, never correctness.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::NaiveDateTime;

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
const MAX_SITES: usize = 100_000;
const MAX_PAGES: usize = 50_000;
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

/// A rendered response body with its entity tag, as cached per tenant and content version.
#[derive(Debug)]
pub struct CachedPage {
    pub body: Bytes,
    /// Strong entity tag (quoted), derived from the body.
    pub etag: String,
    built: Instant,
}

impl CachedPage {
    pub fn new(body: impl Into<Bytes>) -> Self {
        let body = body.into();
        use sha2::Digest;
        let digest = hex::encode(&sha2::Sha256::digest(&body)[..16]);
        Self {
            etag: format!("\"{digest}\""),
            body,
            built: Instant::now(),
        }
    }
}

struct SiteEntry {
    site: Arc<PublicSite>,
    checked: Instant,
}

struct TenantPages {
    version: i64,
    pages: HashMap<String, Arc<CachedPage>>,
}

/// The per-instance caches of the public face (see the module docs). Cheap to clone.
#[derive(Clone, Default)]
pub struct PublicCache {
    sites: Arc<RwLock<HashMap<String, SiteEntry>>>,
    pages: Arc<RwLock<HashMap<TenantId, TenantPages>>>,
    page_count: Arc<Mutex<usize>>,
    /// Question fetches running in the background, so a burst of visitors starts one.
    fetching: Arc<Mutex<HashSet<(TenantId, i64)>>>,
}

impl PublicCache {
    fn site(&self, slug: &str) -> Option<Arc<PublicSite>> {
        let sites = self.sites.read().unwrap_or_else(|p| p.into_inner());
        sites
            .get(slug)
            .filter(|e| e.checked.elapsed() < SITE_TTL)
            .map(|e| e.site.clone())
    }

    fn put_site(&self, site: Arc<PublicSite>) {
        let mut sites = self.sites.write().unwrap_or_else(|p| p.into_inner());
        if sites.len() >= MAX_SITES {
            sites.clear();
        }
        sites.insert(
            site.tenant.slug.to_string(),
            SiteEntry {
                site,
                checked: Instant::now(),
            },
        );
    }

    /// Drops this instance's copies of every site, so their content versions are read again
    /// (costs at most one indexed read per site; the same happens every `SITE_TTL` anyway).
    /// Called when visible data changed through this instance (sync, webhook, disconnect): its
    /// pages show the change at once; other instances notice within `SITE_TTL`.
    pub fn forget_all_sites(&self) {
        self.sites
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Drops this instance's copy of a site, after this instance changed it.
    pub fn forget_site(&self, slug: &str) {
        let mut sites = self.sites.write().unwrap_or_else(|p| p.into_inner());
        sites.remove(slug);
    }

    /// The cached page `key` of the site, if built from the site's current content version.
    fn page(&self, site: &PublicSite, key: &str) -> Option<Arc<CachedPage>> {
        let pages = self.pages.read().unwrap_or_else(|p| p.into_inner());
        let tenant = pages.get(&site.tenant.id)?;
        if tenant.version != site.content_version {
            return None;
        }
        tenant
            .pages
            .get(key)
            .filter(|p| p.built.elapsed() < PAGE_TTL)
            .cloned()
    }

    /// Caches a page built from the site's current content version.
    fn put_page(&self, site: &PublicSite, key: String, page: Arc<CachedPage>) {
        let mut count = self.page_count.lock().unwrap_or_else(|p| p.into_inner());
        let mut pages = self.pages.write().unwrap_or_else(|p| p.into_inner());
        if *count >= MAX_PAGES {
            pages.clear();
            *count = 0;
        }
        let tenant = pages
            .entry(site.tenant.id.clone())
            .or_insert_with(|| TenantPages {
                version: site.content_version,
                pages: HashMap::new(),
            });
        if tenant.version < site.content_version {
            *count -= tenant.pages.len();
            tenant.pages.clear();
            tenant.version = site.content_version;
        } else if tenant.version > site.content_version {
            // Built from an older read than what is cached already: do not go back in time.
            return;
        }
        if tenant.pages.insert(key, page).is_none() {
            *count += 1;
        }
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
        crate::telemetry::metrics::cache("public_sites", cached.is_some());
        if let Some(site) = cached {
            return Ok(site);
        }
        let lookup = slug.to_owned();
        let site = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::settings::public_site(&mut db, &lookup).await })
            })
            .await?
            .ok_or(ServiceError::NotFound("site"))?;
        let site = Arc::new(site);
        self.cache.put_site(site.clone());
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
    pub async fn cached_page<F, Fut, E>(
        &self,
        site: &PublicSite,
        key: String,
        build: F,
    ) -> Result<Arc<CachedPage>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<u8>, E>>,
    {
        let cached = self.cache.page(site, &key);
        crate::telemetry::metrics::cache("public_pages", cached.is_some());
        if let Some(page) = cached {
            return Ok(page);
        }
        let page = Arc::new(CachedPage::new(build().await?));
        self.cache.put_page(site, key, page.clone());
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
