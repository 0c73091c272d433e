//! Queries on `vehicles`, the vehicle register.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::dates::{MaybeDay, Moment};
use super::schema::vehicles;
use super::{DbConnection, ROWS_PER_STATEMENT};
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = vehicles)]
#[diesel(treat_none_as_null = true)]
pub struct VehicleRow {
    pub vin: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub category: Option<String>,
    pub mass_kg: Option<i32>,
    #[diesel(deserialize_as = MaybeDay)]
    pub first_registration: Option<NaiveDate>,
    #[diesel(deserialize_as = MaybeDay)]
    pub first_registration_be: Option<NaiveDate>,
    pub imported_used: Option<bool>,
    pub five_digit_odometer: Option<bool>,
    pub euro_norm: Option<String>,
    pub co2_g_km: Option<i32>,
    pub fuel: Option<String>,
    #[diesel(deserialize_as = Moment)]
    pub imported_at: NaiveDateTime,
}

impl VehicleRow {
    pub fn from_vehicle(v: &Vehicle, imported_at: NaiveDateTime) -> VehicleRow {
        VehicleRow {
            vin: v.vin.as_str().to_owned(),
            make: v.make.clone(),
            model: v.model.clone(),
            category: v.category.clone(),
            mass_kg: v.mass_kg.map(|m| m as i32),
            first_registration: v.first_registration,
            first_registration_be: v.first_registration_be,
            imported_used: v.imported_used,
            five_digit_odometer: v.five_digit_odometer,
            euro_norm: v.euro_norm.clone(),
            co2_g_km: v.co2_g_km.map(|c| c as i32),
            fuel: v.fuel.clone(),
            imported_at,
        }
    }

    /// Rows are written only from parsed vehicles, so a stored VIN parses again.
    pub fn into_vehicle(self) -> Option<Vehicle> {
        Some(Vehicle {
            vin: Vin::parse(&self.vin).ok()?,
            make: self.make,
            model: self.model,
            category: self.category,
            mass_kg: self.mass_kg.map(|m| m.max(0) as u32),
            first_registration: self.first_registration,
            first_registration_be: self.first_registration_be,
            imported_used: self.imported_used,
            five_digit_odometer: self.five_digit_odometer,
            euro_norm: self.euro_norm,
            co2_g_km: self.co2_g_km.map(|c| c.max(0) as u32),
            fuel: self.fuel,
        })
    }
}

pub fn find(conn: &mut DbConnection, vin: &Vin) -> QueryResult<Option<Vehicle>> {
    // Read for every reading received and checked: on the concrete connection (`db::unique`).
    let row = on_backend!(conn, |c| super::unique(
        vehicles::table
            .find(vin.as_str())
            .select(VehicleRow::as_select()),
        c
    ))?;
    Ok(row.and_then(VehicleRow::into_vehicle))
}

/// The registered vehicles among `vins` (a group commit's VINs): on PostgreSQL in one query per
/// thousand (a round trip each), on SQLite with `find`'s cached query per VIN, which costs less
/// than preparing one with a list of VINs for every batch.
pub fn find_many(conn: &mut DbConnection, vins: &[Vin]) -> QueryResult<Vec<Vehicle>> {
    let mut found = Vec::new();
    if let DbConnection::Postgres(c) = conn {
        for chunk in vins.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<VehicleRow> = vehicles::table
                .filter(vehicles::vin.eq_any(chunk.iter().map(Vin::as_str)))
                .select(VehicleRow::as_select())
                .load(c)?;
            found.extend(rows.into_iter().filter_map(VehicleRow::into_vehicle));
        }
        return Ok(found);
    }
    for vin in vins {
        found.extend(find(conn, vin)?);
    }
    Ok(found)
}

/// Inserts the vehicle or replaces what the register knew of it.
pub fn upsert(conn: &mut DbConnection, row: &VehicleRow) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(vehicles::table)
        .values(row)
        .on_conflict(vehicles::vin)
        .do_update()
        .set(row)
        .execute(c))
    .map(|_| ())
}
