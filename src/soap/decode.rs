//! From elements the schema validator has accepted to domain types. The validator ran first,
//! so every required element is present and every value has its XSD shape.

use super::fault::{Fault, FaultCode};
use super::schema::{self, parse_amount_cents, parse_boolean, parse_date, parse_unsigned_int, NS};
use super::xml::Element;
use crate::domain::language::Language;
use crate::domain::odometer::OdometerUnit;
use crate::domain::reading::{ClientReference, CustomerType, ReadingInput, Submission, Work};
use crate::service::Software;

fn text<'a>(parent: &'a Element, name: &str) -> Option<&'a str> {
    parent.child(NS, name).map(|e| e.text.as_str())
}

/// A value the validator checked; a mismatch here is a bug between the tables and this file.
fn required<T>(value: Option<T>, path: &str, name: &str) -> Result<T, Fault> {
    value.ok_or_else(|| {
        Fault::new(
            FaultCode::SchemaViolation,
            format!("{name} is missing or not valid"),
        )
        .at(format!("{path}/{name}"))
    })
}

/// The ClientInfo header (SPEC 3.2): the caller's language (nl by default) and software.
/// Each contract declares the same header in its own namespace (`ns`).
pub fn client_info_in(ns: &str, headers: &[Element]) -> Result<(Language, Software), Fault> {
    let Some(info) = headers.iter().find(|h| h.is(ns, "ClientInfo")) else {
        return Ok((Language::default(), Software::default()));
    };
    schema::validate_in(ns, info, &schema::CLIENT_INFO, "ClientInfo")
        .map_err(|e| Fault::new(FaultCode::SchemaViolation, e.message).at(e.path))?;
    let text = |name: &str| info.child(ns, name).map(|e| e.text.as_str());
    let language = text("Language")
        .and_then(Language::parse)
        .unwrap_or_default();
    let software = Software {
        builder: text("SoftwareBuilder").map(str::to_owned),
        name: text("SoftwareName").map(str::to_owned),
        version: text("SoftwareVersion").map(str::to_owned),
    };
    Ok((language, software))
}

pub fn submission(reading: &Element, path: &str) -> Result<Submission, Fault> {
    let reference = required(text(reading, "ClientReference"), path, "ClientReference")?;
    let client_reference = ClientReference::parse(reference).map_err(|e| {
        Fault::new(FaultCode::SchemaViolation, e.to_string()).at(format!("{path}/ClientReference"))
    })?;
    Ok(Submission {
        client_reference,
        reading: reading_input(reading, path)?,
    })
}

/// The fields a Reading and a CorrectedReading share.
pub fn reading_input(reading: &Element, path: &str) -> Result<ReadingInput, Fault> {
    let works = reading
        .children_named(NS, "Work")
        .map(|w| Work {
            activity_code: text(w, "ActivityCode").unwrap_or_default().to_owned(),
            description: text(w, "Description").unwrap_or_default().to_owned(),
        })
        .collect();
    Ok(ReadingInput {
        vin: required(text(reading, "Vin"), path, "Vin")?.to_owned(),
        work_date: required(
            text(reading, "WorkDate").and_then(parse_date),
            path,
            "WorkDate",
        )?,
        odometer: required(
            text(reading, "Odometer").and_then(parse_unsigned_int),
            path,
            "Odometer",
        )?
        .into(),
        unit: text(reading, "OdometerUnit")
            .and_then(OdometerUnit::parse)
            .unwrap_or_default(),
        odometer_replaced: text(reading, "OdometerReplaced")
            .and_then(parse_unsigned_int)
            .map(u64::from),
        subcontracted: required(
            text(reading, "Subcontracted").and_then(parse_boolean),
            path,
            "Subcontracted",
        )?,
        customer_type: required(
            text(reading, "CustomerType").and_then(CustomerType::parse),
            path,
            "CustomerType",
        )?,
        invoice_total_cents: required(
            text(reading, "InvoiceTotal").and_then(parse_amount_cents),
            path,
            "InvoiceTotal",
        )?,
        works,
        license_plate: text(reading, "LicensePlate").map(str::to_owned),
        source: crate::domain::source::ReadingSource::Garage,
    })
}

/// A feeds element's child text (the validator ran: a required one is there).
pub fn feeds_text<'a>(parent: &'a Element, path: &str, name: &str) -> Result<&'a str, Fault> {
    required(
        parent
            .child(super::feeds::NS, name)
            .map(|e| e.text.as_str()),
        path,
        name,
    )
}

/// A feeds element's date (xs:date, checked by the validator).
pub fn feeds_date(parent: &Element, path: &str, name: &str) -> Result<chrono::NaiveDate, Fault> {
    required(parse_date(feeds_text(parent, path, name)?), path, name)
}

/// The VIN of a feeds request: a malformed one is the caller's mistake, answered in a fault
/// (a feed has no receipt to carry an issue).
pub fn feeds_vin(parent: &Element, path: &str) -> Result<crate::domain::vin::Vin, Fault> {
    let raw = feeds_text(parent, path, "Vin")?;
    crate::domain::vin::Vin::parse(raw).map_err(|e| {
        Fault::new(
            FaultCode::VinInvalid,
            format!("the VIN '{raw}' is not valid: {e}"),
        )
        .at(format!("{path}/Vin"))
    })
}
