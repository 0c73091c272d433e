//! Certification of DMS software (SPEC 5): the criteria, the scenarios and the operator sheet,
//! what a recorded exchange says, and the evaluation of a recording against the criteria.

pub mod approval;
pub mod criterion;
pub mod evaluation;
pub mod facts;
pub mod review;
pub mod scenario;
