//! What a group commit knows of its VINs: the register's vehicles and the official histories,
//! read for a group of VINs at once (one query each on PostgreSQL) instead of two queries per
//! reading, and kept as the database would answer them: a reading the transaction stores in the
//! official history is in the history of the readings of its VIN after it.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use crate::db::{readings, vehicles, DbConnection};
use crate::domain::rules::HistoryEntry;
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;

pub struct KnownVins {
    vehicles: HashMap<String, Vehicle>,
    histories: HashMap<String, History>,
}

/// A VIN's official history with when each entry was received, which places a new one.
#[derive(Default)]
struct History {
    entries: Vec<HistoryEntry>,
    received: Vec<NaiveDateTime>,
}

impl KnownVins {
    /// Reads what the register holds for `vins`; a VIN that does not parse has neither a
    /// vehicle nor a history (as `inflow::context` answers).
    pub fn load(
        conn: &mut DbConnection,
        vins: &[&str],
    ) -> Result<KnownVins, diesel::result::Error> {
        let valid: Vec<Vin> = vins.iter().filter_map(|vin| Vin::parse(vin).ok()).collect();
        let vehicles = vehicles::find_many(conn, &valid)?;
        let names: Vec<&str> = valid.iter().map(Vin::as_str).collect();
        let histories = readings::official_histories(conn, &names)?;
        Ok(KnownVins::new(vehicles, histories))
    }

    /// From the vehicles and the entries of `readings::official_histories`, in its order.
    fn new(
        vehicles: Vec<Vehicle>,
        entries: Vec<(String, NaiveDateTime, HistoryEntry)>,
    ) -> KnownVins {
        let mut histories: HashMap<String, History> = HashMap::new();
        for (vin, received, entry) in entries {
            let history = histories.entry(vin).or_default();
            history.entries.push(entry);
            history.received.push(received);
        }
        KnownVins {
            vehicles: vehicles
                .into_iter()
                .map(|v| (v.vin.as_str().to_owned(), v))
                .collect(),
            histories,
        }
    }

    pub fn vehicle(&self, vin: &str) -> Option<&Vehicle> {
        self.vehicles.get(vin)
    }

    /// How many history entries are held, of all the VINs.
    pub fn entries(&self) -> usize {
        self.histories.values().map(|h| h.entries.len()).sum()
    }

    pub fn history(&self, vin: &str) -> &[HistoryEntry] {
        self.histories.get(vin).map_or(&[], |h| &h.entries)
    }

    /// A reading stored in the official history. `official_history` orders by work date, then
    /// time of receipt, then id; an id made now is greater than every id made before it
    /// (UUIDv7, ordered by creation), so the new entry goes after every entry of an earlier
    /// work date or of the same one received no later.
    pub fn add(&mut self, vin: &str, entry: HistoryEntry, received: NaiveDateTime) {
        if Vin::parse(vin).is_err() {
            return; // never looked up: its readings are checked without a history
        }
        let history = self.histories.entry(vin.to_owned()).or_default();
        let key = (entry.work_date, received);
        let mut at = history.entries.len();
        while at > 0 && (history.entries[at - 1].work_date, history.received[at - 1]) > key {
            at -= 1;
        }
        history.entries.insert(at, entry);
        history.received.insert(at, received);
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::odometer::OdometerUnit;

    const VIN: &str = "WDB2030461B000001";

    fn entry(day: u32, odometer: u64) -> HistoryEntry {
        HistoryEntry {
            work_date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            odometer,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
        }
    }

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    fn odometers(known: &KnownVins, vin: &str) -> Vec<u64> {
        known.history(vin).iter().map(|e| e.odometer).collect()
    }

    #[test]
    fn a_new_entry_goes_where_the_database_would_order_it() {
        let stored = vec![
            (VIN.to_owned(), at(20, 9), entry(10, 1_000)),
            (VIN.to_owned(), at(20, 9), entry(12, 1_200)),
            (VIN.to_owned(), at(21, 9), entry(12, 1_250)),
            (VIN.to_owned(), at(20, 9), entry(15, 1_500)),
        ];
        let mut known = KnownVins::new(Vec::new(), stored);
        assert_eq!(odometers(&known, VIN), [1_000, 1_200, 1_250, 1_500]);
        // A later work date goes last; an earlier one before the later ones.
        known.add(VIN, entry(16, 1_600), at(26, 9));
        known.add(VIN, entry(11, 1_100), at(26, 9));
        assert_eq!(
            odometers(&known, VIN),
            [1_000, 1_100, 1_200, 1_250, 1_500, 1_600]
        );
        // Same work date: after the entries received before it or at the same instant (their ids
        // are older), before one received later (a clock set back since).
        known.add(VIN, entry(12, 1_260), at(21, 9));
        known.add(VIN, entry(12, 1_210), at(20, 12));
        assert_eq!(
            odometers(&known, VIN),
            [1_000, 1_100, 1_200, 1_210, 1_250, 1_260, 1_500, 1_600]
        );
    }

    #[test]
    fn a_vin_without_history_gets_one_and_an_invalid_vin_never_has_one() {
        let mut known = KnownVins::new(Vec::new(), Vec::new());
        assert!(known.history(VIN).is_empty());
        known.add(VIN, entry(10, 1_000), at(26, 9));
        assert_eq!(odometers(&known, VIN), [1_000]);
        known.add("NOT A VIN", entry(10, 1_000), at(26, 9));
        assert!(known.history("NOT A VIN").is_empty());
        assert!(known.vehicle(VIN).is_none());
    }
}
