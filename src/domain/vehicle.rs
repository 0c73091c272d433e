//! What the vehicle register knows of a vehicle, and whether its readings must be reported.

use chrono::NaiveDate;

use super::issue::NotSubjectReason;
use super::vin::Vin;

/// SPEC 2.5: everything driven with a category B licence weighs at most 3.5 t.
pub const MAX_MASS_KG: u32 = 3_500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vehicle {
    pub vin: Vin,
    pub make: Option<String>,
    pub model: Option<String>,
    /// The EU vehicle category as registered: M1, N1, L3e, N2...
    pub category: Option<String>,
    pub mass_kg: Option<u32>,
    pub first_registration: Option<NaiveDate>,
    pub first_registration_be: Option<NaiveDate>,
    pub imported_used: Option<bool>,
    pub five_digit_odometer: Option<bool>,
    pub euro_norm: Option<String>,
    pub co2_g_km: Option<u32>,
    pub fuel: Option<String>,
}

impl Vehicle {
    pub fn has_five_digit_odometer(&self) -> bool {
        self.five_digit_odometer == Some(true)
    }

    /// SPEC 2.5: passenger cars (M1) and light commercial vehicles (N1) up to 3.5 t, the
    /// off-road variants (M1G, N1G) included; minibuses and motorhomes are M1. Not motorcycles,
    /// trucks, buses, agricultural vehicles, nor vehicles never registered in Belgium.
    /// Unknown facts do not exempt: the registry must not lose a reading on a missing column.
    pub fn not_subject_reason(&self) -> Option<NotSubjectReason> {
        if let Some(category) = &self.category {
            let base = category.trim().to_ascii_uppercase();
            let base = base.strip_suffix('G').unwrap_or(&base);
            if base != "M1" && base != "N1" {
                return Some(NotSubjectReason::Category {
                    category: category.clone(),
                });
            }
        }
        if let Some(mass_kg) = self.mass_kg.filter(|m| *m > MAX_MASS_KG) {
            return Some(NotSubjectReason::MassAbove { mass_kg });
        }
        if self.first_registration.is_some() && self.first_registration_be.is_none() {
            return Some(NotSubjectReason::NeverRegisteredInBelgium);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn car() -> Vehicle {
        Vehicle {
            vin: Vin::parse("WDB2030461A000001").unwrap(),
            make: Some("Mercedes-Benz".into()),
            model: Some("C 200".into()),
            category: Some("M1".into()),
            mass_kg: Some(1_500),
            first_registration: NaiveDate::from_ymd_opt(2019, 3, 1),
            first_registration_be: NaiveDate::from_ymd_opt(2019, 3, 1),
            imported_used: Some(false),
            five_digit_odometer: Some(false),
            euro_norm: Some("6d".into()),
            co2_g_km: Some(132),
            fuel: Some("petrol".into()),
        }
    }

    #[test]
    fn passenger_cars_and_light_commercial_vehicles_are_subject() {
        for category in ["M1", "N1", "M1G", "N1G", "m1"] {
            let v = Vehicle {
                category: Some(category.into()),
                ..car()
            };
            assert_eq!(v.not_subject_reason(), None, "{category}");
        }
    }

    #[test]
    fn motorcycles_trucks_buses_and_tractors_are_not_subject() {
        for category in ["L3e", "N2", "N3", "M2", "M3", "T1", "O2"] {
            let v = Vehicle {
                category: Some(category.into()),
                ..car()
            };
            assert_eq!(
                v.not_subject_reason(),
                Some(NotSubjectReason::Category {
                    category: category.into()
                }),
                "{category}"
            );
        }
    }

    #[test]
    fn the_mass_limit_is_three_and_a_half_tonnes_inclusive() {
        let at = |kg| {
            Vehicle {
                mass_kg: Some(kg),
                ..car()
            }
            .not_subject_reason()
        };
        assert_eq!(at(3_500), None);
        assert_eq!(
            at(3_501),
            Some(NotSubjectReason::MassAbove { mass_kg: 3_501 })
        );
    }

    #[test]
    fn a_vehicle_never_registered_in_belgium_is_not_subject() {
        let v = Vehicle {
            first_registration_be: None,
            ..car()
        };
        assert_eq!(
            v.not_subject_reason(),
            Some(NotSubjectReason::NeverRegisteredInBelgium)
        );
    }

    #[test]
    fn unknown_facts_do_not_exempt_a_vehicle() {
        let v = Vehicle {
            category: None,
            mass_kg: None,
            first_registration: None,
            first_registration_be: None,
            ..car()
        };
        assert_eq!(v.not_subject_reason(), None);
    }
}
