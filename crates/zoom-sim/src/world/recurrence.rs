//! Occurrences of recurring meetings with a fixed time (type 8, docs/zoom.md §4.3): daily, weekly
//! (`weekly_days` "1".."7", 1 = Sunday, comma lists accepted) and monthly (`monthly_day` or
//! `monthly_week` + `monthly_week_day`), ending after `end_times` (≤ 60) or at `end_date_time`.
//! Each occurrence keeps the local wall-clock time in the meeting's time zone across DST.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::Value;

use super::meetings::Occurrence;

/// Zoom's cap on occurrences (`end_times` ≤ 60; the spec also says 50 — we allow 60).
pub(crate) const MAX_OCCURRENCES: usize = 60;

/// Parses an IANA time zone the way Zoom accepts them; unknown names are an error.
pub(crate) fn parse_tz(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

fn int(rec: &Value, key: &str) -> Option<i64> {
    match rec.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// 1 = Sunday … 7 = Saturday (Zoom's numbering).
fn zoom_weekday(n: i64) -> Option<Weekday> {
    Some(match n {
        1 => Weekday::Sun,
        2 => Weekday::Mon,
        3 => Weekday::Tue,
        4 => Weekday::Wed,
        5 => Weekday::Thu,
        6 => Weekday::Fri,
        7 => Weekday::Sat,
        _ => return None,
    })
}

/// `monthly_week` (-1 = last, 1..4) + weekday → the date in that month.
fn nth_weekday(year: i32, month: u32, week: i64, wd: Weekday) -> Option<NaiveDate> {
    if week == -1 {
        let first_next =
            NaiveDate::from_ymd_opt(year, month, 1)?.checked_add_months(Months::new(1))?;
        let mut d = first_next.pred_opt()?;
        while d.weekday() != wd {
            d = d.pred_opt()?;
        }
        return Some(d);
    }
    NaiveDate::from_weekday_of_month_opt(year, month, wd, u8::try_from(week).ok()?)
}

/// Candidate local dates in order, starting from `first` (bounded by the caller).
fn candidate_dates(rec: &Value, first: NaiveDate) -> Result<Vec<NaiveDate>, String> {
    let kind = int(rec, "type").ok_or("recurrence.type is required")?;
    let interval = int(rec, "repeat_interval").unwrap_or(1).max(1);
    let horizon = 4 * MAX_OCCURRENCES; // enough candidates for any valid rule
    let mut out = Vec::new();
    match kind {
        1 => {
            if interval > 90 {
                return Err("repeat_interval for daily meetings is at most 90".into());
            }
            for k in 0..horizon as u64 {
                out.push(first + Days::new(k * interval as u64));
            }
        }
        2 => {
            if interval > 12 {
                return Err("repeat_interval for weekly meetings is at most 12".into());
            }
            let days: Vec<Weekday> = match rec.get("weekly_days") {
                Some(v) => {
                    let s = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    s.split(',')
                        .map(|d| d.trim().parse().ok().and_then(zoom_weekday))
                        .collect::<Option<Vec<_>>>()
                        .ok_or("weekly_days must be 1..7 (1 = Sunday)")?
                }
                None => vec![first.weekday()],
            };
            let week_start = first - Days::new(first.weekday().num_days_from_sunday() as u64);
            for w in 0..horizon as u64 {
                let start = week_start + Days::new(7 * w * interval as u64);
                let mut week: Vec<NaiveDate> = days
                    .iter()
                    .map(|d| start + Days::new(d.num_days_from_sunday() as u64))
                    .filter(|d| *d >= first)
                    .collect();
                week.sort();
                week.dedup();
                out.extend(week);
            }
        }
        3 => {
            if interval > 3 {
                return Err("repeat_interval for monthly meetings is at most 3".into());
            }
            let month_day = int(rec, "monthly_day");
            let week = int(rec, "monthly_week");
            let week_day = int(rec, "monthly_week_day").and_then(zoom_weekday);
            for m in 0..horizon as u32 {
                let base = NaiveDate::from_ymd_opt(first.year(), first.month(), 1)
                    .and_then(|d| d.checked_add_months(Months::new(m * interval as u32)))
                    .ok_or("date out of range")?;
                let date = match (month_day, week, week_day) {
                    (Some(day), _, _) => {
                        NaiveDate::from_ymd_opt(base.year(), base.month(), day as u32)
                    }
                    (None, Some(w), Some(wd)) => nth_weekday(base.year(), base.month(), w, wd),
                    (None, None, None) => {
                        NaiveDate::from_ymd_opt(base.year(), base.month(), first.day())
                    }
                    _ => return Err("monthly_week needs monthly_week_day".into()),
                };
                if let Some(d) = date.filter(|d| *d >= first) {
                    out.push(d);
                }
            }
        }
        _ => return Err("recurrence.type must be 1, 2 or 3".into()),
    }
    Ok(out)
}

/// The occurrences of a type-8 meeting whose first instance starts at `start`.
pub(crate) fn occurrences(
    rec: &Value,
    start: DateTime<Utc>,
    tz: Tz,
    duration: i64,
) -> Result<Vec<Occurrence>, String> {
    let end_times = int(rec, "end_times");
    let end_date = rec
        .get("end_date_time")
        .and_then(Value::as_str)
        .map(|s| {
            s.parse::<DateTime<Utc>>()
                .map_err(|_| "end_date_time must be UTC yyyy-MM-ddTHH:mm:ssZ")
        })
        .transpose()?;
    let limit = match (end_times, end_date) {
        (Some(n), _) if !(1..=MAX_OCCURRENCES as i64).contains(&n) => {
            return Err(format!("end_times must be 1..{MAX_OCCURRENCES}"));
        }
        (Some(n), _) => n as usize,
        (None, Some(_)) => MAX_OCCURRENCES,
        (None, None) => 1,
    };
    let local = start.with_timezone(&tz);
    let time: NaiveTime = local.time();
    let mut out = Vec::new();
    for date in candidate_dates(rec, local.date_naive())? {
        if out.len() >= limit {
            break;
        }
        // DST gap: take the earliest valid instant, or skip a time that does not exist.
        let Some(at) = tz.from_local_datetime(&date.and_time(time)).earliest() else {
            continue;
        };
        let at = at.with_timezone(&Utc);
        if end_date.is_some_and(|end| at > end) {
            break;
        }
        out.push(Occurrence {
            occurrence_id: at.timestamp_millis().to_string(),
            start_time: at,
            duration,
            deleted: false,
        });
    }
    if out.is_empty() {
        return Err("the recurrence produces no occurrence".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn weekly_on_tuesday_and_thursday_keeps_local_time_across_dst() {
        let tz = parse_tz("America/New_York").unwrap();
        // Tue 2024-03-05 15:00 EST = 20:00Z; DST starts 2024-03-10
        let rec = json!({"type": 2, "repeat_interval": 1, "weekly_days": "3,5", "end_times": 4});
        let occ = occurrences(&rec, at("2024-03-05T20:00:00Z"), tz, 30).unwrap();
        let starts: Vec<String> = occ.iter().map(|o| o.start_time.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2024-03-05T20:00:00+00:00",
                "2024-03-07T20:00:00+00:00",
                "2024-03-12T19:00:00+00:00",
                "2024-03-14T19:00:00+00:00"
            ]
        );
        assert_eq!(occ[0].occurrence_id, "1709668800000");
    }

    #[test]
    fn daily_until_end_date_and_monthly_last_friday() {
        let utc = parse_tz("UTC").unwrap();
        let rec = json!({"type": 1, "repeat_interval": 2, "end_date_time": "2024-01-07T23:59:00Z"});
        let occ = occurrences(&rec, at("2024-01-01T09:00:00Z"), utc, 60).unwrap();
        assert_eq!(occ.len(), 4); // 1st, 3rd, 5th, 7th
        let rec = json!({"type": 3, "monthly_week": -1, "monthly_week_day": 6, "end_times": 2});
        let occ = occurrences(&rec, at("2024-01-01T09:00:00Z"), utc, 60).unwrap();
        assert_eq!(occ[0].start_time, at("2024-01-26T09:00:00Z"));
        assert_eq!(occ[1].start_time, at("2024-02-23T09:00:00Z"));
    }

    #[test]
    fn invalid_rules_are_rejected() {
        let utc = parse_tz("UTC").unwrap();
        let start = at("2024-01-01T09:00:00Z");
        assert!(occurrences(&json!({"type": 1, "end_times": 61}), start, utc, 60).is_err());
        assert!(occurrences(&json!({"type": 2, "weekly_days": "8"}), start, utc, 60).is_err());
        assert!(occurrences(&json!({"type": 9}), start, utc, 60).is_err());
        assert!(occurrences(&json!({"type": 1, "repeat_interval": 91}), start, utc, 60).is_err());
    }
}
