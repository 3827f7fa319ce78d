//! Seeds a database for `bench/public.sh`: `tenants` sites named `t00001`… plus one site `bench`
//! with `meetings` upcoming meetings, written through the store as the sync engine would.
//!
//! `cargo run --release --example bench_seed -- sqlite://bench/out/bench.db 10000 50`

use chrono::TimeDelta;
use marquee::config::DatabaseUrl;
use marquee::domain::status::MeetingKind;
use marquee::domain::{Meeting, Slug, Tenant, TenantId};
use marquee::store::{self, Store};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = DatabaseUrl::parse(
        args.get(1)
            .map_or("sqlite://bench/out/bench.db", String::as_str),
    )
    .map_err(anyhow::Error::msg)?;
    let tenants: usize = args.get(2).map_or(Ok(10_000), |n| n.parse())?;
    let meetings: i64 = args.get(3).map_or(Ok(50), |n| n.parse())?;
    let db = Store::connect(&url).await?;
    db.migrate().await?;
    let names: Vec<String> = std::iter::once("bench".to_owned())
        .chain((1..=tenants).map(|i| format!("t{i:05}")))
        .collect();
    for chunk in names.chunks(500) {
        let chunk = chunk.to_vec();
        db.write(move |mut c| {
            Box::pin(async move {
                for slug in &chunk {
                    let tenant = Tenant {
                        id: TenantId::generate(),
                        slug: Slug::parse(slug).map_err(store::StoreError::Corrupt)?,
                        display_name: format!("Site {slug}"),
                        created_at: store::now(),
                        origins: Vec::new(),
                    };
                    store::tenant::insert(&mut c, &tenant).await?;
                    let count = if slug == "bench" { meetings } else { 2 };
                    for m in 0..count {
                        let meeting = Meeting {
                            zoom_meeting_id: 81_000_000_000 + m,
                            zoom_uuid: format!("uuid-{m}"),
                            host_id: "host".into(),
                            topic: format!("Class number {m} — <b>all levels</b>"),
                            agenda: "Breathing, stretching and a short relaxation at the end."
                                .into(),
                            meeting_type: 2,
                            start_time: Some(store::now() + TimeDelta::hours(24 + m)),
                            duration_minutes: 60,
                            timezone: "Europe/Berlin".into(),
                            approval_type: 0,
                            join_url: "https://zoom.example/j/1".into(),
                            hidden: false,
                        };
                        let now = store::now();
                        let version = now.and_utc().timestamp_millis();
                        let kind = MeetingKind::Meeting;
                        store::meeting::upsert_versioned(
                            &mut c, &tenant.id, &meeting, kind, version, now,
                        )
                        .await?;
                    }
                }
                Ok(())
            })
        })
        .await?;
    }
    println!(
        "seeded {} sites ({} meetings for `bench`)",
        names.len(),
        meetings
    );
    Ok(())
}
