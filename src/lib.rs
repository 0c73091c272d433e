//! carpass: the odometer registry's inflow service. `domain/` holds the rules, `service/` what
//! each operation does, `soap/` the wire, `db/` the storage, `staff/` the registry's tools.

pub mod app;
pub mod certification;
pub mod cli;
pub mod clock;
#[macro_use]
pub mod db;
pub mod document;
pub mod domain;
pub mod metrics;
pub mod service;
pub mod settings;
pub mod soap;
pub mod staff;
pub mod startup;
pub mod web;
