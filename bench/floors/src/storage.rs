//! The storage floor: rows shaped like carpass's readings, written straight into its `readings`
//! table through `carpass::db::connect`, so the file, the pragmas (WAL, synchronous=FULL) and
//! the migrations are exactly the server's. Nothing else happens per row: no parsing, no rules,
//! no history, no other table. Batches of 1 (one commit per reading), 64 (what group commit can
//! reach with 64 clients) and 1000 (one bulk request), each for a fixed time.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::{Connection, QueryResult, RunQueryDsl};

use carpass::db::readings::ReadingRow;
use carpass::db::schema::readings;
use carpass::db::{self, accounts, DatabaseUrl, DbConnection};
use carpass::service::auth::Role;
use carpass::staff::{self, companies::CompanyKind};

use crate::Error;

pub fn run(url: &str, seconds: f64, vehicles: u64) -> Result<(), Error> {
    let pool = db::connect(&DatabaseUrl::parse(url)?, 1)?;
    let mut conn = pool.get()?;
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, None)?;
    let now = Utc::now();
    // The rows' foreign keys need a company and an account.
    staff::companies::add(
        &mut conn, &actor,
        "0403.170.701",
        "Vloer BV",
        "45201",
        CompanyKind::Garage,
        now,
    )?;
    staff::accounts::add(
        &mut conn, &actor,
        "0403.170.701",
        "floor",
        Role::Submitter,
        Some("floor password".into()),
        now,
    )?;
    let owner = accounts::find_by_username(&mut conn, "floor")?.ok_or("no floor account")?;
    let mut serial = 0u64;
    for batch in [1usize, 64, 1000] {
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let start = Instant::now();
        let mut rows_written = 0usize;
        while Instant::now() < deadline {
            let rows: Vec<ReadingRow> = (0..batch)
                .map(|_| {
                    serial += 1;
                    row(owner.id, owner.company_id, serial, vehicles)
                })
                .collect();
            rows_written += insert(&mut conn, &rows)?;
        }
        let rate = rows_written as f64 / start.elapsed().as_secs_f64();
        println!("STORAGE batch={batch} rows={rows_written} rows_per_s={rate:.0}");
    }
    Ok(())
}

/// One transaction, one multi-row INSERT (diesel's batch insert), one durable commit.
fn insert(conn: &mut DbConnection, rows: &[ReadingRow]) -> QueryResult<usize> {
    match conn {
        DbConnection::Sqlite(c) => {
            c.transaction(|c| diesel::insert_into(readings::table).values(rows).execute(c))
        }
        DbConnection::Postgres(c) => {
            c.transaction(|c| diesel::insert_into(readings::table).values(rows).execute(c))
        }
    }
}

fn row(account_id: i64, company_id: i64, serial: u64, vehicles: u64) -> ReadingRow {
    let now = Utc::now().naive_utc();
    let odometer = 70_000 + (serial % 100_000) as i64;
    ReadingRow {
        id: carpass::db::readings::new_id(),
        account_id,
        company_id,
        client_reference: format!("floor-{serial}"),
        vin: format!("WDB2030461B{:06}", serial % vehicles),
        work_date: now.date(),
        odometer,
        odometer_unit: "km".into(),
        odometer_km: odometer,
        odometer_replaced: None,
        subcontracted: false,
        customer_type: "Business".into(),
        invoice_total_cents: 24_050,
        license_plate: Some("1-ABC-123".into()),
        language: "en".into(),
        software_builder: Some("Garagesoft NV".into()),
        software_name: Some("WerkplaatsPro".into()),
        software_version: Some("7.2.1".into()),
        status: "Accepted".into(),
        receipt_status: "Accepted".into(),
        received_at: now,
        updated_at: now,
        source: "garage".to_owned(),
    }
}
