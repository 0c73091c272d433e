//! Documents the registry gives out: the Car-Pass as a PDF (krilla writes it, with the shipped
//! fonts embedded and subset; qrcode encodes its verification link). Reads `domain` only.

mod canvas;
mod car_pass;
mod chart;
pub mod words;

pub use car_pass::car_pass_pdf;
