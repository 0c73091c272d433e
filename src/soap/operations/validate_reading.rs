//! ValidateReading: the issues a reading would raise now, storing nothing, so that a DMS can
//! warn its user before sending.

use crate::service::{inflow, Caller};
use crate::soap::envelope::SoapVersion;
use crate::soap::fault::Fault;
use crate::soap::schema::NS;
use crate::soap::xml::Element;
use crate::soap::{decode, encode};
use crate::startup::AppState;

pub async fn handle(
    state: &AppState,
    caller: Caller,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let path = "ValidateReading/Reading";
    let reading = element
        .child(NS, "Reading")
        .map(|r| decode::reading_input(r, path))
        .transpose()?
        .ok_or_else(|| Fault::new(crate::soap::fault::FaultCode::SchemaViolation, "Reading is missing").at(path))?;
    let now = state.clock.now();
    let (status, issues) = state
        .read(move |conn| inflow::validate(conn, &caller, &reading, now))
        .await?;
    Ok(encode::envelope(version, "ValidateReadingResponse", |w| {
        encode::leaf(w, "ExpectedStatus", status.as_str())?;
        issues.iter().try_for_each(|i| encode::issue(w, "Issue", i))
    }))
}
