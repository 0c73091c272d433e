//! The registry's standard work descriptions (SPEC 2.3, SPEC 4): since 1 January 2024 each main
//! job on the invoice is reported as one of these codes plus the invoice's own wording.

use super::language::Language;

/// A standard work description. The codes are part of the contract (SPEC 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActivityCode {
    Maintenance,
    OilService,
    Tyres,
    Brakes,
    Exhaust,
    Battery,
    TimingBelt,
    Clutch,
    Gearbox,
    Engine,
    Cooling,
    Suspension,
    Steering,
    Airco,
    Electrical,
    Diagnosis,
    Lighting,
    Glass,
    Bodywork,
    Paint,
    CarWrapping,
    AccessoryFitting,
    OdometerReplacement,
    RecallCampaign,
    PreDelivery,
    TechnicalInspection,
}

impl ActivityCode {
    /// In the order of SPEC 4, which is also the order ListActivities returns them in.
    pub const ALL: [ActivityCode; 26] = [
        ActivityCode::Maintenance,
        ActivityCode::OilService,
        ActivityCode::Tyres,
        ActivityCode::Brakes,
        ActivityCode::Exhaust,
        ActivityCode::Battery,
        ActivityCode::TimingBelt,
        ActivityCode::Clutch,
        ActivityCode::Gearbox,
        ActivityCode::Engine,
        ActivityCode::Cooling,
        ActivityCode::Suspension,
        ActivityCode::Steering,
        ActivityCode::Airco,
        ActivityCode::Electrical,
        ActivityCode::Diagnosis,
        ActivityCode::Lighting,
        ActivityCode::Glass,
        ActivityCode::Bodywork,
        ActivityCode::Paint,
        ActivityCode::CarWrapping,
        ActivityCode::AccessoryFitting,
        ActivityCode::OdometerReplacement,
        ActivityCode::RecallCampaign,
        ActivityCode::PreDelivery,
        ActivityCode::TechnicalInspection,
    ];

    /// Exact, case-sensitive: the code is a contract value, and anything else is reported as
    /// ACTIVITY_UNKNOWN (SPEC 4) rather than guessed at.
    pub fn parse(code: &str) -> Option<ActivityCode> {
        ActivityCode::ALL
            .into_iter()
            .find(|activity| activity.as_str() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityCode::Maintenance => "MAINTENANCE",
            ActivityCode::OilService => "OIL_SERVICE",
            ActivityCode::Tyres => "TYRES",
            ActivityCode::Brakes => "BRAKES",
            ActivityCode::Exhaust => "EXHAUST",
            ActivityCode::Battery => "BATTERY",
            ActivityCode::TimingBelt => "TIMING_BELT",
            ActivityCode::Clutch => "CLUTCH",
            ActivityCode::Gearbox => "GEARBOX",
            ActivityCode::Engine => "ENGINE",
            ActivityCode::Cooling => "COOLING",
            ActivityCode::Suspension => "SUSPENSION",
            ActivityCode::Steering => "STEERING",
            ActivityCode::Airco => "AIRCO",
            ActivityCode::Electrical => "ELECTRICAL",
            ActivityCode::Diagnosis => "DIAGNOSIS",
            ActivityCode::Lighting => "LIGHTING",
            ActivityCode::Glass => "GLASS",
            ActivityCode::Bodywork => "BODYWORK",
            ActivityCode::Paint => "PAINT",
            ActivityCode::CarWrapping => "CAR_WRAPPING",
            ActivityCode::AccessoryFitting => "ACCESSORY_FITTING",
            ActivityCode::OdometerReplacement => "ODOMETER_REPLACEMENT",
            ActivityCode::RecallCampaign => "RECALL_CAMPAIGN",
            ActivityCode::PreDelivery => "PRE_DELIVERY",
            ActivityCode::TechnicalInspection => "TECHNICAL_INSPECTION",
        }
    }

    /// The label a garage sees in its DMS (SPEC 3.3 ListActivities, in the header's language).
    pub fn label(self, lang: Language) -> &'static str {
        let [nl, fr, de, en] = self.labels();
        match lang {
            Language::Nl => nl,
            Language::Fr => fr,
            Language::De => de,
            Language::En => en,
        }
    }

    /// nl (Flemish), fr (Belgian), de (East Belgian), en — one row per code keeps the four
    /// translations of a code side by side for review.
    fn labels(self) -> [&'static str; 4] {
        match self {
            ActivityCode::Maintenance => ["Onderhoud", "Entretien", "Wartung", "Maintenance"],
            ActivityCode::OilService => ["Olieverversing", "Vidange", "Ölwechsel", "Oil service"],
            ActivityCode::Tyres => ["Banden", "Pneus", "Reifen", "Tyres"],
            ActivityCode::Brakes => ["Remmen", "Freins", "Bremsen", "Brakes"],
            ActivityCode::Exhaust => ["Uitlaat", "Échappement", "Auspuff", "Exhaust"],
            ActivityCode::Battery => ["Batterij", "Batterie", "Batterie", "Battery"],
            ActivityCode::TimingBelt => [
                "Distributieriem",
                "Courroie de distribution",
                "Zahnriemen",
                "Timing belt",
            ],
            ActivityCode::Clutch => ["Koppeling", "Embrayage", "Kupplung", "Clutch"],
            ActivityCode::Gearbox => [
                "Versnellingsbak",
                "Boîte de vitesses",
                "Getriebe",
                "Gearbox",
            ],
            ActivityCode::Engine => ["Motor", "Moteur", "Motor", "Engine"],
            ActivityCode::Cooling => ["Koeling", "Refroidissement", "Kühlung", "Cooling"],
            ActivityCode::Suspension => ["Ophanging", "Suspension", "Fahrwerk", "Suspension"],
            ActivityCode::Steering => ["Stuurinrichting", "Direction", "Lenkung", "Steering"],
            ActivityCode::Airco => [
                "Airconditioning",
                "Climatisation",
                "Klimaanlage",
                "Air conditioning",
            ],
            ActivityCode::Electrical => ["Elektriciteit", "Électricité", "Elektrik", "Electrics"],
            ActivityCode::Diagnosis => ["Diagnose", "Diagnostic", "Diagnose", "Diagnosis"],
            ActivityCode::Lighting => ["Verlichting", "Éclairage", "Beleuchtung", "Lighting"],
            ActivityCode::Glass => ["Beglazing", "Vitrage", "Verglasung", "Glazing"],
            ActivityCode::Bodywork => ["Carrosserie", "Carrosserie", "Karosserie", "Bodywork"],
            ActivityCode::Paint => ["Lakwerk", "Peinture", "Lackierung", "Paintwork"],
            // SPEC 2.1: car wrapping is reported (lettering is not); "covering" is the usual
            // word in Belgian French.
            ActivityCode::CarWrapping => [
                "Car wrapping",
                "Covering",
                "Fahrzeugfolierung",
                "Car wrapping",
            ],
            ActivityCode::AccessoryFitting => [
                "Montage van accessoires",
                "Montage d'accessoires",
                "Einbau von Zubehör",
                "Accessory fitting",
            ],
            ActivityCode::OdometerReplacement => [
                "Vervanging kilometerteller",
                "Remplacement du compteur kilométrique",
                "Austausch des Kilometerzählers",
                "Odometer replacement",
            ],
            ActivityCode::RecallCampaign => [
                "Terugroepactie",
                "Campagne de rappel",
                "Rückrufaktion",
                "Recall campaign",
            ],
            ActivityCode::PreDelivery => [
                "Klaarmaken voor levering",
                "Préparation à la livraison",
                "Auslieferungsvorbereitung",
                "Pre-delivery preparation",
            ],
            ActivityCode::TechnicalInspection => [
                "Technische keuring",
                "Contrôle technique",
                "Technische Kontrolle",
                "Technical inspection",
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_round_trips_through_its_string() {
        for activity in ActivityCode::ALL {
            assert_eq!(ActivityCode::parse(activity.as_str()), Some(activity));
        }
    }

    #[test]
    fn all_lists_the_26_codes_of_spec_4_in_order() {
        let codes: Vec<_> = ActivityCode::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            codes,
            [
                "MAINTENANCE",
                "OIL_SERVICE",
                "TYRES",
                "BRAKES",
                "EXHAUST",
                "BATTERY",
                "TIMING_BELT",
                "CLUTCH",
                "GEARBOX",
                "ENGINE",
                "COOLING",
                "SUSPENSION",
                "STEERING",
                "AIRCO",
                "ELECTRICAL",
                "DIAGNOSIS",
                "LIGHTING",
                "GLASS",
                "BODYWORK",
                "PAINT",
                "CAR_WRAPPING",
                "ACCESSORY_FITTING",
                "ODOMETER_REPLACEMENT",
                "RECALL_CAMPAIGN",
                "PRE_DELIVERY",
                "TECHNICAL_INSPECTION",
            ]
        );
    }

    #[test]
    fn all_is_sorted_so_ord_follows_the_catalog_order() {
        assert!(ActivityCode::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn parse_is_exact_and_case_sensitive() {
        for code in [
            "maintenance",
            "Tyres",
            " BRAKES",
            "BRAKES ",
            "OIL-SERVICE",
            "",
            "WASH",
        ] {
            assert_eq!(ActivityCode::parse(code), None, "{code:?}");
        }
    }

    #[test]
    fn every_label_is_non_empty_and_trimmed_in_every_language() {
        for lang in Language::ALL {
            for activity in ActivityCode::ALL {
                let label = activity.label(lang);
                assert!(!label.is_empty(), "{activity:?} {lang:?}");
                assert_eq!(label, label.trim(), "{activity:?} {lang:?}");
            }
        }
    }

    #[test]
    fn labels_are_distinct_within_a_language() {
        for lang in Language::ALL {
            let labels: HashSet<_> = ActivityCode::ALL.iter().map(|a| a.label(lang)).collect();
            assert_eq!(labels.len(), ActivityCode::ALL.len(), "{lang:?}");
        }
    }

    #[test]
    fn dutch_labels_are_the_ones_garages_know() {
        assert_eq!(ActivityCode::Maintenance.label(Language::Nl), "Onderhoud");
        assert_eq!(
            ActivityCode::TimingBelt.label(Language::Nl),
            "Distributieriem"
        );
        assert_eq!(
            ActivityCode::OdometerReplacement.label(Language::Nl),
            "Vervanging kilometerteller"
        );
        assert_eq!(
            ActivityCode::TechnicalInspection.label(Language::Nl),
            "Technische keuring"
        );
    }
}
