//! Validated types and the registry's rules: no HTTP, no SQL, no clock of its own.

pub mod account_action;
pub mod activity;
pub mod calendar;
pub mod car_pass;
pub mod car_pass_id;
pub mod certification;
pub mod enterprise_number;
pub mod feed;
pub mod format;
pub mod issue;
pub mod issue_number;
pub mod issue_state;
pub mod issuing;
pub mod language;
pub mod nace;
pub mod odometer;
pub mod ok_label;
pub mod rdw;
pub mod reading;
pub mod rules;
pub mod search;
pub mod source;
pub mod status;
pub mod trusted_provider;
pub mod vehicle;
pub mod vin;
