//! Integration tests: a real server on a random port, real XML on the wire, a real database.

#[macro_use]
mod helpers;

mod accounts;
mod approvals;
mod car_pass;
mod certification_review;
mod certify;
mod certify_api;
mod certify_recording;
mod contract;
mod corrections;
mod faults;
mod feeds;
mod health;
mod hostile;
mod labels;
mod partner_feeds;
mod rdw;
mod recalls;
mod register;
mod review;
mod staff_pages;
mod submit;
