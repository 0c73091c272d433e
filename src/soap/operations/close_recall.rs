//! CloseRecall (manufacturers and importers): the company that reported a recall closes it for
//! one vehicle.

use crate::app::AppState;
use crate::service::recalls::{self, Close};
use crate::soap::decode::{feeds_date, feeds_text};
use crate::soap::encode::{self, leaf};
use crate::soap::fault::Fault;
use crate::soap::feeds::NS;
use crate::soap::gate::Gate;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;

use super::report_recall::refused;

const PATH: &str = "CloseRecall";

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let caller = gate.open(state).await?;
    let close = Close {
        vin: feeds_text(element, PATH, "Vin")?.to_owned(),
        reference: feeds_text(element, PATH, "RecallReference")?.to_owned(),
        closed_on: feeds_date(element, PATH, "ClosedOn")?,
    };
    let closed_on = close.closed_on;
    let now = state.clock.now();
    let company = caller.account.company_id;
    let (vin, reference) = state
        .run(move |conn| recalls::close(conn, company, &close, now))
        .await
        .map_err(|e| refused(e, PATH))?;
    Ok(encode::envelope_in(
        NS,
        version,
        "CloseRecallResponse",
        |w| {
            leaf(w, "Vin", vin.as_str())?;
            leaf(w, "RecallReference", reference.as_str())?;
            leaf(w, "ClosedOn", &closed_on.to_string())
        },
    ))
}
