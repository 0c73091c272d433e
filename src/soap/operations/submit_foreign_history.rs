//! SubmitForeignHistory (importers, the manufacturer role): a vehicle's readings from its
//! country of origin; one result per reading, in the order sent.

use crate::app::AppState;
use crate::domain::calendar::brussels_date;
use crate::domain::country::Country;
use crate::domain::odometer::OdometerUnit;
use crate::service::foreign_history::{self, ForeignReading, Outcome, Refusal};
use crate::soap::decode::{feeds_date, feeds_text, feeds_vin};
use crate::soap::encode::{self, boolean, leaf};
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::feeds::NS;
use crate::soap::gate::Gate;
use crate::soap::schema::parse_unsigned_int;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;

const PATH: &str = "SubmitForeignHistory";

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let caller = gate.open(state).await?;
    let vin = feeds_vin(element, PATH)?;
    let raw = feeds_text(element, PATH, "CountryOfOrigin")?;
    let country = Country::parse(raw).map_err(|e| {
        Fault::new(FaultCode::CountryInvalid, e).at(format!("{PATH}/CountryOfOrigin"))
    })?;
    let sent = element
        .children_named(NS, "Reading")
        .enumerate()
        .map(|(i, r)| reading(r, &format!("{PATH}/Reading[{}]", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    let now = state.clock.now();
    let today = brussels_date(now);
    let answer = state
        .run(move |conn| {
            foreign_history::submit(conn, &caller, &vin, country, &sent, today, now.naive_utc())
                .map(|outcome| outcome.map(|outcomes| (vin, sent, outcomes)))
        })
        .await?;
    let (vin, sent, outcomes) = answer.map_err(|refusal| {
        let code = match refusal {
            Refusal::VinUnknown { .. } => FaultCode::VinUnknown,
            Refusal::Belgium => FaultCode::CountryInvalid,
        };
        Fault::new(code, format!("{refusal}; nothing was stored"))
    })?;
    Ok(encode::envelope_in(
        NS,
        version,
        "SubmitForeignHistoryResponse",
        |w| {
            leaf(w, "Vin", vin.as_str())?;
            leaf(w, "CountryOfOrigin", country.as_str())?;
            for (position, (reading, outcome)) in sent.iter().zip(&outcomes).enumerate() {
                w.create_element("Result").write_inner_content(|w| {
                    leaf(w, "Position", &(position + 1).to_string())?;
                    leaf(w, "ReadingDate", &reading.date.to_string())?;
                    leaf(w, "Odometer", &reading.odometer.to_string())?;
                    leaf(w, "OdometerUnit", reading.unit.as_str())?;
                    match outcome {
                        Outcome::Stored { reading_id, resent } => {
                            leaf(w, "Outcome", "stored")?;
                            leaf(w, "ReadingId", reading_id)?;
                            leaf(w, "Resent", boolean(*resent))
                        }
                        Outcome::Conflict {
                            reading_id,
                            reason,
                            message,
                            resent,
                        } => {
                            leaf(w, "Outcome", "conflict")?;
                            leaf(w, "ReadingId", reading_id)?;
                            leaf(w, "Resent", boolean(*resent))?;
                            leaf(w, "Reason", reason)?;
                            leaf(w, "Message", message)
                        }
                        Outcome::Refused { reason, message } => {
                            leaf(w, "Outcome", "refused")?;
                            leaf(w, "Resent", "false")?;
                            leaf(w, "Reason", reason)?;
                            leaf(w, "Message", message)
                        }
                    }
                })?;
            }
            Ok(())
        },
    ))
}

fn reading(element: &Element, path: &str) -> Result<ForeignReading, Fault> {
    let raw = feeds_text(element, path, "Odometer")?;
    let odometer = parse_unsigned_int(raw).ok_or_else(|| {
        Fault::new(
            FaultCode::SchemaViolation,
            format!("'{raw}' is not a whole number"),
        )
        .at(format!("{path}/Odometer"))
    })?;
    let unit = element
        .child(NS, "OdometerUnit")
        .and_then(|u| OdometerUnit::parse(&u.text))
        .unwrap_or_default();
    let source = feeds_text(element, path, "Source")?.trim();
    if source.is_empty() {
        return Err(Fault::new(
            FaultCode::SchemaViolation,
            "the source is blank: name the foreign registry or garage that read the odometer",
        )
        .at(format!("{path}/Source")));
    }
    Ok(ForeignReading {
        date: feeds_date(element, path, "ReadingDate")?,
        odometer: odometer.into(),
        unit,
        source: source.to_owned(),
    })
}
