//! RequestCarPass (issue 21): the reading as read now in, its receipt and the Car-Pass (or why
//! none was issued) out, with where to fetch the PDF and where anyone can check it.

use crate::app::AppState;
use crate::domain::car_pass::CarPass;
use crate::domain::odometer::OdometerUnit;
use crate::domain::reading::ClientReference;
use crate::service::car_pass::{self, Outcome, Request};
use crate::service::Caller;
use crate::soap::encode::{self, leaf, XmlWriter};
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::schema::{parse_date, parse_unsigned_int, NS};
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;

pub async fn handle(
    state: &AppState,
    caller: Caller,
    element: &Element,
    version: SoapVersion,
    base: &str,
) -> Result<Vec<u8>, Fault> {
    let request = decode(element)?;
    let now = state.clock.now();
    let language = caller.language;
    let outcome = state
        .run(move |conn| Ok::<_, Fault>(car_pass::request(conn, &caller, &request, now)?))
        .await?;
    if let Outcome::Issued { receipt, .. }
    | Outcome::NotIssued {
        receipt: Some(receipt),
        ..
    } = &outcome
    {
        for issue in &receipt.issues {
            state.metrics.issues_raised(issue.code, 1);
        }
    }
    Ok(encode::envelope(version, "RequestCarPassResponse", |w| {
        match &outcome {
            Outcome::Issued {
                receipt,
                pass,
                earlier,
            } => {
                encode::receipt(w, receipt)?;
                write_pass(w, pass, base)?;
                if let Some(earlier) = earlier {
                    w.create_element("EarlierCarPass")
                        .write_inner_content(|w| {
                            leaf(w, "Id", &earlier.id)?;
                            leaf(w, "IssuedAt", &timestamp(earlier.issued_at))?;
                            leaf(w, "ValidUntil", &earlier.valid_until.to_string())
                        })?;
                }
            }
            Outcome::NotIssued { receipt, reason } => {
                if let Some(receipt) = receipt {
                    encode::receipt(w, receipt)?;
                }
                w.create_element("NotIssued").write_inner_content(|w| {
                    leaf(w, "Code", reason.code())?;
                    leaf(w, "Message", &reason.message(language))
                })?;
            }
        }
        Ok(())
    }))
}

fn decode(element: &Element) -> Result<Request, Fault> {
    let text = |name: &str| element.child(NS, name).map(|e| e.text.as_str());
    let missing = |name: &str| {
        Fault::new(
            FaultCode::SchemaViolation,
            format!("{name} is missing or not valid"),
        )
        .at(format!("RequestCarPass/{name}"))
    };
    let client_reference = ClientReference::parse(text("ClientReference").unwrap_or_default())
        .map_err(|e| {
            Fault::new(FaultCode::SchemaViolation, e.to_string())
                .at("RequestCarPass/ClientReference")
        })?;
    Ok(Request {
        client_reference,
        vin: text("Vin").ok_or_else(|| missing("Vin"))?.to_owned(),
        date: text("ReadingDate")
            .and_then(parse_date)
            .ok_or_else(|| missing("ReadingDate"))?,
        odometer: text("Odometer")
            .and_then(parse_unsigned_int)
            .ok_or_else(|| missing("Odometer"))?
            .into(),
        unit: text("OdometerUnit")
            .and_then(OdometerUnit::parse)
            .unwrap_or_default(),
    })
}

fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A CarPassType, in the XSD's order.
fn write_pass(w: &mut XmlWriter, pass: &CarPass, base: &str) -> std::io::Result<()> {
    let compact: String = pass.id.chars().filter(char::is_ascii_digit).collect();
    w.create_element("CarPass").write_inner_content(|w| {
        leaf(w, "Id", &pass.id)?;
        leaf(w, "Vin", pass.vin.as_str())?;
        let optional = |w: &mut XmlWriter, name: &str, value: Option<String>| match value {
            Some(value) => leaf(w, name, &value),
            None => Ok(()),
        };
        optional(w, "Make", pass.make.clone())?;
        optional(w, "Model", pass.model.clone())?;
        optional(
            w,
            "FirstRegistration",
            pass.first_registration.map(|d| d.to_string()),
        )?;
        optional(
            w,
            "FirstRegistrationBelgium",
            pass.first_registration_be.map(|d| d.to_string()),
        )?;
        optional(w, "EuroNorm", pass.euro_norm.clone())?;
        optional(w, "Co2", pass.co2_g_km.map(|c| c.to_string()))?;
        optional(w, "Fuel", pass.fuel.clone())?;
        leaf(w, "IssuedAt", &timestamp(pass.issued_at))?;
        leaf(w, "ValidUntil", &pass.valid_until.to_string())?;
        let cents = pass.price_cents;
        leaf(w, "Price", &format!("{}.{:02}", cents / 100, cents % 100))?;
        for reading in &pass.readings {
            w.create_element("Reading").write_inner_content(|w| {
                leaf(w, "Date", &reading.date.to_string())?;
                leaf(w, "Odometer", &reading.odometer.to_string())?;
                leaf(w, "OdometerUnit", reading.unit.as_str())?;
                leaf(w, "Source", reading.source.as_str())?;
                leaf(w, "RegisteredBy", &reading.registered_by)?;
                leaf(w, "Disputed", encode::boolean(reading.disputed))?;
                leaf(
                    w,
                    "AcceptedAnomaly",
                    encode::boolean(reading.accepted_anomaly),
                )
            })?;
        }
        let m = &pass.mentions;
        w.create_element("Mentions").write_inner_content(|w| {
            leaf(w, "ImportedUsed", encode::boolean(m.imported_used))?;
            leaf(
                w,
                "FiveDigitOdometer",
                encode::boolean(m.five_digit_odometer),
            )?;
            for date in &m.odometer_replaced {
                leaf(w, "OdometerReplaced", &date.to_string())?;
            }
            leaf(
                w,
                "AcceptedAnomalies",
                encode::boolean(m.accepted_anomalies),
            )?;
            if let Some(pending) = &m.post_accident_pending {
                w.create_element("PostAccidentInspection")
                    .write_inner_content(|w| {
                        leaf(w, "ReportedOn", &pending.reported_on.to_string())?;
                        leaf(w, "Reference", &pending.informex_reference)
                    })?;
            }
            for recall in &m.open_recalls {
                w.create_element("OpenRecall").write_inner_content(|w| {
                    leaf(w, "Reference", &recall.reference)?;
                    leaf(w, "Title", &recall.title)?;
                    leaf(w, "OpenedOn", &recall.opened_on.to_string())
                })?;
            }
            if let Some(judgment) = &m.rdw_verdict {
                w.create_element("RdwVerdict").write_inner_content(|w| {
                    leaf(w, "Verdict", judgment.verdict.word())?;
                    leaf(w, "JudgedOn", &judgment.judged_on.to_string())
                })?;
            }
            Ok(())
        })?;
        leaf(w, "PdfUrl", &format!("{base}/car-pass/{compact}.pdf"))?;
        leaf(w, "VerifyUrl", &format!("{base}/verify/{compact}"))
    })?;
    Ok(())
}
