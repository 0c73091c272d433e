//! Staff overrides of a criterion (SPEC 5.3, issue 18): after reviewing a session, staff may
//! settle a criterion otherwise than the harness did, with a reason. The evaluation keeps what
//! the harness found beside the override, so that every report says both.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::criterion::Criterion;
use super::evaluation::{certifiable, Evaluation, Verdict};

/// What staff decided on a criterion, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub criterion: Criterion,
    pub passed: bool,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// An override as a report keeps it: the harness's verdict and reason, and the staff's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overridden {
    pub criterion: Criterion,
    pub harness_verdict: Verdict,
    pub harness_reason: String,
    pub verdict: Verdict,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The evaluation with the latest override of each criterion applied (given oldest first),
/// and what each one replaced. A criterion awaiting a staff verdict is settled by the verdict,
/// not overridden: it stays as it is. Certifiable is decided again from the result.
pub fn overridden(
    mut evaluation: Evaluation,
    overrides: &[Override],
) -> (Evaluation, Vec<Overridden>) {
    let mut applied = Vec::new();
    for result in &mut evaluation.criteria {
        let Some(o) = overrides
            .iter()
            .rev()
            .find(|o| o.criterion == result.criterion)
        else {
            continue;
        };
        if result.verdict == Verdict::AwaitingStaffReview {
            continue;
        }
        let verdict = if o.passed {
            Verdict::Passed
        } else {
            Verdict::Failed
        };
        let reason = format!(
            "overridden by {} on {}: {}; the harness found it {}: {}",
            o.by,
            o.at.format("%Y-%m-%d"),
            o.reason,
            result.verdict.as_str(),
            result.reason
        );
        applied.push(Overridden {
            criterion: result.criterion,
            harness_verdict: result.verdict,
            harness_reason: std::mem::replace(&mut result.reason, reason),
            verdict,
            reason: o.reason.clone(),
            by: o.by.clone(),
            at: o.at,
        });
        result.verdict = verdict;
    }
    evaluation.certifiable = certifiable(&evaluation.criteria);
    (evaluation, applied)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::certification::evaluation::CriterionResult;

    fn evaluation(failed: Criterion, awaiting: Criterion) -> Evaluation {
        let criteria: Vec<CriterionResult> = Criterion::ALL
            .into_iter()
            .map(|c| CriterionResult {
                criterion: c,
                mandatory: c.mandatory(),
                title: c.title().into(),
                spec: c.spec().into(),
                verdict: if c == failed {
                    Verdict::Failed
                } else if c == awaiting {
                    Verdict::AwaitingStaffReview
                } else {
                    Verdict::Passed
                },
                step: Some(1),
                exchanges: vec![1],
                reason: format!("{c} as found"),
            })
            .collect();
        Evaluation {
            certifiable: certifiable(&criteria),
            criteria,
            checks: vec![],
        }
    }

    fn by_staff(criterion: Criterion, passed: bool, reason: &str) -> Override {
        Override {
            criterion,
            passed,
            reason: reason.into(),
            by: "staff.anna".into(),
            at: Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap(),
        }
    }

    #[test]
    fn an_override_settles_the_criterion_and_keeps_what_the_harness_found() {
        let before = evaluation(Criterion::C03, Criterion::C07);
        assert!(!before.certifiable);
        let (after, applied) = overridden(
            before,
            &[by_staff(
                Criterion::C03,
                true,
                "the fixture's history was wrong",
            )],
        );
        assert!(after.certifiable);
        let c03 = after.result(Criterion::C03);
        assert_eq!(c03.verdict, Verdict::Passed);
        assert_eq!(
            c03.reason,
            "overridden by staff.anna on 2026-12-06: the fixture's history was wrong; the harness found it failed: C03 as found"
        );
        assert_eq!(applied.len(), 1);
        assert_eq!(applied[0].harness_verdict, Verdict::Failed);
        assert_eq!(applied[0].harness_reason, "C03 as found");
        assert_eq!(applied[0].verdict, Verdict::Passed);
    }

    #[test]
    fn the_latest_override_counts_and_a_failing_one_blocks_certification() {
        let (after, applied) = overridden(
            evaluation(Criterion::C16, Criterion::C07),
            &[
                by_staff(Criterion::C05, true, "first"),
                by_staff(Criterion::C05, false, "on second look, too late"),
            ],
        );
        assert_eq!(after.result(Criterion::C05).verdict, Verdict::Failed);
        assert!(!after.certifiable);
        assert_eq!(applied.len(), 1);
        assert_eq!(applied[0].reason, "on second look, too late");
    }

    #[test]
    fn a_criterion_awaiting_a_verdict_is_not_overridden() {
        let before = evaluation(Criterion::C16, Criterion::C07);
        let (after, applied) = overridden(
            before.clone(),
            &[by_staff(Criterion::C07, false, "not a verdict")],
        );
        assert!(applied.is_empty());
        assert_eq!(after, before);
    }
}
