//! RequestOkLabel: may this advert carry the OK label? Every reason that refuses it, the last
//! reading, and a LabelId when granted.

use crate::app::AppState;
use crate::service::labels;
use crate::soap::encode::{self, leaf};
use crate::soap::fault::Fault;
use crate::soap::gate::Gate;
use crate::soap::schema::{parse_unsigned_int, NS};
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let text = |name: &str| element.child(NS, name).map(|e| e.text.clone());
    let vin = text("Vin").unwrap_or_default();
    let advertised = text("AdvertisedOdometer")
        .as_deref()
        .and_then(parse_unsigned_int)
        .unwrap_or_default()
        .into();
    let reference = text("AdvertReference");
    let now = state.clock.now();
    // Judged in the authentication's read; only a granted label is written.
    let judged_vin = vin.clone();
    let (caller, verdict) = gate
        .read(state, move |conn, _| {
            Ok(labels::judge(conn, &judged_vin, advertised, now)?)
        })
        .await?;
    let language = caller.language;
    let label_id = if verdict.granted() {
        Some(
            state
                .run(move |conn| labels::grant(conn, &caller, &vin, advertised, reference, now))
                .await?,
        )
    } else {
        None
    };
    Ok(encode::envelope(version, "RequestOkLabelResponse", |w| {
        leaf(w, "Granted", encode::boolean(verdict.granted()))?;
        if let Some(id) = &label_id {
            leaf(w, "LabelId", id)?;
        }
        for reason in &verdict.reasons {
            w.create_element("Reason").write_inner_content(|w| {
                leaf(w, "Code", reason.code())?;
                leaf(w, "Message", &reason.message(language))
            })?;
        }
        if let Some(last) = verdict.last_reading {
            w.create_element("LastReading").write_inner_content(|w| {
                leaf(w, "Date", &last.date.to_string())?;
                leaf(w, "Odometer", &last.odometer.to_string())?;
                leaf(w, "OdometerUnit", last.unit.as_str())
            })?;
        }
        Ok(())
    }))
}
