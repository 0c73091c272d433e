//! GetReadingStatus: the current receipt of a reading, its values and their audit trail.

use crate::app::AppState;
use crate::service::status::{self, ReadingKey};
use crate::soap::encode::{self, leaf};
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::gate::Gate;
use crate::soap::schema::NS;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let key = match element.child(NS, "ReadingId") {
        Some(id) => ReadingKey::ReadingId(id.text.clone()),
        None => ReadingKey::ClientReference(
            element
                .child(NS, "ClientReference")
                .map(|e| e.text.clone())
                .unwrap_or_default(),
        ),
    };
    let asked = match &key {
        ReadingKey::ReadingId(id) => format!("ReadingId {id}"),
        ReadingKey::ClientReference(r) => format!("ClientReference {r}"),
    };
    let (_, report) = gate
        .read(state, move |conn, caller| {
            Ok(status::report(conn, caller, &key)?)
        })
        .await?;
    let report = report.ok_or_else(|| {
        Fault::new(
            FaultCode::ReadingNotFound,
            format!("there is no reading with {asked} among your readings"),
        )
    })?;
    Ok(encode::envelope(version, "GetReadingStatusResponse", |w| {
        encode::receipt(w, &report.receipt)?;
        encode::reading_values(w, "Reading", &report.values)?;
        for change in &report.changes {
            w.create_element("Correction").write_inner_content(|w| {
                leaf(
                    w,
                    "ChangedAt",
                    &change.at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                )?;
                leaf(w, "ChangedBy", &change.by)?;
                leaf(w, "Channel", &change.channel)?;
                if let Some(number) = change.issue_number {
                    leaf(w, "IssueNumber", &number.to_string())?;
                }
                if let Some(form) = &change.form_reference {
                    leaf(w, "FormReference", form)?;
                }
                encode::reading_values(w, "Previous", &change.previous)
            })?;
        }
        Ok(())
    }))
}
