//! The request side of `wsdl/carpass-inflow.xsd` as tables, and the validator that applies them.
//!
//! The server parses exactly what these tables say, and `tests/api/contract.rs` compares them
//! with the checked-in XSD, so the published contract and the parser cannot drift apart
//! (SPEC 3.1). The XSD carries shapes only; business rules become receipt issues.

use super::xml::Element;

pub const NS: &str = "urn:carpass:inflow:1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    String,
    Date,
    Boolean,
    UnsignedInt,
    Decimal,
}

impl Base {
    pub fn xsd_name(self) -> &'static str {
        match self {
            Base::String => "string",
            Base::Date => "date",
            Base::Boolean => "boolean",
            Base::UnsignedInt => "unsignedInt",
            Base::Decimal => "decimal",
        }
    }
}

/// An XSD pattern and the check that implements it.
pub type Pattern = (&'static str, fn(&str) -> bool);

/// A named simple type with the facets the XSD gives it.
#[derive(Debug)]
pub struct SimpleType {
    pub name: &'static str,
    pub base: Base,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub enumeration: &'static [&'static str],
    /// The XSD pattern, and the check that implements it.
    pub pattern: Option<Pattern>,
    pub min_inclusive: Option<&'static str>,
    pub total_digits: Option<usize>,
    pub fraction_digits: Option<usize>,
}

pub const fn plain(name: &'static str, base: Base) -> SimpleType {
    SimpleType {
        name,
        base,
        min_length: None,
        max_length: None,
        enumeration: &[],
        pattern: None,
        min_inclusive: None,
        total_digits: None,
        fraction_digits: None,
    }
}

pub const fn text(name: &'static str, min: Option<usize>, max: usize) -> SimpleType {
    SimpleType {
        min_length: min,
        max_length: Some(max),
        ..plain(name, Base::String)
    }
}

pub const fn one_of(name: &'static str, values: &'static [&'static str]) -> SimpleType {
    SimpleType {
        enumeration: values,
        ..plain(name, Base::String)
    }
}

pub static CLIENT_REFERENCE: SimpleType = text("ClientReferenceType", Some(1), 64);
pub static VIN: SimpleType = text("VinType", None, 32);
pub static ISSUE_NUMBER: SimpleType = text("IssueNumberType", Some(1), 24);
pub static ODOMETER_VALUE: SimpleType = plain("OdometerValueType", Base::UnsignedInt);
pub static ODOMETER_UNIT: SimpleType = one_of("OdometerUnitType", &["km", "mi"]);
pub static CUSTOMER_TYPE: SimpleType = one_of("CustomerTypeType", &["Private", "Business"]);
pub static AMOUNT: SimpleType = SimpleType {
    min_inclusive: Some("0"),
    total_digits: Some(11),
    fraction_digits: Some(2),
    ..plain("AmountType", Base::Decimal)
};
pub static ACTIVITY_CODE_TEXT: SimpleType = text("ActivityCodeTextType", Some(1), 40);
pub static WORK_DESCRIPTION: SimpleType = text("WorkDescriptionType", Some(1), 500);
pub static LICENSE_PLATE: SimpleType = text("LicensePlateType", Some(1), 16);
pub static LANGUAGE: SimpleType = one_of("LanguageType", &["nl", "fr", "de", "en"]);
pub static SOFTWARE_TEXT: SimpleType = text("SoftwareTextType", Some(1), 100);
pub static READING_ID: SimpleType = SimpleType {
    pattern: Some((
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        is_lowercase_uuid,
    )),
    ..plain("ReadingIdType", Base::String)
};
pub static NOTE: SimpleType = text("NoteType", Some(1), 500);
pub static ADVERT_REFERENCE: SimpleType = text("AdvertReferenceType", Some(1), 100);
pub static XS_DATE: SimpleType = plain("date", Base::Date);
static XS_BOOLEAN: SimpleType = plain("boolean", Base::Boolean);

#[derive(Debug, Clone, Copy)]
pub enum TypeRef {
    /// A named simple type of our namespace.
    Simple(&'static SimpleType),
    /// A built-in XSD type (xs:date, xs:boolean).
    Builtin(&'static SimpleType),
    Complex(&'static ComplexType),
}

impl TypeRef {
    /// The type's name as the XSD writes it.
    pub fn xsd_name(&self) -> String {
        match self {
            TypeRef::Simple(s) => format!("cp:{}", s.name),
            TypeRef::Builtin(s) => format!("xs:{}", s.name),
            TypeRef::Complex(c) => format!("cp:{}", c.name),
        }
    }
}

#[derive(Debug)]
pub struct Particle {
    pub name: &'static str,
    pub ty: TypeRef,
    pub min: u32,
    /// `None` is `unbounded`.
    pub max: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compositor {
    Sequence,
    Choice,
}

#[derive(Debug)]
pub struct ComplexType {
    pub name: &'static str,
    pub compositor: Compositor,
    pub particles: &'static [Particle],
}

pub const fn one(name: &'static str, ty: TypeRef) -> Particle {
    Particle {
        name,
        ty,
        min: 1,
        max: Some(1),
    }
}

pub const fn optional(name: &'static str, ty: TypeRef) -> Particle {
    Particle {
        name,
        ty,
        min: 0,
        max: Some(1),
    }
}

pub static CLIENT_INFO: ComplexType = ComplexType {
    name: "ClientInfoType",
    compositor: Compositor::Sequence,
    particles: &[
        optional("Language", TypeRef::Simple(&LANGUAGE)),
        one("SoftwareBuilder", TypeRef::Simple(&SOFTWARE_TEXT)),
        one("SoftwareName", TypeRef::Simple(&SOFTWARE_TEXT)),
        one("SoftwareVersion", TypeRef::Simple(&SOFTWARE_TEXT)),
    ],
};

pub static WORK: ComplexType = ComplexType {
    name: "WorkType",
    compositor: Compositor::Sequence,
    particles: &[
        one("ActivityCode", TypeRef::Simple(&ACTIVITY_CODE_TEXT)),
        one("Description", TypeRef::Simple(&WORK_DESCRIPTION)),
    ],
};

/// The most Work elements one reading may carry.
pub const MAX_WORKS: u32 = 50;
/// The most readings one SubmitReadings may carry.
pub const MAX_READINGS: u32 = 1000;

macro_rules! reading_fields {
    ($($first:expr),*) => {
        &[
            $($first,)*
            one("Vin", TypeRef::Simple(&VIN)),
            one("WorkDate", TypeRef::Builtin(&XS_DATE)),
            one("Odometer", TypeRef::Simple(&ODOMETER_VALUE)),
            optional("OdometerUnit", TypeRef::Simple(&ODOMETER_UNIT)),
            optional("OdometerReplaced", TypeRef::Simple(&ODOMETER_VALUE)),
            one("Subcontracted", TypeRef::Builtin(&XS_BOOLEAN)),
            one("CustomerType", TypeRef::Simple(&CUSTOMER_TYPE)),
            one("InvoiceTotal", TypeRef::Simple(&AMOUNT)),
            Particle { name: "Work", ty: TypeRef::Complex(&WORK), min: 0, max: Some(MAX_WORKS) },
            optional("LicensePlate", TypeRef::Simple(&LICENSE_PLATE)),
        ]
    };
}

pub static READING: ComplexType = ComplexType {
    name: "ReadingType",
    compositor: Compositor::Sequence,
    particles: reading_fields!(one("ClientReference", TypeRef::Simple(&CLIENT_REFERENCE))),
};

pub static CORRECTED_READING: ComplexType = ComplexType {
    name: "CorrectedReadingType",
    compositor: Compositor::Sequence,
    particles: reading_fields!(),
};

pub static SUBMIT_READINGS: ComplexType = ComplexType {
    name: "SubmitReadingsType",
    compositor: Compositor::Sequence,
    particles: &[Particle {
        name: "Reading",
        ty: TypeRef::Complex(&READING),
        min: 1,
        max: Some(MAX_READINGS),
    }],
};

pub static VALIDATE_READING: ComplexType = ComplexType {
    name: "ValidateReadingType",
    compositor: Compositor::Sequence,
    particles: &[one("Reading", TypeRef::Complex(&READING))],
};

pub static CORRECT_ISSUE: ComplexType = ComplexType {
    name: "CorrectIssueType",
    compositor: Compositor::Sequence,
    particles: &[
        one("IssueNumber", TypeRef::Simple(&ISSUE_NUMBER)),
        one("Correction", TypeRef::Complex(&CORRECTED_READING)),
    ],
};

pub static CONFIRM_READING: ComplexType = ComplexType {
    name: "ConfirmReadingType",
    compositor: Compositor::Sequence,
    particles: &[
        one("IssueNumber", TypeRef::Simple(&ISSUE_NUMBER)),
        optional("Note", TypeRef::Simple(&NOTE)),
    ],
};

pub static GET_READING_STATUS: ComplexType = ComplexType {
    name: "GetReadingStatusType",
    compositor: Compositor::Choice,
    particles: &[
        one("ReadingId", TypeRef::Simple(&READING_ID)),
        one("ClientReference", TypeRef::Simple(&CLIENT_REFERENCE)),
    ],
};

pub static REQUEST_OK_LABEL: ComplexType = ComplexType {
    name: "RequestOkLabelType",
    compositor: Compositor::Sequence,
    particles: &[
        one("Vin", TypeRef::Simple(&VIN)),
        one("AdvertisedOdometer", TypeRef::Simple(&ODOMETER_VALUE)),
        optional("AdvertReference", TypeRef::Simple(&ADVERT_REFERENCE)),
    ],
};

pub static REQUEST_CAR_PASS: ComplexType = ComplexType {
    name: "RequestCarPassType",
    compositor: Compositor::Sequence,
    particles: &[
        one("ClientReference", TypeRef::Simple(&CLIENT_REFERENCE)),
        one("Vin", TypeRef::Simple(&VIN)),
        one("ReadingDate", TypeRef::Builtin(&XS_DATE)),
        one("Odometer", TypeRef::Simple(&ODOMETER_VALUE)),
        optional("OdometerUnit", TypeRef::Simple(&ODOMETER_UNIT)),
    ],
};

pub static LIST_ACTIVITIES: ComplexType = ComplexType {
    name: "ListActivitiesType",
    compositor: Compositor::Sequence,
    particles: &[],
};

/// Every complex type the server parses, for the drift test.
pub static REQUEST_TYPES: &[&ComplexType] = &[
    &CLIENT_INFO,
    &WORK,
    &READING,
    &CORRECTED_READING,
    &SUBMIT_READINGS,
    &VALIDATE_READING,
    &CORRECT_ISSUE,
    &CONFIRM_READING,
    &GET_READING_STATUS,
    &REQUEST_OK_LABEL,
    &REQUEST_CAR_PASS,
    &LIST_ACTIVITIES,
];

/// A request that does not match the XSD: which element, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SchemaError {
    pub path: String,
    pub message: String,
}

fn violation(path: &str, message: impl Into<String>) -> SchemaError {
    SchemaError {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// SOAP 1.2's encoding namespace, whose `ref` attribute is its multi-reference.
const SOAP12_ENCODING: &str = "http://www.w3.org/2003/05/soap-encoding";

/// A SOAP-encoding multi-reference (SOAP 1.1 `href="#id"`, SOAP 1.2 `enc:ref="id"`) stands for
/// an element written elsewhere with that id. Document/literal reads every element where it
/// stands, so the reference is refused by name rather than read as an empty element ("the
/// required element ... is missing" sent developers looking in the wrong place). PHP's
/// SoapClient writes one when a request uses the very same array or object twice.
fn multi_reference(element: &Element, path: &str) -> Result<(), SchemaError> {
    let (attribute, target) = match (
        element.attribute(None, "href"),
        element.attribute(Some(SOAP12_ENCODING), "ref"),
    ) {
        (Some(href), _) => ("href", href),
        (None, Some(reference)) => ("ref", reference),
        (None, None) => return Ok(()),
    };
    let id = target.strip_prefix('#').unwrap_or(target);
    Err(violation(
        path,
        format!(
            "{} is a SOAP-encoding reference ({attribute}=\"{target}\") to content sent \
             elsewhere with id=\"{id}\"; this service is document/literal and reads each element \
             where it stands, so write its content out in full every time it occurs. PHP's \
             SoapClient writes such references when a request uses the very same array or object \
             twice: give each occurrence its own array, or clone the object",
            element.name
        ),
    ))
}

/// Checks an element of the inflow's namespace against a complex type, recursively. `path`
/// names the element.
pub fn validate(element: &Element, ty: &ComplexType, path: &str) -> Result<(), SchemaError> {
    validate_in(NS, element, ty, path)
}

/// Checks an element against a complex type of the contract whose namespace is `ns` (the
/// inflow's or the feeds'), recursively.
pub fn validate_in(
    ns: &str,
    element: &Element,
    ty: &ComplexType,
    path: &str,
) -> Result<(), SchemaError> {
    multi_reference(element, path)?;
    if !element.text.trim().is_empty() {
        return Err(violation(
            path,
            "text is not allowed here, only child elements",
        ));
    }
    let mut seen: Vec<u32> = vec![0; ty.particles.len()];
    let mut index = 0;
    let expected = |from: usize| -> String {
        let names: Vec<&str> = ty.particles[from..].iter().map(|p| p.name).collect();
        if names.is_empty() {
            "nothing more".to_owned()
        } else {
            names.join(", ")
        }
    };
    for child in &element.children {
        if child.namespace.as_deref() != Some(ns) {
            return Err(violation(
                path,
                format!(
                    "unexpected element {}; elements of this message are in the namespace {ns}",
                    child.qualified_name()
                ),
            ));
        }
        let found = match ty.compositor {
            Compositor::Sequence => loop {
                let Some(particle) = ty.particles.get(index) else {
                    return Err(violation(
                        path,
                        format!("unexpected element {} at the end", child.name),
                    ));
                };
                if particle.name == &*child.name {
                    break index;
                }
                if seen[index] < particle.min {
                    return Err(violation(
                        path,
                        format!(
                            "the required element {} is missing (found {} where {} was expected)",
                            particle.name, child.name, particle.name
                        ),
                    ));
                }
                index += 1;
                if index < ty.particles.len()
                    && ty.particles[index..].iter().all(|p| p.name != &*child.name)
                {
                    let position = if ty.particles.iter().any(|p| p.name == &*child.name) {
                        "is out of order"
                    } else {
                        "is not part of this message"
                    };
                    return Err(violation(
                        path,
                        format!(
                            "the element {} {position}; expected one of: {}",
                            child.name,
                            expected(index)
                        ),
                    ));
                }
            },
            Compositor::Choice => {
                let Some(position) = ty.particles.iter().position(|p| p.name == &*child.name)
                else {
                    return Err(violation(
                        path,
                        format!(
                            "unexpected element {}; expected one of: {}",
                            child.name,
                            expected(0)
                        ),
                    ));
                };
                if seen
                    .iter()
                    .enumerate()
                    .any(|(i, n)| *n > 0 && i != position)
                {
                    return Err(violation(path, format!("give only one of {}", expected(0))));
                }
                position
            }
        };
        let particle = &ty.particles[found];
        seen[found] += 1;
        let child_path = if particle.max == Some(1) {
            format!("{path}/{}", child.name)
        } else {
            format!("{path}/{}[{}]", child.name, seen[found])
        };
        if let Some(max) = particle.max {
            if seen[found] > max {
                return Err(violation(
                    &child_path,
                    format!("at most {max} {} elements are allowed here", particle.name),
                ));
            }
        }
        match particle.ty {
            TypeRef::Complex(inner) => validate_in(ns, child, inner, &child_path)?,
            TypeRef::Simple(simple) | TypeRef::Builtin(simple) => {
                validate_simple(child, simple, &child_path)?
            }
        }
    }
    match ty.compositor {
        Compositor::Sequence => {
            for (i, particle) in ty.particles.iter().enumerate().skip(index) {
                if seen[i] < particle.min {
                    return Err(violation(
                        path,
                        format!("the required element {} is missing", particle.name),
                    ));
                }
            }
        }
        Compositor::Choice => {
            if !ty.particles.is_empty() && seen.iter().all(|n| *n == 0) {
                return Err(violation(path, format!("give one of {}", expected(0))));
            }
        }
    }
    Ok(())
}

fn validate_simple(element: &Element, ty: &SimpleType, path: &str) -> Result<(), SchemaError> {
    multi_reference(element, path)?;
    if let Some(child) = element.children.first() {
        return Err(violation(
            path,
            format!("a simple value is expected, not the element {}", child.name),
        ));
    }
    let value = element.text.as_str();
    match ty.base {
        Base::String => {
            let length = value.chars().count();
            if let Some(min) = ty.min_length {
                if length < min {
                    return Err(violation(path, format!("must not be empty (at least {min} character(s))")));
                }
            }
            if let Some(max) = ty.max_length {
                if length > max {
                    return Err(violation(
                        path,
                        format!("is {length} characters long; at most {max} are allowed"),
                    ));
                }
            }
            if !ty.enumeration.is_empty() && !ty.enumeration.contains(&value) {
                return Err(violation(
                    path,
                    format!("'{value}' is not allowed; use one of: {}", ty.enumeration.join(", ")),
                ));
            }
            if let Some((pattern, check)) = ty.pattern {
                if !check(value) {
                    return Err(violation(
                        path,
                        format!("'{value}' does not match the pattern {pattern}"),
                    ));
                }
            }
            Ok(())
        }
        Base::Date => parse_date(value)
            .map(|_| ())
            .ok_or_else(|| violation(path, format!("'{value}' is not a date; write it as YYYY-MM-DD"))),
        Base::Boolean => parse_boolean(value)
            .map(|_| ())
            .ok_or_else(|| violation(path, format!("'{value}' is not a boolean; use true or false"))),
        Base::UnsignedInt => parse_unsigned_int(value).map(|_| ()).ok_or_else(|| {
            violation(
                path,
                format!("'{value}' is not a whole number from 0 to 4294967295 (digits only, no separators)"),
            )
        }),
        Base::Decimal => parse_amount_cents(value).map(|_| ()).ok_or_else(|| {
            violation(
                path,
                format!("'{value}' is not an amount of at least 0 with at most 2 decimals, like 125.00 (a dot, no thousands separator)"),
            )
        }),
    }
}

/// xs:date: `YYYY-MM-DD`, optionally with a time zone, which a calendar date ignores.
pub fn parse_date(raw: &str) -> Option<chrono::NaiveDate> {
    let value = raw.trim();
    if value.len() < 10 || !value.is_char_boundary(10) {
        return None;
    }
    let (date, zone) = value.split_at(10);
    let zone_ok = match zone.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()),
        _ => false,
    };
    let shape_ok = date.as_bytes()[4] == b'-'
        && date.as_bytes()[7] == b'-'
        && date
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !zone_ok || !shape_ok {
        return None;
    }
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// xs:boolean: true, false, 1 or 0.
pub fn parse_boolean(raw: &str) -> Option<bool> {
    match raw.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// xs:unsignedInt: digits, an optional leading '+', at most 4294967295.
pub fn parse_unsigned_int(raw: &str) -> Option<u32> {
    let value = raw.trim();
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// AmountType: an xs:decimal of at least 0 with at most 2 significant decimals and 11 digits.
pub fn parse_amount_cents(raw: &str) -> Option<i64> {
    let value = raw.trim();
    let (negative, unsigned) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > 2 || whole.len() + fraction.len() > 11 {
        return None;
    }
    let cents = whole.parse::<i64>().unwrap_or(0) * 100
        + format!("{fraction:0<2}").parse::<i64>().unwrap_or(0);
    if negative && cents != 0 {
        return None;
    }
    Some(cents)
}

fn is_lowercase_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;

    fn check(doc: &str, ty: &ComplexType) -> Result<(), SchemaError> {
        let element = xml::parse(doc.as_bytes()).unwrap();
        validate(&element, ty, &element.name.clone())
    }

    const WORK_OK: &str = r#"<Work xmlns="urn:carpass:inflow:1"><ActivityCode>TYRES</ActivityCode><Description>4 banden</Description></Work>"#;

    #[test]
    fn a_complete_sequence_is_valid() {
        assert_eq!(check(WORK_OK, &WORK), Ok(()));
    }

    #[test]
    fn a_soap_encoding_reference_is_refused_by_its_href_not_as_a_missing_element() {
        let reused = r##"<Reading xmlns="urn:carpass:inflow:1"><Work href="#ref1"/></Reading>"##;
        let doc = crate::soap::xml::parse(reused.as_bytes()).unwrap();
        let err =
            validate(&doc.children[0], &WORK, "SubmitReadings/Reading[1]/Work[2]").unwrap_err();
        assert_eq!(err.path, "SubmitReadings/Reading[1]/Work[2]");
        assert!(err.message.contains(r##"href="#ref1""##), "{err}");
        assert!(err.message.contains(r#"id="ref1""#), "{err}");
        assert!(err.message.contains("PHP's SoapClient"), "{err}");
        assert!(!err.message.contains("missing"), "{err}");

        let soap12 = r#"<Work xmlns="urn:carpass:inflow:1" xmlns:enc="http://www.w3.org/2003/05/soap-encoding" enc:ref="w1"/>"#;
        let err = check(soap12, &WORK).unwrap_err();
        assert!(err.message.contains(r#"ref="w1""#), "{err}");

        let simple = r##"<Work xmlns="urn:carpass:inflow:1"><ActivityCode href="#c"/><Description>x</Description></Work>"##;
        let err = check(simple, &WORK).unwrap_err();
        assert_eq!(err.path, "Work/ActivityCode");
        assert!(
            err.message
                .starts_with("ActivityCode is a SOAP-encoding reference"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_required_element_is_named() {
        let err = check(
            r#"<Work xmlns="urn:carpass:inflow:1"><ActivityCode>TYRES</ActivityCode></Work>"#,
            &WORK,
        )
        .unwrap_err();
        assert_eq!(err.path, "Work");
        assert!(err.message.contains("Description is missing"), "{err}");
    }

    #[test]
    fn elements_out_of_order_or_unknown_or_foreign_are_named() {
        let swapped = r#"<Work xmlns="urn:carpass:inflow:1"><Description>x</Description><ActivityCode>TYRES</ActivityCode></Work>"#;
        assert!(check(swapped, &WORK)
            .unwrap_err()
            .message
            .contains("ActivityCode is missing"));
        let unknown = r#"<Work xmlns="urn:carpass:inflow:1"><ActivityCode>T</ActivityCode><Price>1</Price><Description>x</Description></Work>"#;
        assert!(check(unknown, &WORK)
            .unwrap_err()
            .message
            .contains("Price is not part"));
        let foreign = r#"<Work xmlns="urn:carpass:inflow:1"><ActivityCode xmlns="urn:other">T</ActivityCode><Description>x</Description></Work>"#;
        assert!(check(foreign, &WORK)
            .unwrap_err()
            .message
            .contains("{urn:other}ActivityCode"));
    }

    #[test]
    fn string_lengths_are_checked_at_their_edges() {
        let at = |n: usize| {
            format!(
                r#"<Work xmlns="urn:carpass:inflow:1"><ActivityCode>{}</ActivityCode><Description>x</Description></Work>"#,
                "A".repeat(n)
            )
        };
        assert!(check(&at(40), &WORK).is_ok());
        let err = check(&at(41), &WORK).unwrap_err();
        assert_eq!(err.path, "Work/ActivityCode");
        assert!(err.message.contains("41 characters"), "{err}");
        assert!(check(&at(0), &WORK)
            .unwrap_err()
            .message
            .contains("must not be empty"));
    }

    #[test]
    fn a_choice_takes_exactly_one() {
        let id = "0e7c8a4e-3f7b-4a51-9d3c-2b8f1c1d2e3f";
        let one = format!(r#"<G xmlns="urn:carpass:inflow:1"><ReadingId>{id}</ReadingId></G>"#);
        assert!(check(&one, &GET_READING_STATUS).is_ok());
        let both = format!(
            r#"<G xmlns="urn:carpass:inflow:1"><ReadingId>{id}</ReadingId><ClientReference>x</ClientReference></G>"#
        );
        assert!(check(&both, &GET_READING_STATUS).is_err());
        assert!(check(r#"<G xmlns="urn:carpass:inflow:1"/>"#, &GET_READING_STATUS).is_err());
        let upper = format!(
            r#"<G xmlns="urn:carpass:inflow:1"><ReadingId>{}</ReadingId></G>"#,
            id.to_uppercase()
        );
        assert!(check(&upper, &GET_READING_STATUS).is_err());
    }

    #[test]
    fn dates_follow_xs_date() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2024-02-29Z").is_some());
        assert!(parse_date("2024-02-29+01:00").is_some());
        for bad in [
            "2023-02-29",
            "29/02/2024",
            "2024-2-29",
            "2024-02-29T10:00:00",
            "",
            "2024-02-29+1",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn unsigned_ints_follow_xs_unsigned_int() {
        assert_eq!(parse_unsigned_int("0"), Some(0));
        assert_eq!(parse_unsigned_int(" 045210 "), Some(45210));
        assert_eq!(parse_unsigned_int("+7"), Some(7));
        assert_eq!(parse_unsigned_int("4294967295"), Some(u32::MAX));
        for bad in ["4294967296", "-1", "45.210", "45,210", "1e5", "", "12 345"] {
            assert_eq!(parse_unsigned_int(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts_are_non_negative_with_two_decimals_at_most() {
        assert_eq!(parse_amount_cents("125"), Some(12500));
        assert_eq!(parse_amount_cents("125.00"), Some(12500));
        assert_eq!(parse_amount_cents("125.010"), Some(12501));
        assert_eq!(parse_amount_cents("0.5"), Some(50));
        assert_eq!(parse_amount_cents(".5"), Some(50));
        assert_eq!(parse_amount_cents("-0.00"), Some(0));
        assert_eq!(parse_amount_cents("999999999.99"), Some(99_999_999_999));
        for bad in ["-1", "1.001", "125,00", "", ".", "1e3", "9999999999.99"] {
            assert_eq!(parse_amount_cents(bad), None, "{bad}");
        }
    }
}
