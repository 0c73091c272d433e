//! SubmitReadings: 1..1000 readings in, one receipt per reading out, in order.

use crate::app::AppState;
use crate::service::inflow::{self, Batch};
use crate::soap::fault::Fault;
use crate::soap::gate::Gate;
use crate::soap::schema::NS;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;
use crate::soap::{decode, encode};

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let submissions = gate.schema().and_then(|()| {
        element
            .children_named(NS, "Reading")
            .enumerate()
            .map(|(i, reading)| {
                decode::submission(reading, &format!("SubmitReadings/Reading[{}]", i + 1))
            })
            .collect::<Result<Vec<_>, _>>()
    });
    drop(element);
    let received = state.clock.now();
    // Resends are answered in the authentication's read; the writer gets only the new readings.
    let (caller, (submissions, resent)) = gate
        .read(state, move |conn, caller| {
            Ok(inflow::prepare(conn, caller, submissions?)?)
        })
        .await?;
    let stored = if submissions.is_empty() {
        Vec::new()
    } else {
        let batch = Batch {
            caller,
            submissions,
            received,
        };
        state.committer.submit(batch).await?
    };
    let receipts = resent.merge(stored);
    // For /metrics, the issues on the receipts sent. ValidateReading only predicts issues, and
    // CorrectIssue's and ConfirmReading's receipts repeat a reading's earlier ones: neither
    // counts. A resent ClientReference gets its original receipt, whose issues count again.
    for issue in receipts.iter().flat_map(|r| &r.issues) {
        state.metrics.issues_raised(issue.code, 1);
    }
    Ok(encode::envelope(version, "SubmitReadingsResponse", |w| {
        receipts.iter().try_for_each(|r| encode::receipt(w, r))
    }))
}
