//! ReportPostAccident (accident experts): a vehicle must pass a post-accident inspection before
//! it may drive again. Answers the inspection now pending.

use crate::app::AppState;
use crate::domain::calendar::brussels_date;
use crate::domain::post_accident::InformexReference;
use crate::service::post_accident::{self, Refusal};
use crate::soap::decode::{feeds_date, feeds_text, feeds_vin};
use crate::soap::encode::{self, leaf};
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::feeds::NS;
use crate::soap::gate::Gate;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;

const PATH: &str = "ReportPostAccident";

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let caller = gate.open(state).await?;
    let vin = feeds_vin(element, PATH)?;
    let date = feeds_date(element, PATH, "ReportDate")?;
    let raw = feeds_text(element, PATH, "InformexReference")?;
    let reference = InformexReference::parse(raw).map_err(|e| {
        Fault::new(FaultCode::SchemaViolation, e).at(format!("{PATH}/InformexReference"))
    })?;
    let now = state.clock.now();
    let today = brussels_date(now);
    let recorded = state
        .run(move |conn| {
            post_accident::report(
                conn,
                &caller,
                &vin,
                date,
                &reference,
                today,
                now.naive_utc(),
            )
            .map(|outcome| outcome.map(|pending| (vin, pending)))
        })
        .await?;
    let (vin, pending) = recorded.map_err(|refusal| refused(&refusal))?;
    Ok(encode::envelope_in(
        NS,
        version,
        "ReportPostAccidentResponse",
        |w| {
            leaf(w, "Vin", vin.as_str())?;
            leaf(w, "InspectionPending", "true")?;
            leaf(w, "ReportDate", &pending.reported_on.to_string())?;
            leaf(w, "InformexReference", &pending.informex_reference)
        },
    ))
}

/// A refused report or inspection as its fault; nothing was recorded.
pub fn refused(refusal: &Refusal) -> Fault {
    use crate::domain::post_accident::Refused;
    let code = match refusal {
        Refusal::VinUnknown { .. } => FaultCode::VinUnknown,
        Refusal::Duplicate { .. } => FaultCode::InformexDuplicate,
        Refusal::Rule(Refused::NothingPending { .. }) => FaultCode::NothingPending,
        Refusal::Rule(Refused::DateInFuture { .. } | Refused::BeforeReport { .. }) => {
            FaultCode::DateInvalid
        }
    };
    Fault::new(code, format!("{refusal}; nothing was recorded"))
}
