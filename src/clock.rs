//! Where "now" comes from: the system clock, or a fixed instant for tests.

use chrono::{DateTime, SubsecRound, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// To the microsecond, which is what PostgreSQL keeps: both backends store the same
    /// instant, and order readings received within one microsecond alike (by id), as a group
    /// commit expects of the histories it keeps in memory (`service::known_vins`).
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now().trunc_subsecs(6),
            Clock::Fixed(at) => *at,
        }
    }
}
