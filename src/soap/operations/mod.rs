//! The operations of both contracts, one file each: the garages' inflow (SPEC 3.3) and the
//! partners' feeds (issue 22).

mod answers;
mod clear_post_accident;
mod get_reading_status;
mod list_activities;
mod report_post_accident;
mod request_car_pass;
mod request_ok_label;
mod submit_foreign_history;
mod submit_readings;
mod validate_reading;

use super::fault::Fault;
use super::feeds;
use super::gate::Gate;
use super::schema::{self, ComplexType};
use super::version::SoapVersion;
use super::xml::Element;
use crate::app::AppState;
use crate::service::operation::Operation;

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
        Operation::SubmitForeignHistory => &feeds::SUBMIT_FOREIGN_HISTORY,
        Operation::ReportPostAccident => &feeds::REPORT_POST_ACCIDENT,
        Operation::ClearPostAccident => &feeds::CLEAR_POST_ACCIDENT,
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
        Operation::SubmitForeignHistory => {
            submit_foreign_history::handle(state, gate, &element, version).await
        }
        Operation::ReportPostAccident => {
            report_post_accident::handle(state, gate, &element, version).await
        }
        Operation::ClearPostAccident => {
            clear_post_accident::handle(state, gate, &element, version).await
        }
    }
}
