//! ReportRecall (manufacturers and importers): a recall campaign open on a list of vehicles,
//! all or nothing. Answers, per VIN, whether it was reported now or had the recall already.

use crate::app::AppState;
use crate::domain::language::Language;
use crate::domain::recall::RecallProblem;
use crate::service::recalls::{self, RecallError, Report};
use crate::soap::decode::{feeds_date, feeds_text};
use crate::soap::encode::{self, leaf};
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::feeds::NS;
use crate::soap::gate::Gate;
use crate::soap::version::SoapVersion;
use crate::soap::xml::Element;

const PATH: &str = "ReportRecall";

pub async fn handle(
    state: &AppState,
    gate: &Gate,
    element: &Element,
    version: SoapVersion,
) -> Result<Vec<u8>, Fault> {
    let caller = gate.open(state).await?;
    let title = |name: &str| element.child(NS, name).map(|e| e.text.clone());
    let report = Report {
        vins: element
            .children_named(NS, "Vin")
            .map(|e| e.text.clone())
            .collect(),
        reference: feeds_text(element, PATH, "RecallReference")?.to_owned(),
        title_nl: title("TitleNl"),
        title_fr: title("TitleFr"),
        title_de: title("TitleDe"),
        title_en: title("TitleEn"),
        opened_on: feeds_date(element, PATH, "OpenedOn")?,
    };
    let now = state.clock.now();
    let company = caller.account.company_id;
    let reported = state
        .run(move |conn| recalls::report(conn, company, &report, now))
        .await
        .map_err(|e| refused(e, PATH))?;
    Ok(encode::envelope_in(
        NS,
        version,
        "ReportRecallResponse",
        |w| {
            leaf(w, "RecallReference", reported.reference.as_str())?;
            for (vin, already) in &reported.vehicles {
                let outcome = if *already {
                    "already_reported"
                } else {
                    "reported"
                };
                w.create_element("Vehicle").write_inner_content(|w| {
                    leaf(w, "Vin", vin.as_str())?;
                    leaf(w, "Outcome", outcome)
                })?;
            }
            Ok(())
        },
    ))
}

/// A refused report or close as its fault, naming the element at fault; nothing was changed.
pub fn refused(error: RecallError, path: &str) -> Fault {
    let problem = match error {
        RecallError::Service(e) => return e.into(),
        RecallError::BadVins { ref invalid, .. } => {
            let code = if invalid.is_empty() {
                FaultCode::VinUnknown
            } else {
                FaultCode::VinInvalid
            };
            return Fault::new(code, error.to_string()).at(format!("{path}/Vin"));
        }
        RecallError::Invalid(ref problem) => problem,
    };
    let title = |lang: &Language| {
        let name = match lang {
            Language::Nl => "TitleNl",
            Language::Fr => "TitleFr",
            Language::De => "TitleDe",
            Language::En => "TitleEn",
        };
        (FaultCode::SchemaViolation, Some(name))
    };
    let (code, element) = match problem {
        RecallProblem::ReferenceLength { .. } | RecallProblem::ReferenceCharacter { .. } => {
            (FaultCode::SchemaViolation, Some("RecallReference"))
        }
        RecallProblem::TitleMissing { lang }
        | RecallProblem::TitleTooLong { lang, .. }
        | RecallProblem::TitleControl { lang } => title(lang),
        RecallProblem::VinCount { .. } => (FaultCode::SchemaViolation, Some("Vin")),
        RecallProblem::OpenedInFuture { .. } => (FaultCode::DateInvalid, Some("OpenedOn")),
        RecallProblem::ClosedInFuture { .. } | RecallProblem::ClosedBeforeOpening { .. } => {
            (FaultCode::DateInvalid, Some("ClosedOn"))
        }
        RecallProblem::Unknown { .. } => (FaultCode::RecallUnknown, Some("RecallReference")),
        RecallProblem::AlreadyClosed { .. } => (FaultCode::RecallClosed, None),
        RecallProblem::ReportedByAnother { .. } => (FaultCode::RecallOtherCompany, None),
    };
    let fault = Fault::new(code, error.to_string());
    match element {
        Some(name) => fault.at(format!("{path}/{name}")),
        None => fault,
    }
}
