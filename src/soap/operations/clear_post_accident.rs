//! ClearPostAccident (inspection centres): the result of a post-accident inspection. Passed
//! clears the pending inspection; failed is recorded and leaves it pending.

use crate::app::AppState;
use crate::domain::calendar::brussels_date;
use crate::domain::post_accident::InspectionResult;
use crate::service::post_accident;
use crate::soap::decode::{feeds_date, feeds_text, feeds_vin};
use crate::soap::encode::{self, boolean, leaf};
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::feeds::NS;
use crate::soap::gate::Gate;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;

use super::report_post_accident::refused;

const PATH: &str = "ClearPostAccident";

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let caller = gate.open(state).await?;
    let vin = feeds_vin(element, PATH)?;
    let date = feeds_date(element, PATH, "InspectionDate")?;
    let raw = feeds_text(element, PATH, "Result")?;
    let result = InspectionResult::parse(raw).ok_or_else(|| {
        Fault::new(
            FaultCode::SchemaViolation,
            format!("'{raw}' is not a result: use passed or failed"),
        )
        .at(format!("{PATH}/Result"))
    })?;
    let now = state.clock.now();
    let today = brussels_date(now);
    let recorded = state
        .run(move |conn| {
            post_accident::inspect(conn, &caller, &vin, date, result, today, now.naive_utc())
                .map(|outcome| outcome.map(|inspected| (vin, inspected)))
        })
        .await?;
    let (vin, inspected) = recorded.map_err(|refusal| refused(&refusal))?;
    Ok(encode::envelope_in(
        NS,
        version,
        "ClearPostAccidentResponse",
        |w| {
            leaf(w, "Vin", vin.as_str())?;
            leaf(w, "Result", inspected.result.as_str())?;
            leaf(
                w,
                "InspectionPending",
                boolean(inspected.still_pending.is_some()),
            )?;
            if let Some(pending) = &inspected.still_pending {
                leaf(w, "InformexReference", &pending.informex_reference)?;
            }
            Ok(())
        },
    ))
}
