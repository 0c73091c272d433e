//! `carpass import vehicles FILE.csv`: the vehicle register. Every bad row is reported with its
//! line number, all at once, and nothing of the file is imported.

use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDate;

use super::StaffError;
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;

/// Beyond any road vehicle: a larger figure is a typo (a mass in grams, a CO2 in mg).
const MAX_MASS_KG: u32 = 100_000;
const MAX_CO2_G_KM: u32 = 10_000;

pub const HEADER: [&str; 12] = [
    "vin",
    "make",
    "model",
    "category",
    "mass_kg",
    "first_registration",
    "first_registration_be",
    "imported_used",
    "five_digit_odometer",
    "euro_norm",
    "co2_g_km",
    "fuel",
];

/// Parses the whole file first, so that a bad row stops the import before anything is written;
/// every bad row is reported, so that one run shows all there is to fix.
pub fn parse(file: &str, mut input: impl Read) -> Result<Vec<Vehicle>, StaffError> {
    let error = |line: u64, message: String| StaffError::Csv {
        file: file.to_owned(),
        line,
        message,
    };
    let mut text = Vec::new();
    input
        .read_to_end(&mut text)
        .map_err(|e| error(0, format!("cannot read the file: {e}")))?;
    // The csv crate miscounts lines after CRLF and blank lines: count them from the byte offset.
    let line_at = |byte: u64| -> u64 {
        let mut start = (byte as usize).min(text.len());
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            start += 1;
        }
        text[..start].iter().filter(|b| **b == b'\n').count() as u64 + 1
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_slice());
    let header = reader
        .headers()
        .map_err(|e| error(1, format!("cannot read the header: {e}")))?
        .clone();
    let found: Vec<&str> = header.iter().map(str::trim).collect();
    if found != HEADER {
        // Excel saves "CSV" with semicolons where the decimal separator is a comma, as in
        // Belgium: the whole header then reads as one field.
        if found.len() == 1 && found[0].contains(';') {
            return Err(error(
                1,
                format!(
                    "the columns are separated by ';' (semicolons, as Excel saves CSV in \
                     Belgium), but this import reads ',' (commas): save the file with commas \
                     as the separator; the header must be exactly {}",
                    HEADER.join(",")
                ),
            ));
        }
        return Err(error(
            1,
            format!("the header must be exactly {}", HEADER.join(",")),
        ));
    }
    let mut vehicles = Vec::new();
    let mut errors: Vec<(u64, String)> = Vec::new();
    let mut lines: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
                errors.push((line, e.to_string()));
                continue;
            }
        };
        let line = record.position().map(|p| line_at(p.byte())).unwrap_or(0);
        let vehicle = match row(&record) {
            Ok(vehicle) => vehicle,
            Err(message) => {
                errors.push((line, message));
                continue;
            }
        };
        if let Some(first) = lines.insert(vehicle.vin.as_str().to_owned(), line) {
            errors.push((
                line,
                format!("the VIN {} is already on line {first}", vehicle.vin),
            ));
            continue;
        }
        vehicles.push(vehicle);
    }
    match errors.len() {
        0 => Ok(vehicles),
        1 => {
            let (line, message) = errors.remove(0);
            Err(error(line, message))
        }
        _ => Err(StaffError::CsvRows {
            file: file.to_owned(),
            errors,
        }),
    }
}

fn row(record: &csv::StringRecord) -> Result<Vehicle, String> {
    let field = |i: usize| record.get(i).map(str::trim).filter(|v| !v.is_empty());
    let text = |i: usize| field(i).map(str::to_owned);
    let date = |i: usize| -> Result<Option<NaiveDate>, String> {
        field(i)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| format!("{} '{v}' is not a date like 2019-03-01", HEADER[i]))
            })
            .transpose()
    };
    let boolean = |i: usize| -> Result<Option<bool>, String> {
        field(i).map(|v| boolean(HEADER[i], v)).transpose()
    };
    let number = |i: usize, max: u32| -> Result<Option<u32>, String> {
        field(i)
            .map(|v| match v.parse::<u32>() {
                Ok(n) if n <= max => Ok(n),
                Ok(_) => Err(format!("{} '{v}' is above {max}", HEADER[i])),
                Err(_) => Err(format!("{} '{v}' is not a whole number", HEADER[i])),
            })
            .transpose()
    };
    let raw_vin = field(0).ok_or("vin is empty")?;
    let vin = Vin::parse(raw_vin).map_err(|e| format!("vin '{raw_vin}': {e}"))?;
    Ok(Vehicle {
        vin,
        make: text(1),
        model: text(2),
        category: text(3),
        mass_kg: number(4, MAX_MASS_KG)?,
        first_registration: date(5)?,
        first_registration_be: date(6)?,
        imported_used: boolean(7)?,
        five_digit_odometer: boolean(8)?,
        euro_norm: text(9),
        co2_g_km: number(10, MAX_CO2_G_KM)?,
        fuel: text(11),
    })
}

/// `true`/`false` in any case, as Excel writes them (`TRUE`), also in Dutch, French and German
/// (`WAAR`/`ONWAAR`, `VRAI`/`FAUX`, `WAHR`/`FALSCH`).
fn boolean(column: &str, value: &str) -> Result<bool, String> {
    match value.to_lowercase().as_str() {
        "true" | "waar" | "vrai" | "wahr" => Ok(true),
        "false" | "onwaar" | "faux" | "falsch" => Ok(false),
        _ => Err(format!(
            "{column} '{value}' must be true, false (TRUE and FALSE too) or empty"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "vin,make,model,category,mass_kg,first_registration,first_registration_be,imported_used,five_digit_odometer,euro_norm,co2_g_km,fuel\n";

    #[test]
    fn a_good_file_gives_its_vehicles_with_empty_fields_unknown() {
        let csv = format!(
            "{HEAD}WDB2030461A000001,Mercedes-Benz,C 200,M1,1500,2019-03-01,2019-03-01,false,false,6d,132,petrol\nVF1RFB00X12345678,,,,,,,,,,,\n"
        );
        let vehicles = parse("v.csv", csv.as_bytes()).unwrap();
        assert_eq!(vehicles.len(), 2);
        assert_eq!(vehicles[0].mass_kg, Some(1500));
        assert_eq!(vehicles[0].five_digit_odometer, Some(false));
        assert_eq!(vehicles[1].make, None);
        assert_eq!(vehicles[1].first_registration, None);
    }

    #[test]
    fn a_bad_row_is_reported_with_its_line_number() {
        let csv = format!(
            "{HEAD}WDB2030461A000001,M,C,M1,1500,2019-03-01,2019-03-01,false,false,,,\nWDB2030461A000002,M,C,M1,1500,01/03/2019,,false,false,,,\n"
        );
        let err = parse("v.csv", csv.as_bytes()).unwrap_err().to_string();
        assert!(
            err.starts_with("v.csv, line 3: first_registration '01/03/2019'"),
            "{err}"
        );
        assert!(err.ends_with("nothing of this file was imported"), "{err}");
    }

    #[test]
    fn bad_vins_booleans_numbers_and_duplicates_are_refused() {
        for (row, expected) in [
            ("WDB2030461A00000I,,,,,,,,,,,", "vin 'WDB2030461A00000I'"),
            ("WDB2030461A000001,,,,,,,yes,,,,", "imported_used 'yes'"),
            ("WDB2030461A000001,,,,3.5t,,,,,,,", "mass_kg '3.5t'"),
            (",,,,,,,,,,,", "vin is empty"),
        ] {
            let err = parse("v.csv", format!("{HEAD}{row}\n").as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
        }
        let twice = format!("{HEAD}WDB2030461A000001,,,,,,,,,,,\nWDB2030461A000001,,,,,,,,,,,\n");
        let err = parse("v.csv", twice.as_bytes()).unwrap_err().to_string();
        assert!(
            err.contains("line 3") && err.contains("already on line 2"),
            "{err}"
        );
    }

    #[test]
    fn line_numbers_count_crlf_and_blank_lines() {
        let csv = format!(
            "{}\r\nWDB2030461A000001,,,,,,,,,,,\r\n\r\n\r\nWDB2030461A000002,,,,x,,,,,,,\r\n",
            HEAD.trim_end()
        );
        let err = parse("v.csv", csv.as_bytes()).unwrap_err().to_string();
        assert!(err.starts_with("v.csv, line 5: mass_kg 'x'"), "{err}");
    }

    #[test]
    fn implausibly_large_numbers_are_refused() {
        let csv = format!("{HEAD}WDB2030461A000001,,,,3000000000,,,,,,,\n");
        let err = parse("v.csv", csv.as_bytes()).unwrap_err().to_string();
        assert!(
            err.contains("line 2: mass_kg '3000000000' is above 100000"),
            "{err}"
        );
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let err = parse("v.csv", "vin,make\nX,Y\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1: the header must be exactly vin,make,model"),
            "{err}"
        );
    }

    #[test]
    fn every_bad_row_is_reported_at_once_with_its_line_number() {
        let csv = format!(
            "{HEAD}WDB2030461A000001,,,,x,,,,,,,\nVF1RFB00X12345678,,,,,,,,,,,\nWDB2030461A000002,,,,,2019-13-01,,,,,,\nVF1RFB00X12345678,,,,,,,,,,,\n"
        );
        let err = parse("v.csv", csv.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err,
            "v.csv, line 2: mass_kg 'x' is not a whole number\n\
             v.csv, line 4: first_registration '2019-13-01' is not a date like 2019-03-01\n\
             v.csv, line 5: the VIN VF1RFB00X12345678 is already on line 3\n\
             3 bad rows; nothing of this file was imported"
        );
    }

    #[test]
    fn booleans_are_read_as_excel_writes_them_in_any_case_and_language() {
        for (value, expected) in [
            ("true", true),
            ("TRUE", true),
            ("True", true),
            ("WAAR", true),
            ("VRAI", true),
            ("WAHR", true),
            ("false", false),
            ("FALSE", false),
            ("ONWAAR", false),
            ("FAUX", false),
            ("FALSCH", false),
        ] {
            assert_eq!(boolean("imported_used", value), Ok(expected), "{value}");
        }
        for value in ["yes", "1", "0", "t", "truee"] {
            let err = boolean("imported_used", value).unwrap_err();
            assert!(
                err.contains("must be true, false (TRUE and FALSE too)"),
                "{err}"
            );
        }
        let csv = format!("{HEAD}WDB2030461A000001,,,,,,,TRUE,FALSE,,,\n");
        let vehicles = parse("v.csv", csv.as_bytes()).unwrap();
        assert_eq!(vehicles[0].imported_used, Some(true));
        assert_eq!(vehicles[0].five_digit_odometer, Some(false));
    }

    #[test]
    fn a_file_separated_by_semicolons_is_refused_naming_the_separator() {
        let csv = format!(
            "{}\nWDB2030461A000001;;;;;;;;;;;\n",
            HEAD.trim_end().replace(',', ";")
        );
        let err = parse("v.csv", csv.as_bytes()).unwrap_err().to_string();
        assert!(
            err.starts_with("v.csv, line 1: the columns are separated by ';'"),
            "{err}"
        );
        assert!(err.contains("save the file with commas"), "{err}");
    }
}
