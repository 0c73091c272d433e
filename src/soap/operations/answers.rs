//! CorrectIssue and ConfirmReading: the one electronic answer to an issue, by its number.

use crate::app::AppState;
use crate::domain::issue_number::IssueNumber;
use crate::service::corrections::{self, Answer, AnswerRefused};
use crate::service::Caller;
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::schema::NS;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;
use crate::soap::{decode, encode};

pub async fn correct_issue(
    state: &AppState,
    caller: Caller,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let number = issue_number(element, "CorrectIssue")?;
    let path = "CorrectIssue/Correction";
    let correction = element
        .child(NS, "Correction")
        .ok_or_else(|| Fault::new(FaultCode::SchemaViolation, "Correction is missing").at(path))?;
    let answer = Answer::Correction(decode::reading_input(correction, path)?);
    run(
        state,
        caller,
        number,
        answer,
        "CorrectIssueResponse",
        version,
    )
    .await
}

pub async fn confirm_reading(
    state: &AppState,
    caller: Caller,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let number = issue_number(element, "ConfirmReading")?;
    let note = element.child(NS, "Note").map(|n| n.text.clone());
    run(
        state,
        caller,
        number,
        Answer::Confirmation(note),
        "ConfirmReadingResponse",
        version,
    )
    .await
}

/// SPEC 3.5: the check digit catches a typo before anything is looked up.
fn issue_number(element: &Element, operation: &str) -> Result<IssueNumber, Fault> {
    let raw = element
        .child(NS, "IssueNumber")
        .map(|e| e.text.as_str())
        .unwrap_or("");
    IssueNumber::parse(raw).map_err(|e| {
        Fault::new(FaultCode::IssueNumberInvalid, format!("'{raw}': {e}"))
            .at(format!("{operation}/IssueNumber"))
    })
}

async fn run(
    state: &AppState,
    caller: Caller,
    number: IssueNumber,
    answer: Answer,
    response: &str,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let now = state.clock.now();
    let outcome = state
        .run(move |conn| corrections::answer(conn, &caller, number, &answer, now))
        .await?;
    match outcome {
        Ok(receipt) => Ok(encode::envelope(version, response, |w| encode::receipt(w, &receipt))),
        Err(AnswerRefused::NotFound) => Err(Fault::new(
            FaultCode::IssueNotFound,
            format!("there is no issue {number} on your company's readings; check the number on the receipt"),
        )),
        Err(AnswerRefused::NotAnError(code)) => Err(Fault::new(
            FaultCode::IssueNotAnswerable,
            format!(
                "issue {number} is a {} ({}): only Error issues are corrected or confirmed; the reading is kept as it is",
                code.severity().as_str(),
                code.as_str()
            ),
        )),
    }
}
