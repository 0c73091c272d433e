//! The scenarios of `conformance-tests/scenarios/`, built into the binary so that a session's
//! sheet never depends on the directory the command runs in.

use crate::domain::certification::scenario::Scenario;

const FILES: [(&str, &str); 8] = [
    (
        "01-setup.toml",
        include_str!("../../conformance-tests/scenarios/01-setup.toml"),
    ),
    (
        "02-service.toml",
        include_str!("../../conformance-tests/scenarios/02-service.toml"),
    ),
    (
        "03-answers.toml",
        include_str!("../../conformance-tests/scenarios/03-answers.toml"),
    ),
    (
        "04-special-readings.toml",
        include_str!("../../conformance-tests/scenarios/04-special-readings.toml"),
    ),
    (
        "05-small-jobs.toml",
        include_str!("../../conformance-tests/scenarios/05-small-jobs.toml"),
    ),
    (
        "06-retries.toml",
        include_str!("../../conformance-tests/scenarios/06-retries.toml"),
    ),
    (
        "07-waiting-for-registration.toml",
        include_str!("../../conformance-tests/scenarios/07-waiting-for-registration.toml"),
    ),
    (
        "08-adverts.toml",
        include_str!("../../conformance-tests/scenarios/08-adverts.toml"),
    ),
];

/// The SHA-256 of the scenario set (each file's name and text, in order): a report names the
/// scenarios it was judged against, so that a later change to them cannot pass unnoticed.
pub fn digest() -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for (name, text) in FILES {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(text.as_bytes());
        hash.update([0]);
    }
    super::sessions::hex(&hash.finalize())
}

/// The scenarios in file order. They are checked by the tests below, so a broken file never
/// reaches a release.
pub fn builtin() -> Vec<Scenario> {
    FILES
        .iter()
        .map(|(name, text)| {
            toml::from_str(text)
                .unwrap_or_else(|e| panic!("conformance-tests/scenarios/{name}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certification::scenario;
    use crate::domain::language::Language;

    #[test]
    fn every_scenario_file_is_built_in_and_the_set_is_consistent() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance-tests/scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let built_in: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, built_in, "list every scenario file in FILES");
        let scenarios = builtin();
        if let Err(problems) = scenario::check(&scenarios) {
            panic!(
                "the scenarios do not hold together:\n{}",
                problems.join("\n")
            );
        }
    }

    #[test]
    fn the_sheet_writes_odometers_as_its_language_does() {
        let scenarios = builtin();
        let sheet = scenario::sheet(
            &scenarios,
            &std::collections::HashMap::new(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
        );
        let written = |lang: Language, n: u64| crate::domain::format::Formatter(lang).num(n);
        let (step, odometer) = sheet
            .steps
            .iter()
            .filter_map(|s| Some((s, s.job.as_ref()?.odometer)))
            .find(|(s, n)| *n >= 1_000 && s.instructions.en.contains(&written(Language::En, *n)))
            .expect("a step that shows an odometer of four digits or more");
        let written = |lang: Language| written(lang, odometer);
        assert!(step.instructions.nl.contains(&written(Language::Nl)));
        assert!(step.instructions.fr.contains(&written(Language::Fr)));
        assert!(step.instructions.en.contains(&written(Language::En)));
    }
}
