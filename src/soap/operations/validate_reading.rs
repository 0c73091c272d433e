//! ValidateReading: the issues a reading would raise now, storing nothing, so that a DMS can
//! warn its user before sending.

use crate::app::AppState;
use crate::service::inflow;
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::gate::Gate;
use crate::soap::schema::NS;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;
use crate::soap::{decode, encode};

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let path = "ValidateReading/Reading";
    let reading = gate.schema().and_then(|()| {
        element
            .child(NS, "Reading")
            .map(|r| decode::reading_input(r, path))
            .transpose()?
            .ok_or_else(|| Fault::new(FaultCode::SchemaViolation, "Reading is missing").at(path))
    });
    let now = state.clock.now();
    let (_, (status, issues)) = gate
        .read(state, move |conn, caller| {
            Ok(inflow::validate(conn, caller, &reading?, now)?)
        })
        .await?;
    Ok(encode::envelope(version, "ValidateReadingResponse", |w| {
        encode::leaf(w, "ExpectedStatus", status.as_str())?;
        issues.iter().try_for_each(|i| encode::issue(w, "Issue", i))
    }))
}
