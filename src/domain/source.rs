//! Where a reading came from. Garages report their jobs (SPEC 3); the other sources feed the
//! history that a Car-Pass shows (seed 002).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingSource {
    /// A garage's job, through a DMS.
    #[default]
    Garage,
    /// Read when a Car-Pass was requested (Car-Pass calls it an observation of type
    /// "vehicle history document"): at an inspection centre or a seller's counter.
    CarPass,
    /// A manufacturer's connected car, sent in bulk.
    Connected,
    /// An importer's reading from the vehicle's country of origin.
    Foreign,
    /// The Dutch vehicle registry's odometer history.
    Rdw,
}

impl ReadingSource {
    pub const ALL: [ReadingSource; 5] = [
        ReadingSource::Garage,
        ReadingSource::CarPass,
        ReadingSource::Connected,
        ReadingSource::Foreign,
        ReadingSource::Rdw,
    ];

    /// The name stored in `readings.source`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadingSource::Garage => "garage",
            ReadingSource::CarPass => "car_pass",
            ReadingSource::Connected => "connected",
            ReadingSource::Foreign => "foreign",
            ReadingSource::Rdw => "rdw",
        }
    }

    /// SPEC 2.3: a garage reports the work it did; the other sources only read the odometer.
    pub fn describes_work(self) -> bool {
        self == ReadingSource::Garage
    }

    pub fn parse(stored: &str) -> Option<ReadingSource> {
        ReadingSource::ALL
            .into_iter()
            .find(|s| s.as_str() == stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_round_trips_through_its_stored_name() {
        for source in ReadingSource::ALL {
            assert_eq!(ReadingSource::parse(source.as_str()), Some(source));
        }
        assert_eq!(ReadingSource::parse("Garage"), None);
    }
}
