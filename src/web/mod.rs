//! Plain HTTP pages beside the SOAP endpoint.

pub mod car_pass_pdf;
pub mod certify;
pub mod health;
pub mod label;
pub mod metrics;
pub mod page;
pub mod public;
pub mod staff;
pub mod verify;
