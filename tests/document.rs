//! The Car-Pass PDF as a person and a phone see it: rendered by poppler (`pdftoppm`), its text
//! extracted (`pdftotext`), its QR code decoded from the rendered page by a real decoder
//! (`zbarimg`, Debian's zbar-tools). Without those tools the tests say so and skip, unless
//! CARPASS_REQUIRE_PDF_TOOLS=1 (CI), where they fail. CARPASS_KEEP_PDF_DIR=DIR keeps the PDFs
//! and PNGs there, to look at them.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};

use carpass::document::car_pass_pdf;
use carpass::domain::car_pass::{CarPass, HistoryEntry, Mentions, PostAccident, Recall};
use carpass::domain::language::Language;
use carpass::domain::odometer::OdometerUnit;
use carpass::domain::rdw::{RdwJudgment, RdwVerdict};
use carpass::domain::source::ReadingSource;
use carpass::domain::vin::Vin;

const URL: &str = "https://registry.car-pass.example/verify/4821-7730-1956-3";

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn entry(d: &str, odometer: u64, source: ReadingSource, by: &str) -> HistoryEntry {
    HistoryEntry {
        date: date(d),
        odometer,
        unit: OdometerUnit::Km,
        source,
        country: None,
        registered_by: by.into(),
        disputed: false,
        accepted_anomaly: false,
        works: Vec::new(),
    }
}

fn pass(readings: Vec<HistoryEntry>, mentions: Mentions) -> CarPass {
    let price_cents = if readings.len() < 4 { 0 } else { 1050 };
    CarPass {
        id: "4821-7730-1956-3".into(),
        vin: Vin::parse("WDB2030461A000001").unwrap(),
        make: Some("Mercedes-Benz".into()),
        model: Some("C 220 CDI".into()),
        first_registration: Some(date("2016-03-14")),
        first_registration_be: Some(date("2016-03-14")),
        euro_norm: Some("6b".into()),
        co2_g_km: Some(117),
        fuel: Some("diesel".into()),
        issued_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 41, 0).unwrap(),
        valid_until: date("2027-01-20"),
        price_cents,
        readings,
        mentions,
    }
}

/// Twenty readings over ten years: a garage's, the inspection's, one accepted anomaly, one
/// drop (the 15th is lower than the 14th), and the request's own reading, disputed.
fn twenty() -> CarPass {
    let garages = [
        "Garage Peeters BV",
        "Autobedrijf Janssens & Zonen NV",
        "Garage du Centre SPRL",
        "Keuringscentrum Autoveiligheid Gent",
    ];
    let mut readings = Vec::new();
    for i in 0..20u64 {
        let d = date("2016-09-01") + chrono::Duration::days(i as i64 * 180);
        let mut odo = 9_000 + i * 11_500;
        let source = if i % 4 == 3 {
            ReadingSource::CarPass
        } else {
            ReadingSource::Garage
        };
        let mut e = entry(
            &d.to_string(),
            odo,
            source,
            garages[i as usize % garages.len()],
        );
        if i == 14 {
            odo = 61_250;
            e.odometer = odo;
        }
        if i == 8 {
            e.accepted_anomaly = true;
        }
        readings.push(e);
    }
    let last = readings.last_mut().unwrap();
    last.date = date("2026-11-20");
    last.odometer = 150_100;
    last.source = ReadingSource::CarPass;
    last.disputed = true;
    last.registered_by = "Autoveiligheid Kontich".into();
    pass(
        readings,
        Mentions {
            accepted_anomalies: true,
            ..Mentions::default()
        },
    )
}

/// Two readings, nothing to mention: free.
fn two() -> CarPass {
    pass(
        vec![
            entry(
                "2024-05-02",
                12_480,
                ReadingSource::Garage,
                "Garage Peeters BV",
            ),
            entry(
                "2026-11-20",
                31_020,
                ReadingSource::CarPass,
                "Autoveiligheid Kontich",
            ),
        ],
        Mentions::default(),
    )
}

/// Every mention true: an import with a 5-digit odometer, replaced once, an accident, a recall.
fn every_mention() -> CarPass {
    let mut p = pass(
        vec![
            HistoryEntry {
                unit: OdometerUnit::Mi,
                ..entry(
                    "2019-02-11",
                    41_200,
                    ReadingSource::Foreign,
                    "DVLA (United Kingdom)",
                )
            },
            entry(
                "2023-06-30",
                98_700,
                ReadingSource::Garage,
                "Garage Peeters BV",
            ),
            entry(
                "2024-08-12",
                3_100,
                ReadingSource::Garage,
                "Garage Peeters BV",
            ),
            entry("2025-09-01", 21_400, ReadingSource::Rdw, "RDW"),
            entry(
                "2026-11-20",
                38_000,
                ReadingSource::CarPass,
                "Autoveiligheid Kontich",
            ),
        ],
        Mentions {
            imported_used: true,
            five_digit_odometer: true,
            odometer_replaced: vec![date("2024-08-10")],
            accepted_anomalies: false,
            post_accident_pending: Some(PostAccident {
                reported_on: date("2026-10-02"),
                informex_reference: "IFX-2026-0042177".into(),
            }),
            open_recalls: vec![Recall {
                reference: "RC-24-117".into(),
                title: "Airbag inflator".into(),
                opened_on: date("2025-01-15"),
            }],
            rdw_verdict: Some(RdwJudgment {
                verdict: RdwVerdict::Logisch,
                judged_on: date("2025-09-01"),
            }),
        },
    );
    p.first_registration_be = Some(date("2023-06-01"));
    p.fuel = Some("petrol".into());
    p
}

/// Whether the tools are here; panics in CI when they are not.
fn tools() -> bool {
    let found = ["pdftoppm", "pdftotext", "zbarimg"]
        .iter()
        .all(|tool| Command::new(tool).arg("-v").output().is_ok());
    if !found {
        let required = std::env::var("CARPASS_REQUIRE_PDF_TOOLS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "CARPASS_REQUIRE_PDF_TOOLS=1 but pdftoppm, pdftotext or zbarimg is missing \
             (Debian: poppler-utils, zbar-tools)"
        );
        eprintln!("SKIPPED: install poppler-utils and zbar-tools to check the rendered PDF");
    }
    found
}

struct Rendered {
    _dir: tempfile::TempDir,
    pdf: PathBuf,
    bytes: usize,
}

fn write(pass: &CarPass, lang: Language, name: &str) -> Rendered {
    let dir = tempfile::tempdir().unwrap();
    let bytes = car_pass_pdf(pass, lang, URL);
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let pdf = dir.path().join(format!("{name}-{}.pdf", lang.as_str()));
    std::fs::write(&pdf, &bytes).unwrap();
    if let Ok(keep) = std::env::var("CARPASS_KEEP_PDF_DIR") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&pdf, Path::new(&keep).join(pdf.file_name().unwrap())).unwrap();
    }
    Rendered {
        pdf,
        bytes: bytes.len(),
        _dir: dir,
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text of the PDF in reading order, as pdftotext extracts it; whitespace runs collapsed.
fn text(r: &Rendered) -> String {
    let raw = run(Command::new("pdftotext")
        .arg("-layout")
        .arg(&r.pdf)
        .arg("-"));
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The pages rendered to PNG at `dpi`; their paths.
fn pngs(r: &Rendered, dpi: u32) -> Vec<PathBuf> {
    let prefix = r.pdf.with_extension("");
    run(Command::new("pdftoppm")
        .args(["-png", "-r", &dpi.to_string()])
        .arg(&r.pdf)
        .arg(&prefix));
    let dir = r.pdf.parent().unwrap();
    let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "png")
                && p.file_name().unwrap().to_string_lossy().starts_with(&stem)
        })
        .collect();
    found.sort();
    if let Ok(keep) = std::env::var("CARPASS_KEEP_PDF_DIR") {
        for png in &found {
            std::fs::copy(png, Path::new(&keep).join(png.file_name().unwrap())).unwrap();
        }
    }
    found
}

fn fonts(r: &Rendered) -> String {
    run(Command::new("pdffonts").arg(&r.pdf))
}

#[test]
fn every_language_prints_the_id_the_vehicle_the_dates_and_the_price() {
    if !tools() {
        return;
    }
    let expected = [
        (
            Language::Nl,
            [
                "Kilometerattest en voertuighistoriek",
                "Chassisnummer (VIN) WDB2030461A000001",
                "Uitgereikt op",
                "20/11/2026 10:41",
                "Geldig tot en met",
                "20/01/2027",
                "10,50 EUR",
                "Euro 6b",
                "117 g/km",
                "diesel",
            ],
        ),
        (
            Language::Fr,
            [
                "Certificat kilométrique et historique du véhicule",
                "Numéro de châssis (VIN) WDB2030461A000001",
                "Délivré le",
                "20/11/2026 10:41",
                "Valable jusqu'au",
                "20/01/2027",
                "10,50 EUR",
                "Norme Euro Euro 6b",
                "117 g/km",
                "Carburant diesel",
            ],
        ),
        (
            Language::De,
            [
                "Kilometerbescheinigung und Fahrzeughistorie",
                "Fahrgestellnummer (VIN) WDB2030461A000001",
                "Ausgestellt am",
                "20.11.2026 10:41",
                "Gültig bis einschließlich",
                "20.01.2027",
                "10,50 EUR",
                "Euronorm Euro 6b",
                "117 g/km",
                "Kraftstoff Diesel",
            ],
        ),
        (
            Language::En,
            [
                "Odometer certificate and vehicle history",
                "Chassis number (VIN) WDB2030461A000001",
                "Issued on",
                "2026-11-20 10:41",
                "Valid until",
                "2027-01-20",
                "10.50 EUR",
                "Euro norm Euro 6b",
                "117 g/km",
                "Fuel diesel",
            ],
        ),
    ];
    for (lang, musts) in expected {
        let r = write(&twenty(), lang, "twenty");
        let text = text(&r);
        assert!(text.contains("4821-7730-1956-3"), "{lang:?}: {text}");
        assert!(text.contains("Mercedes-Benz"), "{lang:?}: {text}");
        assert!(text.contains("C 220 CDI"), "{lang:?}: {text}");
        for must in musts {
            assert!(text.contains(must), "{lang:?} lacks {must:?}: {text}");
        }
    }
}

#[test]
fn the_history_is_a_table_of_date_odometer_source_with_the_disputed_reading_marked() {
    if !tools() {
        return;
    }
    let cases = [
        (
            Language::Nl,
            "150.100 km",
            "Car-Pass-aanvraag",
            "BETWIST",
            "aanvaarde afwijking",
            "Werkstatt",
        ),
        (
            Language::Fr,
            "150 100 km",
            "Demande de Car-Pass",
            "CONTESTÉ",
            "anomalie acceptée",
            "Werkstatt",
        ),
        (
            Language::De,
            "150.100 km",
            "Car-Pass-Antrag",
            "BESTRITTEN",
            "akzeptierte Abweichung",
            "Garage Peeters",
        ),
        (
            Language::En,
            "150,100 km",
            "Car-Pass request",
            "DISPUTED",
            "accepted anomaly",
            "Werkstatt",
        ),
    ];
    for (lang, value, source, disputed, accepted, _) in cases {
        let r = write(&twenty(), lang, "twenty");
        let text = text(&r);
        for must in [value, source, disputed, accepted] {
            assert!(text.contains(must), "{lang:?} lacks {must:?}: {text}");
        }
        // All twenty rows, numbered, the last one with its registrar.
        assert!(
            text.contains("20 ") && text.contains("Autoveiligheid Kontich"),
            "{text}"
        );
    }
    let de = text(&write(&twenty(), Language::De, "twenty"));
    assert!(de.contains("Werkstatt"), "{de}");
    let nl = text(&write(&twenty(), Language::Nl, "twenty"));
    // Every reading's date and value, in the table's order.
    let mut at = 0;
    for e in &twenty().readings {
        let date = e.date.format("%d/%m/%Y").to_string();
        let found = nl[at..]
            .find(&date)
            .unwrap_or_else(|| panic!("{date} after {at}: {nl}"));
        at += found;
    }
}

#[test]
fn the_mentions_appear_only_when_true_and_accident_and_recalls_say_none_registered() {
    if !tools() {
        return;
    }
    let plain = text(&write(&two(), Language::En, "two"));
    for absent in [
        "imported from abroad",
        "5-digit odometer",
        "was replaced",
        "accepted as correct",
        "disputed",
    ] {
        assert!(!plain.contains(absent), "{absent:?} printed: {plain}");
    }
    assert!(plain.contains("No particular notes."), "{plain}");
    assert!(!plain.contains("RDW"), "no RDW verdict printed: {plain}");
    assert!(
        plain.contains("Post-accident inspection none registered"),
        "{plain}"
    );
    assert!(plain.contains("Open recalls none registered"), "{plain}");
    assert!(plain.contains("free fewer than 4 readings"), "{plain}");

    let full = text(&write(&every_mention(), Language::En, "mentions"));
    for present in [
        "This used vehicle was imported from abroad.",
        "This vehicle has a 5-digit odometer",
        "The odometer was replaced on 2024-08-10.",
        "REQUIRED: reported on 2026-10-02 (Informex IFX-2026-0042177)",
        "RC-24-117 — Airbag inflator (since 2025-01-15)",
        "41,200 mi",
        "First registration in Belgium 2023-06-01",
        "RDW (Netherlands) odometer judgment of the readings up to 2025-09-01: “logisch”",
    ] {
        assert!(full.contains(present), "{present:?} missing: {full}");
    }
    let nl = text(&write(&every_mention(), Language::Nl, "mentions"));
    for present in [
        "Dit tweedehandsvoertuig werd ingevoerd uit het buitenland.",
        "Keuring na ongeval VEREIST",
        "Openstaande terugroepacties RC-24-117",
        "Oordeel van de RDW (Nederland) over de tellerstanden tot",
    ] {
        assert!(nl.contains(present), "{present:?} missing: {nl}");
    }
    let fr = text(&write(&two(), Language::Fr, "two"));
    assert!(
        fr.contains("Contrôle après accident aucun enregistré"),
        "{fr}"
    );
    let de = text(&write(&two(), Language::De, "two"));
    assert!(
        de.contains("Offene Rückrufaktionen keine registriert"),
        "{de}"
    );
    assert!(
        de.contains("kostenlos weniger als 4 Kilometerstände"),
        "{de}"
    );
}

#[test]
fn the_qr_code_on_the_rendered_page_opens_the_verification_url() {
    if !tools() {
        return;
    }
    for (pass, name) in [(twenty(), "twenty"), (two(), "two")] {
        for lang in Language::ALL {
            let r = write(&pass, lang, name);
            // 150 dpi: a phone's photo of the paper has about as many pixels per module.
            let pages = pngs(&r, 150);
            let decoded = run(Command::new("zbarimg")
                .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
                .arg(&pages[0]));
            assert_eq!(decoded.trim(), URL, "{name} {lang:?}");
        }
    }
}

#[test]
fn fonts_are_embedded_subsets_and_the_pdf_stays_small() {
    if !tools() {
        return;
    }
    for lang in Language::ALL {
        let r = write(&twenty(), lang, "twenty");
        assert!(r.bytes <= 150 * 1024, "{lang:?}: {} bytes", r.bytes);
        let fonts = fonts(&r);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            // name (a subset has the ABCDEF+ tag), type, encoding, emb, sub, uni, ...
            assert!(row.contains("DejaVuSansCondensed"), "{row}");
            assert!(
                row.split('+').next().unwrap().len() == 6,
                "not a subset: {row}"
            );
            let flags: Vec<&str> = row.split_whitespace().rev().skip(2).take(3).collect();
            assert_eq!(flags, ["yes", "yes", "yes"], "uni, sub, emb: {row}");
        }
    }
}

#[test]
fn a_long_history_runs_on_to_numbered_pages_and_a_short_one_fits_one() {
    if !tools() {
        return;
    }
    let short = write(&two(), Language::En, "two");
    assert_eq!(pngs(&short, 30).len(), 1);
    assert!(text(&short).contains("page 1/1"));
    let mut long = twenty();
    let more = long.readings.clone();
    long.readings.extend(more.iter().cloned());
    long.readings.extend(more);
    let r = write(&long, Language::En, "sixty");
    let pages = pngs(&r, 30).len();
    assert!(pages >= 2, "{pages}");
    let text = text(&r);
    assert!(text.contains(&format!("page {pages}/{pages}")), "{text}");
    assert!(text.contains("Odometer history (continued)"), "{text}");
}
