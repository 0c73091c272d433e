//! Issuing a Car-Pass (seed 002, SPEC 2.12): from the vehicle's readings as they stand to what
//! the document prints, its validity and its price. Pure: the caller brings the register's
//! vehicle, the readings, the request's own reading and the moment.

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};

use super::calendar::brussels_date;
use super::car_pass::{CarPass, HistoryEntry, Mentions};
use super::car_pass_id::CarPassId;
use super::country::Country;
use super::odometer::OdometerUnit;
use super::rules;
use super::source::ReadingSource;
use super::status::ReadingStatus;
use super::vehicle::Vehicle;

/// Seed 002: "Een Car-Pass kost 10,50 EUR inclusief btw".
pub const PRICE_CENTS: i64 = 1_050;
/// Seed 002: free when it lists fewer than 4 readings.
pub const FREE_BELOW_READINGS: usize = 4;
/// Seed 002: a Car-Pass younger than 2 months need not be requested again.
pub const VALID_MONTHS: u32 = 2;

/// A reading of the vehicle as stored, whatever its status: `issue` decides what is printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReading {
    pub reading_id: String,
    pub date: NaiveDate,
    pub odometer: u64,
    pub unit: OdometerUnit,
    pub odometer_replaced: Option<u64>,
    pub source: ReadingSource,
    /// A foreign reading's country of origin.
    pub country: Option<Country>,
    pub status: ReadingStatus,
    pub received_at: NaiveDateTime,
    /// The company that registered it.
    pub registered_by: String,
    /// The invoice's wording of the works done (from 2024 on).
    pub works: Vec<String>,
}

/// The last day a Car-Pass issued at `issued_at` is valid: two months after the day it was
/// issued in Brussels (31 December gives the end of February).
pub fn valid_until(issued_at: DateTime<Utc>) -> NaiveDate {
    let issued_on = brussels_date(issued_at);
    issued_on
        .checked_add_months(Months::new(VALID_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

/// Seed 002: 10.50 EUR incl. VAT; nothing when it lists fewer than 4 readings.
pub fn price_cents(listed_readings: usize) -> i64 {
    if listed_readings < FREE_BELOW_READINGS {
        0
    } else {
        PRICE_CENTS
    }
}

/// Whether a Car-Pass valid until `valid_until` still is on `today` (Brussels).
pub fn still_valid(valid_until: NaiveDate, today: NaiveDate) -> bool {
    today <= valid_until
}

/// The Car-Pass of `vehicle` as its readings stand at `issued_at`. `readings` are all of the
/// vehicle's, oldest first (work date, then receipt). Printed: the official history (Accepted,
/// AcceptedWithWarnings), and the request's own reading `own` whatever its status, marked
/// disputed when it is not official (it raised an Error). Readings still open
/// (PendingCorrection, Reviewing, WaitingForRegistration) and Rejected ones are left out. A
/// reading of the official history that breaks it (a drop, or more than 2,000 km a day) can
/// only be there because staff accepted it: it is marked, and mentioned.
pub fn issue(
    id: &CarPassId,
    vehicle: &Vehicle,
    readings: &[StoredReading],
    own: &str,
    issued_at: DateTime<Utc>,
) -> CarPass {
    let five_digit = vehicle.has_five_digit_odometer();
    let official: Vec<&StoredReading> = readings
        .iter()
        .filter(|r| r.status.in_official_history())
        .collect();
    let entries: Vec<rules::HistoryEntry> = official
        .iter()
        .map(|r| rules::HistoryEntry {
            work_date: r.date,
            odometer: r.odometer,
            unit: r.unit,
            odometer_replaced: r.odometer_replaced,
        })
        .collect();
    let links = rules::links(&entries, five_digit);
    let anomaly_of = |reading: &StoredReading| {
        official
            .iter()
            .position(|r| r.reading_id == reading.reading_id)
            .is_some_and(|at| links[at].anomaly)
    };
    let printed: Vec<HistoryEntry> = readings
        .iter()
        .filter(|r| r.status.in_official_history() || r.reading_id == own)
        .map(|r| HistoryEntry {
            date: r.date,
            odometer: r.odometer,
            unit: r.unit,
            source: r.source,
            country: r.country,
            registered_by: r.registered_by.clone(),
            disputed: !r.status.in_official_history(),
            accepted_anomaly: anomaly_of(r),
            works: r.works.clone(),
        })
        .collect();
    let odometer_replaced = readings
        .iter()
        .filter(|r| r.status.in_official_history() && r.odometer_replaced.is_some())
        .map(|r| r.date)
        .collect();
    let mentions = Mentions {
        imported_used: vehicle.imported_used == Some(true),
        five_digit_odometer: five_digit,
        odometer_replaced,
        accepted_anomalies: printed.iter().any(|e| e.accepted_anomaly),
        // Filled from the feeds' storage by the service (`service::car_pass`); the document
        // says "none registered" when they are empty.
        post_accident_pending: None,
        open_recalls: Vec::new(),
        // The RDW's verdict is not in the readings: the caller adds it from its imports.
        rdw_verdict: None,
    };
    CarPass {
        id: id.to_string(),
        vin: vehicle.vin.clone(),
        make: vehicle.make.clone(),
        model: vehicle.model.clone(),
        first_registration: vehicle.first_registration,
        first_registration_be: vehicle.first_registration_be,
        euro_norm: vehicle.euro_norm.clone(),
        co2_g_km: vehicle.co2_g_km,
        fuel: vehicle.fuel.clone(),
        issued_at,
        valid_until: valid_until(issued_at),
        price_cents: price_cents(printed.len()),
        readings: printed,
        mentions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vin::Vin;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn vehicle() -> Vehicle {
        Vehicle {
            vin: Vin::parse("WDB2030461A000001").unwrap(),
            make: Some("Volvo".into()),
            model: Some("V60".into()),
            category: Some("M1".into()),
            mass_kg: Some(1_700),
            first_registration: Some(date(2019, 3, 1)),
            first_registration_be: Some(date(2019, 3, 1)),
            imported_used: Some(false),
            five_digit_odometer: Some(false),
            euro_norm: Some("Euro 6d".into()),
            co2_g_km: Some(118),
            fuel: Some("diesel".into()),
        }
    }

    fn reading(id: &str, d: NaiveDate, odometer: u64, status: ReadingStatus) -> StoredReading {
        StoredReading {
            reading_id: id.into(),
            date: d,
            odometer,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
            source: ReadingSource::Garage,
            country: None,
            status,
            received_at: d.and_hms_opt(12, 0, 0).unwrap(),
            registered_by: "Garage Janssens BV".into(),
            works: vec!["Kleine onderhoudsbeurt".into()],
        }
    }

    fn own(d: NaiveDate, odometer: u64, status: ReadingStatus) -> StoredReading {
        StoredReading {
            source: ReadingSource::CarPass,
            registered_by: "Keuring Gent".into(),
            works: Vec::new(),
            ..reading("own", d, odometer, status)
        }
    }

    fn id() -> CarPassId {
        CarPassId::random(&mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1))
    }

    fn clean_history() -> Vec<StoredReading> {
        vec![
            reading("a", date(2020, 3, 2), 15_000, ReadingStatus::Accepted),
            reading("b", date(2021, 3, 1), 31_000, ReadingStatus::Accepted),
            reading(
                "c",
                date(2022, 3, 7),
                46_000,
                ReadingStatus::AcceptedWithWarnings,
            ),
            reading("d", date(2023, 3, 6), 60_500, ReadingStatus::Accepted),
            own(date(2025, 6, 3), 81_200, ReadingStatus::Accepted),
        ]
    }

    #[test]
    fn a_clean_history_is_printed_whole_with_the_vehicle_and_no_mention() {
        let pass = issue(
            &id(),
            &vehicle(),
            &clean_history(),
            "own",
            at(2025, 6, 3, 8),
        );
        assert_eq!(pass.id, id().to_string());
        assert_eq!(pass.vin.as_str(), "WDB2030461A000001");
        assert_eq!(
            (pass.make.as_deref(), pass.model.as_deref()),
            (Some("Volvo"), Some("V60"))
        );
        assert_eq!(pass.euro_norm.as_deref(), Some("Euro 6d"));
        assert_eq!(pass.co2_g_km, Some(118));
        assert_eq!(pass.fuel.as_deref(), Some("diesel"));
        assert_eq!(pass.first_registration_be, Some(date(2019, 3, 1)));
        let odometers: Vec<u64> = pass.readings.iter().map(|r| r.odometer).collect();
        assert_eq!(odometers, [15_000, 31_000, 46_000, 60_500, 81_200]);
        assert!(pass
            .readings
            .iter()
            .all(|r| !r.disputed && !r.accepted_anomaly));
        assert_eq!(pass.readings[4].source, ReadingSource::CarPass);
        assert_eq!(pass.readings[0].works, ["Kleine onderhoudsbeurt"]);
        assert_eq!(pass.mentions, Mentions::default());
        assert_eq!(pass.price_cents, PRICE_CENTS);
    }

    #[test]
    fn fewer_than_four_readings_listed_is_free_four_is_not() {
        assert_eq!(price_cents(0), 0);
        assert_eq!(price_cents(3), 0);
        assert_eq!(price_cents(4), 1_050);
        let three = &clean_history()[2..];
        let pass = issue(&id(), &vehicle(), three, "own", at(2025, 6, 3, 8));
        assert_eq!((pass.readings.len(), pass.price_cents), (3, 0));
        let four = &clean_history()[1..];
        let pass = issue(&id(), &vehicle(), four, "own", at(2025, 6, 3, 8));
        assert_eq!((pass.readings.len(), pass.price_cents), (4, 1_050));
    }

    #[test]
    fn open_and_rejected_readings_are_left_out_but_not_the_requests_own() {
        let mut readings = clean_history();
        readings.insert(
            1,
            reading(
                "p",
                date(2020, 9, 1),
                9_000,
                ReadingStatus::PendingCorrection,
            ),
        );
        readings.insert(
            2,
            reading("r", date(2020, 10, 1), 22_000, ReadingStatus::Reviewing),
        );
        readings.insert(
            3,
            reading(
                "w",
                date(2020, 11, 1),
                23_000,
                ReadingStatus::WaitingForRegistration,
            ),
        );
        readings.insert(
            4,
            reading("x", date(2020, 12, 1), 2_000, ReadingStatus::Rejected),
        );
        let pass = issue(&id(), &vehicle(), &readings, "own", at(2025, 6, 3, 8));
        let odometers: Vec<u64> = pass.readings.iter().map(|r| r.odometer).collect();
        assert_eq!(odometers, [15_000, 31_000, 46_000, 60_500, 81_200]);
        // Only what is printed is counted for the price.
        let pass = issue(&id(), &vehicle(), &readings[..5], "p", at(2025, 6, 3, 8));
        assert_eq!(pass.readings.len(), 2);
        assert_eq!(pass.price_cents, 0);
    }

    #[test]
    fn the_requests_reading_that_raised_an_error_is_printed_as_disputed() {
        let mut readings = clean_history();
        let last = readings.len() - 1;
        readings[last] = own(date(2025, 6, 3), 41_000, ReadingStatus::PendingCorrection);
        let pass = issue(&id(), &vehicle(), &readings, "own", at(2025, 6, 3, 8));
        let printed = pass.readings.last().unwrap();
        assert_eq!((printed.odometer, printed.disputed), (41_000, true));
        assert!(!printed.accepted_anomaly);
        assert!(!pass.mentions.accepted_anomalies);
        assert_eq!(pass.readings.iter().filter(|r| r.disputed).count(), 1);
        let reviewing = own(date(2025, 6, 3), 41_000, ReadingStatus::Reviewing);
        readings[last] = reviewing;
        let pass = issue(&id(), &vehicle(), &readings, "own", at(2025, 6, 3, 8));
        assert!(pass.readings.last().unwrap().disputed);
    }

    #[test]
    fn a_drop_staff_accepted_is_marked_and_mentioned() {
        let mut readings = clean_history();
        // 60,500 in 2023, then 20,000 accepted by staff: a break that stays.
        readings.insert(
            4,
            reading("drop", date(2024, 2, 1), 20_000, ReadingStatus::Accepted),
        );
        let last = readings.len() - 1;
        readings[last] = own(date(2025, 6, 3), 35_000, ReadingStatus::Accepted);
        let pass = issue(&id(), &vehicle(), &readings, "own", at(2025, 6, 3, 8));
        let marked: Vec<u64> = pass
            .readings
            .iter()
            .filter(|r| r.accepted_anomaly)
            .map(|r| r.odometer)
            .collect();
        assert_eq!(marked, [20_000]);
        assert!(pass.mentions.accepted_anomalies);
    }

    #[test]
    fn an_odometer_replacement_is_mentioned_with_its_date_and_is_no_anomaly() {
        let mut readings = clean_history();
        let mut replaced = reading("new", date(2024, 2, 1), 10, ReadingStatus::Accepted);
        replaced.odometer_replaced = Some(62_000);
        readings.insert(4, replaced);
        let last = readings.len() - 1;
        readings[last] = own(date(2025, 6, 3), 15_000, ReadingStatus::Accepted);
        let pass = issue(&id(), &vehicle(), &readings, "own", at(2025, 6, 3, 8));
        assert_eq!(pass.mentions.odometer_replaced, [date(2024, 2, 1)]);
        assert!(!pass.mentions.accepted_anomalies);
        // A replacement on a reading that is not printed is not mentioned.
        readings[4].status = ReadingStatus::PendingCorrection;
        readings[last].status = ReadingStatus::AcceptedWithWarnings;
        let pass = issue(&id(), &vehicle(), &readings[..5], "x", at(2025, 6, 3, 8));
        assert!(pass.mentions.odometer_replaced.is_empty());
    }

    #[test]
    fn an_imported_used_vehicle_and_a_five_digit_odometer_are_mentioned() {
        let imported = Vehicle {
            first_registration_be: Some(date(2023, 5, 2)),
            imported_used: Some(true),
            ..vehicle()
        };
        let pass = issue(&id(), &imported, &clean_history(), "own", at(2025, 6, 3, 8));
        assert!(pass.mentions.imported_used);
        assert!(!pass.mentions.five_digit_odometer);
        assert_eq!(pass.first_registration, Some(date(2019, 3, 1)));
        assert_eq!(pass.first_registration_be, Some(date(2023, 5, 2)));
        // Unknown is not "imported": the mention is printed only when true.
        let unknown = Vehicle {
            imported_used: None,
            ..vehicle()
        };
        let pass = issue(&id(), &unknown, &clean_history(), "own", at(2025, 6, 3, 8));
        assert!(!pass.mentions.imported_used);
        let five = Vehicle {
            five_digit_odometer: Some(true),
            ..vehicle()
        };
        // 99,000 then 4,000 on a 5-digit odometer is a rollover, no anomaly.
        let readings = vec![
            reading("a", date(2023, 1, 2), 99_000, ReadingStatus::Accepted),
            own(date(2024, 1, 2), 4_000, ReadingStatus::Accepted),
        ];
        let pass = issue(&id(), &five, &readings, "own", at(2025, 6, 3, 8));
        assert!(pass.mentions.five_digit_odometer);
        assert!(!pass.mentions.accepted_anomalies);
    }

    #[test]
    fn a_foreign_reading_is_printed_with_its_country_and_source() {
        let mut readings = clean_history();
        readings.insert(
            0,
            StoredReading {
                source: ReadingSource::Foreign,
                country: Some(Country::parse("DE").unwrap()),
                registered_by: "Kraftfahrt-Bundesamt".into(),
                works: Vec::new(),
                ..reading("de", date(2019, 2, 1), 3_000, ReadingStatus::Accepted)
            },
        );
        let pass = issue(&id(), &vehicle(), &readings, "own", at(2025, 6, 3, 8));
        let first = &pass.readings[0];
        assert_eq!(first.source, ReadingSource::Foreign);
        assert_eq!(first.country.map(|c| c.to_string()).as_deref(), Some("DE"));
        assert_eq!(first.registered_by, "Kraftfahrt-Bundesamt");
    }

    #[test]
    fn post_accident_and_recalls_are_empty_until_their_feeds_exist() {
        let pass = issue(
            &id(),
            &vehicle(),
            &clean_history(),
            "own",
            at(2025, 6, 3, 8),
        );
        assert_eq!(pass.mentions.post_accident_pending, None);
        assert!(pass.mentions.open_recalls.is_empty());
    }

    #[test]
    fn it_is_valid_two_months_from_the_day_it_was_issued_in_brussels() {
        assert_eq!(valid_until(at(2025, 6, 3, 8)), date(2025, 8, 3));
        // 23:30 UTC on 31 December is 1 January in Brussels.
        assert_eq!(
            valid_until(Utc.with_ymd_and_hms(2025, 12, 31, 23, 30, 0).unwrap()),
            date(2026, 3, 1)
        );
        assert_eq!(valid_until(at(2025, 12, 31, 10)), date(2026, 2, 28));
        assert_eq!(valid_until(at(2023, 12, 31, 10)), date(2024, 2, 29));
        assert!(still_valid(date(2025, 8, 3), date(2025, 8, 3)));
        assert!(!still_valid(date(2025, 8, 3), date(2025, 8, 4)));
        let pass = issue(
            &id(),
            &vehicle(),
            &clean_history(),
            "own",
            at(2025, 6, 3, 8),
        );
        assert_eq!(pass.valid_until, date(2025, 8, 3));
    }
}
