//! The Car-Pass floor: how many PDFs of a 20-reading history this machine renders per second
//! with nothing else to do, on as many threads as it has cores. Issuing a Car-Pass over SOAP
//! and fetching its PDF is measured against this rate.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};

use carpass::document::car_pass_pdf;
use carpass::domain::car_pass::{CarPass, HistoryEntry, Mentions};
use carpass::domain::language::Language;
use carpass::domain::odometer::OdometerUnit;
use carpass::domain::source::ReadingSource;
use carpass::domain::vin::Vin;

/// Twenty readings over ten years, as the benchmark's issuing scenario has.
fn twenty() -> CarPass {
    let first = NaiveDate::from_ymd_opt(2016, 9, 1).expect("a date");
    let readings = (0..20u64)
        .map(|i| HistoryEntry {
            date: first + chrono::Duration::days(i as i64 * 180),
            odometer: 9_000 + i * 11_500,
            unit: OdometerUnit::Km,
            source: if i % 4 == 3 {
                ReadingSource::CarPass
            } else {
                ReadingSource::Garage
            },
            country: None,
            registered_by: format!("Garage {i:02} Peeters & Zonen BV"),
            disputed: false,
            accepted_anomaly: false,
            works: Vec::new(),
        })
        .collect();
    CarPass {
        id: "4821-7730-1956-3".into(),
        vin: Vin::parse("WDB2030461A000001").expect("a VIN"),
        make: Some("Mercedes-Benz".into()),
        model: Some("C 220 CDI".into()),
        first_registration: NaiveDate::from_ymd_opt(2016, 3, 14),
        first_registration_be: NaiveDate::from_ymd_opt(2016, 3, 14),
        euro_norm: Some("6b".into()),
        co2_g_km: Some(117),
        fuel: Some("diesel".into()),
        issued_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 41, 0).unwrap(),
        valid_until: NaiveDate::from_ymd_opt(2027, 1, 20).expect("a date"),
        price_cents: 1050,
        readings,
        mentions: Mentions::default(),
    }
}

/// Renders for `seconds` on `threads` threads; prints the rate and one PDF's size.
pub fn run(seconds: f64, threads: usize) {
    let pass = twenty();
    let url = "http://127.0.0.1:8080/verify/4821-7730-1956-3";
    let bytes = car_pass_pdf(&pass, Language::Nl, url).len();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let rendered: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        std::hint::black_box(car_pass_pdf(&pass, Language::Nl, url));
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a worker")).sum()
    });
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "CAR_PASS_PDF per_second={:.1} threads={threads} bytes={bytes}",
        rendered as f64 / elapsed
    );
}
