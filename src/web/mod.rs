//! Plain HTTP pages beside the SOAP endpoint.

pub mod approved_dms;
pub mod car_pass_pdf;
pub mod certify;
pub mod certify_api;
pub mod feeds;
pub mod health;
pub mod label;
pub mod metrics;
pub mod page;
pub mod public;
pub mod staff;
pub mod verify;
