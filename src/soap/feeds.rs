//! The request side of `wsdl/carpass-feeds.xsd` (the partners' feeds, issue 22) as tables, in
//! the inflow's table types and checked by the same validator. `tests/api/contract.rs` compares
//! them with the checked-in XSD, as it does the inflow's.

use super::schema::{
    one, one_of, optional, plain, text, Base, ComplexType, Compositor, Particle, SimpleType,
    TypeRef, CLIENT_INFO, ODOMETER_UNIT, ODOMETER_VALUE, VIN, XS_DATE,
};

pub const NS: &str = "urn:carpass:feeds:1";

/// The most readings one SubmitForeignHistory may carry: a vehicle's whole life abroad.
pub const MAX_FOREIGN_READINGS: u32 = 500;

pub static COUNTRY_CODE: SimpleType = SimpleType {
    pattern: Some(("[A-Z]{2}", is_two_capitals)),
    ..plain("CountryCodeType", Base::String)
};
pub static FOREIGN_SOURCE: SimpleType = text("ForeignSourceType", Some(1), 200);
pub static INFORMEX_REFERENCE: SimpleType = text("InformexReferenceType", Some(1), 40);
pub static INSPECTION_RESULT: SimpleType = one_of("InspectionResultType", &["passed", "failed"]);

fn is_two_capitals(value: &str) -> bool {
    value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())
}

pub static FOREIGN_READING: ComplexType = ComplexType {
    name: "ForeignReadingType",
    compositor: Compositor::Sequence,
    particles: &[
        one("ReadingDate", TypeRef::Builtin(&XS_DATE)),
        one("Odometer", TypeRef::Simple(&ODOMETER_VALUE)),
        optional("OdometerUnit", TypeRef::Simple(&ODOMETER_UNIT)),
        one("Source", TypeRef::Simple(&FOREIGN_SOURCE)),
    ],
};

pub static SUBMIT_FOREIGN_HISTORY: ComplexType = ComplexType {
    name: "SubmitForeignHistoryType",
    compositor: Compositor::Sequence,
    particles: &[
        one("Vin", TypeRef::Simple(&VIN)),
        one("CountryOfOrigin", TypeRef::Simple(&COUNTRY_CODE)),
        Particle {
            name: "Reading",
            ty: TypeRef::Complex(&FOREIGN_READING),
            min: 1,
            max: Some(MAX_FOREIGN_READINGS),
        },
    ],
};

pub static REPORT_POST_ACCIDENT: ComplexType = ComplexType {
    name: "ReportPostAccidentType",
    compositor: Compositor::Sequence,
    particles: &[
        one("Vin", TypeRef::Simple(&VIN)),
        one("ReportDate", TypeRef::Builtin(&XS_DATE)),
        one("InformexReference", TypeRef::Simple(&INFORMEX_REFERENCE)),
    ],
};

pub static CLEAR_POST_ACCIDENT: ComplexType = ComplexType {
    name: "ClearPostAccidentType",
    compositor: Compositor::Sequence,
    particles: &[
        one("Vin", TypeRef::Simple(&VIN)),
        one("InspectionDate", TypeRef::Builtin(&XS_DATE)),
        one("Result", TypeRef::Simple(&INSPECTION_RESULT)),
    ],
};

/// Every complex type the feeds endpoint parses, for the drift test.
pub static REQUEST_TYPES: &[&ComplexType] = &[
    &CLIENT_INFO,
    &FOREIGN_READING,
    &SUBMIT_FOREIGN_HISTORY,
    &REPORT_POST_ACCIDENT,
    &CLEAR_POST_ACCIDENT,
];
