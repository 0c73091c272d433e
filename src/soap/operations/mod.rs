//! The operations of the contract (SPEC 3.3), one file each.

mod answers;
mod get_reading_status;
mod list_activities;
mod request_car_pass;
mod request_ok_label;
mod submit_readings;
mod validate_reading;

use super::fault::{Fault, FaultCode};
use super::gate::Gate;
use super::schema::{self, ComplexType, NS};
use super::version::SoapVersion;
use super::xml::Element;
use crate::app::AppState;
use crate::service::operation::Operation;

/// Known by the Body's element, by namespace URI and local name; SOAPAction is only a hint.
pub fn identify(element: &Element) -> Result<Operation, Fault> {
    if element.namespace.as_deref() == Some(NS) {
        if let Some(op) = Operation::ALL
            .into_iter()
            .find(|op| op.name() == &*element.name)
        {
            return Ok(op);
        }
    }
    let names: Vec<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
    Err(Fault::new(
        FaultCode::UnknownOperation,
        format!(
            "unknown operation {}; the operations are {} in the namespace {NS}",
            element.qualified_name(),
            names.join(", ")
        ),
    ))
}

pub fn schema(operation: Operation) -> &'static ComplexType {
    match operation {
        Operation::SubmitReadings => &schema::SUBMIT_READINGS,
        Operation::ValidateReading => &schema::VALIDATE_READING,
        Operation::CorrectIssue => &schema::CORRECT_ISSUE,
        Operation::ConfirmReading => &schema::CONFIRM_READING,
        Operation::GetReadingStatus => &schema::GET_READING_STATUS,
        Operation::RequestOkLabel => &schema::REQUEST_OK_LABEL,
        Operation::RequestCarPass => &schema::REQUEST_CAR_PASS,
        Operation::ListActivities => &schema::LIST_ACTIVITIES,
    }
}

/// Takes the operation's element whole: SubmitReadings lets go of its tree (several MiB
/// for 1000 readings) once decoded, before it waits for the commit. The operations whose
/// first storage step only reads authenticate in it (`Gate::read`); the others first.
pub async fn dispatch(
    operation: Operation,
    state: &AppState,
    gate: &Gate,
    element: Element,
    version: SoapVersion,
    base: &str,
) -> Result<Vec<u8>, Fault> {
    match operation {
        Operation::SubmitReadings => submit_readings::handle(state, gate, element, version).await,
        Operation::ValidateReading => {
            validate_reading::handle(state, gate, &element, version).await
        }
        Operation::GetReadingStatus => {
            get_reading_status::handle(state, gate, &element, version).await
        }
        Operation::RequestOkLabel => request_ok_label::handle(state, gate, &element, version).await,
        Operation::RequestCarPass => {
            let caller = gate.open(state).await?;
            request_car_pass::handle(state, caller, &element, version, base).await
        }
        Operation::ListActivities => Ok(list_activities::handle(&gate.open(state).await?, version)),
        Operation::CorrectIssue => {
            answers::correct_issue(state, gate.open(state).await?, &element, version).await
        }
        Operation::ConfirmReading => {
            answers::confirm_reading(state, gate.open(state).await?, &element, version).await
        }
    }
}
