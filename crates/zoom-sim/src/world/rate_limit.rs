//! Zoom's rate limits (docs/zoom.md §5): per-account token buckets by category and plan (§5.1), the
//! per-host 100 create/update per UTC day (§5.2), the per-registrant adds per day (§5.2), and the
//! 429 bodies and `X-RateLimit-*` / `Retry-After` headers (§5.3).

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::accounts::Plan;

/// Zoom's rate-limit label of an endpoint (docs/zoom.md §5.1 "Labels of the calls we use").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Category {
    Light,
    Medium,
    /// Zoom's third label; no simulated endpoint is Heavy, but plans configure it.
    #[allow(dead_code)]
    Heavy,
}

impl Category {
    /// The label in `X-RateLimit-Category`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Category::Light => "Light",
            Category::Medium => "Medium",
            Category::Heavy => "Heavy",
        }
    }
}

/// Per-second rates (and optional daily caps) of one plan, by category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRates {
    pub light: u32,
    pub medium: u32,
    pub heavy: u32,
    #[serde(default)]
    pub light_daily: Option<u32>,
    #[serde(default)]
    pub medium_daily: Option<u32>,
    #[serde(default)]
    pub heavy_daily: Option<u32>,
}

impl PlanRates {
    fn per_second(&self, c: Category) -> u32 {
        match c {
            Category::Light => self.light,
            Category::Medium => self.medium,
            Category::Heavy => self.heavy,
        }
    }

    fn daily(&self, c: Category) -> Option<u32> {
        match c {
            Category::Light => self.light_daily,
            Category::Medium => self.medium_daily,
            Category::Heavy => self.heavy_daily,
        }
    }

    /// The same per-second rates for every category of this plan, no daily caps.
    pub fn uniform(light: u32, medium: u32, heavy: u32) -> Self {
        Self {
            light,
            medium,
            heavy,
            light_daily: None,
            medium_daily: None,
            heavy_daily: None,
        }
    }
}

/// Rate-limit configuration. `Default` is Zoom's table (docs/zoom.md §5.1, §5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimits {
    /// false = never answer 429 (QPS, daily, per-host and per-registrant limits all off).
    pub enabled: bool,
    pub free: PlanRates,
    pub pro: PlanRates,
    pub business: PlanRates,
    /// Meeting create + update requests per host per UTC day (Zoom: 100).
    pub meeting_writes_per_host_per_day: u32,
    /// Add-registrant requests per e-mail per meeting per UTC day (Zoom: 3, docs/zoom.md §5.2).
    pub registrant_adds_per_day: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            enabled: true,
            // docs/zoom.md §5.1: Free 4/2/1 per second and 6,000/2,000/1,000 per day
            free: PlanRates {
                light_daily: Some(6_000),
                medium_daily: Some(2_000),
                heavy_daily: Some(1_000),
                ..PlanRates::uniform(4, 2, 1)
            },
            // Pro 30/20/10; Heavy shares a 30,000/day quota
            pro: PlanRates {
                heavy_daily: Some(30_000),
                ..PlanRates::uniform(30, 20, 10)
            },
            // Business+ 80/60/40; Heavy 60,000/day
            business: PlanRates {
                heavy_daily: Some(60_000),
                ..PlanRates::uniform(80, 60, 40)
            },
            meeting_writes_per_host_per_day: 100,
            registrant_adds_per_day: 3,
        }
    }
}

impl RateLimits {
    /// No limits at all.
    pub fn off() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// The same per-second rates for every plan (no daily caps); handy for 429 tests.
    pub fn uniform(light: u32, medium: u32, heavy: u32) -> Self {
        let rates = PlanRates::uniform(light, medium, heavy);
        Self {
            free: rates.clone(),
            pro: rates.clone(),
            business: rates,
            ..Self::default()
        }
    }

    fn plan(&self, plan: Plan) -> &PlanRates {
        match plan {
            Plan::Free => &self.free,
            Plan::Pro => &self.pro,
            Plan::Business => &self.business,
        }
    }
}

/// What to tell the caller about its budget: headers on every API response, and a 429 if
/// `limited`.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub category: Category,
    pub kind: &'static str,
    pub limit: u32,
    pub remaining: u32,
    pub limited: bool,
    /// `Retry-After`: seconds for QPS, an ISO-8601 instant for daily limits (docs/zoom.md §5.3).
    pub retry_after: Option<String>,
}

impl Verdict {
    /// The `X-RateLimit-*` (and `Retry-After`) headers of the answer.
    pub(crate) fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![
            ("X-RateLimit-Category", self.category.label().to_string()),
            ("X-RateLimit-Type", self.kind.to_string()),
            ("X-RateLimit-Limit", self.limit.to_string()),
            ("X-RateLimit-Remaining", self.remaining.to_string()),
        ];
        if let Some(r) = &self.retry_after {
            h.push(("Retry-After", r.clone()));
        }
        h
    }

    /// The message of the 429 body.
    pub(crate) fn message(&self) -> &'static str {
        if self.kind == "QPS" {
            "You have reached the maximum per-second rate limit for this API. Try again later."
        } else {
            "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request."
        }
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Counters of every limit. Lives inside the world (one mutex).
#[derive(Default)]
pub(crate) struct Limiter {
    buckets: HashMap<(String, Category), Bucket>,
    daily: HashMap<(String, Category), (NaiveDate, u32)>,
    meeting_writes: HashMap<String, (NaiveDate, u32)>,
    registrant_adds: HashMap<(i64, String), (NaiveDate, u32)>,
}

/// Next 00:00 UTC, when daily limits reset (docs/zoom.md §5.2).
pub(crate) fn next_utc_midnight(now: DateTime<Utc>) -> String {
    let tomorrow = now.date_naive() + Days::new(1);
    format!("{}T00:00:00Z", tomorrow.format("%Y-%m-%d"))
}

/// Increments a per-day counter and says whether it is still within `max`.
fn bump_daily(slot: &mut (NaiveDate, u32), today: NaiveDate, max: u32) -> bool {
    if slot.0 != today {
        *slot = (today, 0);
    }
    if slot.1 >= max {
        return false;
    }
    slot.1 += 1;
    true
}

impl Limiter {
    /// One API call against the account's bucket for `category` (docs/zoom.md §5.1, §5.3).
    pub(crate) fn check(
        &mut self,
        cfg: &RateLimits,
        account_id: &str,
        plan: Plan,
        category: Category,
        now: DateTime<Utc>,
    ) -> Verdict {
        let rates = cfg.plan(plan);
        let per_sec = rates.per_second(category).max(1);
        let key = (account_id.to_string(), category);
        let bucket = self.buckets.entry(key.clone()).or_insert(Bucket {
            tokens: per_sec as f64,
            last: Instant::now(),
        });
        let elapsed = bucket.last.elapsed().as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_sec as f64).min(per_sec as f64);
        bucket.last = Instant::now();
        let mut verdict = Verdict {
            category,
            kind: "QPS",
            limit: per_sec,
            remaining: 0,
            limited: false,
            retry_after: None,
        };
        if !cfg.enabled {
            verdict.remaining = per_sec;
            return verdict;
        }
        if bucket.tokens < 1.0 {
            verdict.limited = true;
            verdict.retry_after = Some("1".into());
            return verdict;
        }
        if let Some(max) = rates.daily(category) {
            let slot = self.daily.entry(key).or_insert((now.date_naive(), 0));
            verdict.kind = "Daily-limit";
            verdict.limit = max;
            if !bump_daily(slot, now.date_naive(), max) {
                verdict.limited = true;
                verdict.retry_after = Some(next_utc_midnight(now));
                return verdict;
            }
            verdict.remaining = max - slot.1;
        }
        bucket.tokens -= 1.0;
        if verdict.kind == "QPS" {
            verdict.remaining = bucket.tokens.floor() as u32;
        }
        verdict
    }

    /// Counts a meeting create/update for `host_id`; false once today's quota is used up.
    pub(crate) fn meeting_write(
        &mut self,
        cfg: &RateLimits,
        host_id: &str,
        now: DateTime<Utc>,
    ) -> bool {
        if !cfg.enabled {
            return true;
        }
        let slot = self
            .meeting_writes
            .entry(host_id.to_string())
            .or_insert((now.date_naive(), 0));
        bump_daily(slot, now.date_naive(), cfg.meeting_writes_per_host_per_day)
    }

    /// Counts an add-registrant call for (meeting, e-mail); false once today's quota is used up.
    pub(crate) fn registrant_add(
        &mut self,
        cfg: &RateLimits,
        meeting_id: i64,
        email: &str,
        now: DateTime<Utc>,
    ) -> bool {
        if !cfg.enabled {
            return true;
        }
        let slot = self
            .registrant_adds
            .entry((meeting_id, email.to_lowercase()))
            .or_insert((now.date_naive(), 0));
        bump_daily(slot, now.date_naive(), cfg.registrant_adds_per_day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_the_rate_then_limits() {
        let cfg = RateLimits::uniform(2, 2, 2);
        let mut l = Limiter::default();
        let now = Utc::now();
        assert!(!l.check(&cfg, "a", Plan::Pro, Category::Light, now).limited);
        assert!(!l.check(&cfg, "a", Plan::Pro, Category::Light, now).limited);
        let v = l.check(&cfg, "a", Plan::Pro, Category::Light, now);
        assert!(v.limited);
        assert_eq!(v.retry_after.as_deref(), Some("1"));
        // other accounts and categories have their own buckets
        assert!(!l.check(&cfg, "b", Plan::Pro, Category::Light, now).limited);
        assert!(!l.check(&cfg, "a", Plan::Pro, Category::Medium, now).limited);
    }

    #[test]
    fn daily_counters_reset_at_utc_midnight() {
        let cfg = RateLimits {
            meeting_writes_per_host_per_day: 2,
            ..RateLimits::default()
        };
        let mut l = Limiter::default();
        let day1: DateTime<Utc> = "2024-05-30T23:59:00Z".parse().unwrap();
        assert!(l.meeting_write(&cfg, "h", day1));
        assert!(l.meeting_write(&cfg, "h", day1));
        assert!(!l.meeting_write(&cfg, "h", day1));
        assert_eq!(next_utc_midnight(day1), "2024-05-31T00:00:00Z");
        let day2: DateTime<Utc> = "2024-05-31T00:00:01Z".parse().unwrap();
        assert!(l.meeting_write(&cfg, "h", day2));
    }
}
