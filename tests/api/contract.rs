//! The contracts cannot drift: the schema tables the server parses with are the checked-in XSD,
//! the WSDL carries the same schema inline, and it is served with the caller's host. Both the
//! garages' inflow and the partners' feeds.

use std::collections::BTreeMap;

use carpass::soap::schema::{self, Base, Compositor, SimpleType, TypeRef};

use crate::helpers::*;

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const XSD: &str = include_str!("../../wsdl/carpass-inflow.xsd");
const WSDL: &str = include_str!("../../wsdl/carpass-inflow.wsdl");
const FEEDS_XSD: &str = include_str!("../../wsdl/carpass-feeds.xsd");
const FEEDS_WSDL: &str = include_str!("../../wsdl/carpass-feeds.wsdl");
const FEEDS_NS: &str = "urn:carpass:feeds:1";

#[derive(Debug, PartialEq, Eq)]
struct Facets {
    base: String,
    min_length: Option<String>,
    max_length: Option<String>,
    enumeration: Vec<String>,
    pattern: Option<String>,
    min_inclusive: Option<String>,
    total_digits: Option<String>,
    fraction_digits: Option<String>,
}

type Particles = (String, Vec<(String, (String, String), String, String)>);

fn xsd_tables(schema: roxmltree::Node) -> (BTreeMap<String, Facets>, BTreeMap<String, Particles>) {
    let qname = |node: roxmltree::Node, value: &str| -> (String, String) {
        let (prefix, local) = value.split_once(':').unwrap_or(("", value));
        let ns = node
            .lookup_namespace_uri(Some(prefix).filter(|p| !p.is_empty()))
            .unwrap_or("");
        (ns.to_owned(), local.to_owned())
    };
    let mut simple = BTreeMap::new();
    let mut complex = BTreeMap::new();
    for node in schema.children().filter(|n| n.is_element()) {
        let Some(name) = node.attribute("name") else {
            continue;
        };
        if node.has_tag_name((XS, "simpleType")) {
            let restriction = node
                .children()
                .find(|n| n.has_tag_name((XS, "restriction")))
                .unwrap();
            let facet = |f: &str| {
                restriction
                    .children()
                    .find(|n| n.has_tag_name((XS, f)))
                    .and_then(|n| n.attribute("value"))
                    .map(str::to_owned)
            };
            simple.insert(
                name.to_owned(),
                Facets {
                    base: qname(restriction, restriction.attribute("base").unwrap()).1,
                    min_length: facet("minLength"),
                    max_length: facet("maxLength"),
                    enumeration: restriction
                        .children()
                        .filter(|n| n.has_tag_name((XS, "enumeration")))
                        .map(|n| n.attribute("value").unwrap().to_owned())
                        .collect(),
                    pattern: facet("pattern"),
                    min_inclusive: facet("minInclusive"),
                    total_digits: facet("totalDigits"),
                    fraction_digits: facet("fractionDigits"),
                },
            );
        } else if node.has_tag_name((XS, "complexType")) {
            let group = node
                .children()
                .find(|n| n.is_element() && !n.has_tag_name((XS, "annotation")))
                .unwrap();
            let particles = group
                .children()
                .filter(|n| n.has_tag_name((XS, "element")))
                .map(|e| {
                    (
                        e.attribute("name").unwrap().to_owned(),
                        qname(e, e.attribute("type").unwrap()),
                        e.attribute("minOccurs").unwrap_or("1").to_owned(),
                        e.attribute("maxOccurs").unwrap_or("1").to_owned(),
                    )
                })
                .collect();
            complex.insert(
                name.to_owned(),
                (group.tag_name().name().to_owned(), particles),
            );
        }
    }
    (simple, complex)
}

fn facets_of(t: &SimpleType) -> Facets {
    Facets {
        base: t.base.xsd_name().to_owned(),
        min_length: t.min_length.map(|n| n.to_string()),
        max_length: t.max_length.map(|n| n.to_string()),
        enumeration: t.enumeration.iter().map(|s| s.to_string()).collect(),
        pattern: t.pattern.map(|(p, _)| p.to_owned()),
        min_inclusive: t.min_inclusive.map(str::to_owned),
        total_digits: t.total_digits.map(|n| n.to_string()),
        fraction_digits: t.fraction_digits.map(|n| n.to_string()),
    }
}

#[test]
fn the_parsed_types_are_exactly_the_published_xsd() {
    same_types(XSD, NS, schema::REQUEST_TYPES);
}

#[test]
fn the_feeds_parsed_types_are_exactly_the_published_xsd() {
    same_types(FEEDS_XSD, FEEDS_NS, carpass::soap::feeds::REQUEST_TYPES);
}

fn same_types(xsd: &str, ns: &str, types: &[&schema::ComplexType]) {
    let doc = roxmltree::Document::parse(xsd).unwrap();
    let (simple, complex) = xsd_tables(doc.root_element());
    for ty in types {
        let (compositor, particles) = complex
            .get(ty.name)
            .unwrap_or_else(|| panic!("{} is parsed by the server but not in the XSD", ty.name));
        let expected_compositor = match ty.compositor {
            Compositor::Sequence => "sequence",
            Compositor::Choice => "choice",
        };
        assert_eq!(compositor, expected_compositor, "{}", ty.name);
        let ours: Vec<(String, (String, String), String, String)> = ty
            .particles
            .iter()
            .map(|p| {
                let type_name = match p.ty {
                    TypeRef::Simple(s) => (ns.to_owned(), s.name.to_owned()),
                    TypeRef::Builtin(s) => (XS.to_owned(), s.name.to_owned()),
                    TypeRef::Complex(c) => (ns.to_owned(), c.name.to_owned()),
                };
                let max = p.max.map_or("unbounded".to_owned(), |m| m.to_string());
                (p.name.to_owned(), type_name, p.min.to_string(), max)
            })
            .collect();
        assert_eq!(&ours, particles, "the particles of {}", ty.name);
        for particle in ty.particles {
            if let TypeRef::Simple(s) = particle.ty {
                let published = simple
                    .get(s.name)
                    .unwrap_or_else(|| panic!("{} missing in the XSD", s.name));
                assert_eq!(&facets_of(s), published, "the facets of {}", s.name);
            }
            if let TypeRef::Builtin(s) = particle.ty {
                assert!(matches!(s.base, Base::Date | Base::Boolean), "{}", s.name);
            }
        }
    }
}

#[test]
fn every_operation_element_has_its_request_type() {
    for (xsd, ops) in [
        (XSD, &carpass::service::operation::Operation::INFLOW[..]),
        (
            FEEDS_XSD,
            &carpass::service::operation::Operation::FEEDS[..],
        ),
    ] {
        operations_have_their_types(xsd, ops);
    }
}

fn operations_have_their_types(xsd: &str, ops: &[carpass::service::operation::Operation]) {
    let doc = roxmltree::Document::parse(xsd).unwrap();
    for op in ops.iter().copied() {
        let element = doc
            .root_element()
            .children()
            .find(|n| n.has_tag_name((XS, "element")) && n.attribute("name") == Some(op.name()))
            .unwrap_or_else(|| panic!("no element {}", op.name()));
        let type_name = element.attribute("type").unwrap();
        assert_eq!(
            type_name.rsplit(':').next(),
            Some(carpass::soap::operations::schema(op).name)
        );
    }
}

#[test]
fn the_wsdl_carries_the_xsd_inline_and_nothing_else() {
    inline_schema_is_the_xsd(WSDL, XSD, NS);
    inline_schema_is_the_xsd(FEEDS_WSDL, FEEDS_XSD, FEEDS_NS);
}

fn inline_schema_is_the_xsd(wsdl_text: &str, xsd_text: &str, ns: &str) {
    let wsdl = roxmltree::Document::parse(wsdl_text).unwrap();
    let inline = wsdl
        .descendants()
        .find(|n| n.has_tag_name((XS, "schema")))
        .unwrap();
    assert!(inline.attribute("schemaLocation").is_none());
    assert!(
        !wsdl_text.contains("schemaLocation")
            && !wsdl_text.contains("xs:import")
            && !wsdl_text.contains("xs:include")
    );
    let xsd = roxmltree::Document::parse(xsd_text).unwrap();
    assert_eq!(xsd_tables(inline), xsd_tables(xsd.root_element()));
    assert_eq!(inline.attribute("targetNamespace"), Some(ns));
    assert_eq!(inline.attribute("elementFormDefault"), Some("qualified"));
    let count = |doc: &roxmltree::Document| doc.descendants().filter(|n| n.is_element()).count();
    assert_eq!(
        count(&xsd),
        inline.descendants().filter(|n| n.is_element()).count()
    );
}

#[test]
fn the_wsdl_declares_all_seven_operations_in_both_soap_versions() {
    declares_in_both_versions(WSDL, &carpass::service::operation::Operation::INFLOW);
}

#[test]
fn the_feeds_wsdl_declares_its_operations_in_both_soap_versions() {
    declares_in_both_versions(FEEDS_WSDL, &carpass::service::operation::Operation::FEEDS);
}

fn declares_in_both_versions(
    wsdl_text: &str,
    operations: &[carpass::service::operation::Operation],
) {
    let wsdl = roxmltree::Document::parse(wsdl_text).unwrap();
    let wsdl_ns = "http://schemas.xmlsoap.org/wsdl/";
    for binding in wsdl
        .descendants()
        .filter(|n| n.has_tag_name((wsdl_ns, "binding")))
    {
        let ops: Vec<&str> = binding
            .children()
            .filter(|n| n.has_tag_name((wsdl_ns, "operation")))
            .map(|n| n.attribute("name").unwrap())
            .collect();
        let expected: Vec<&str> = operations.iter().map(|o| o.name()).collect();
        let mut sorted = ops.clone();
        sorted.sort();
        let mut expected_sorted = expected.clone();
        expected_sorted.sort();
        assert_eq!(sorted, expected_sorted, "{:?}", binding.attribute("name"));
    }
    let bindings: Vec<_> = wsdl
        .descendants()
        .filter(|n| n.has_tag_name((wsdl_ns, "binding")))
        .collect();
    assert_eq!(bindings.len(), 2);
}

on_both_backends! {
    async fn the_wsdl_is_served_with_the_callers_host(app: TestApp) {
        let client = awc::Client::default();
        let mut response = client
            .get(format!("{}?wsdl", app.endpoint()))
            .insert_header(("Host", "registry.example.be:8443"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
        assert!(!body.contains("localhost:8080"));
        assert_eq!(body.matches("http://registry.example.be:8443/soap/inflow").count(), 2);
        assert_eq!(body.replace("http://registry.example.be:8443/soap/inflow", "http://localhost:8080/soap/inflow"), WSDL);
        let mut xsd = client.get(format!("{}?xsd", app.endpoint())).send().await.unwrap();
        assert_eq!(String::from_utf8(xsd.body().await.unwrap().to_vec()).unwrap(), XSD);
    }
}

on_both_backends! {
    /// The sample envelopes in tests/fixtures/requests (both SOAP versions, odd prefixes, a
    /// default namespace) are what DMS developers copy: each must be answered, not faulted.
    async fn the_published_sample_requests_are_answered(app: TestApp) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/requests");
        let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        // The submissions first: the status request asks for one of their readings.
        names.sort_by_key(|p| (!p.file_name().unwrap().to_string_lossy().starts_with("submit"), p.clone()));
        assert!(names.len() >= 6);
        for path in names {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let body = std::fs::read_to_string(&path)
                .unwrap()
                .replace("demo-garage", GARAGE_USER)
                .replace("PLACEHOLDER", PASSWORD);
            let version = if name.contains("soap12") { Soap::V12 } else { Soap::V11 };
            let response = app.post(version.content_type(), &[], body).await;
            assert_valid(&response.body);
            assert_eq!(response.status, 200, "{name}: {}", response.body);
        }
    }
}

/// The codes in responses are documented strings (README: How the contract evolves): the
/// values the schema documents are the ones the service sends, no more and no fewer.
#[test]
fn the_documented_response_codes_are_the_ones_the_service_sends() {
    let doc = roxmltree::Document::parse(XSD).unwrap();
    let known = |type_name: &str| -> Vec<String> {
        let node = doc
            .descendants()
            .find(|n| n.has_tag_name((XS, "simpleType")) && n.attribute("name") == Some(type_name))
            .unwrap_or_else(|| panic!("{type_name} is not in the XSD"));
        let text = node
            .descendants()
            .find(|n| n.has_tag_name((XS, "documentation")))
            .and_then(|n| n.text())
            .unwrap_or_default();
        let list = text
            .split_once("Known values: ")
            .unwrap_or_else(|| panic!("{type_name} documents no known values"))
            .1;
        let end = list.find(['.', '(']).unwrap_or(list.len());
        list[..end]
            .split(',')
            .map(|v| v.trim().to_owned())
            .collect()
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    use carpass::domain::issue::IssueCode;
    use carpass::domain::issue_state::IssueState;
    use carpass::domain::status::ReadingStatus;
    use carpass::soap::fault::FaultCode;
    let sent = |codes: Vec<&str>| sorted(codes.into_iter().map(str::to_owned).collect());
    assert_eq!(
        sorted(known("IssueCodeType")),
        sent(IssueCode::ALL.iter().map(|c| c.as_str()).collect())
    );
    assert_eq!(
        sorted(known("ReadingStatusType")),
        sent(ReadingStatus::ALL.iter().map(|c| c.as_str()).collect())
    );
    assert_eq!(
        sorted(known("IssueStateType")),
        sent(IssueState::ALL.iter().map(|c| c.as_str()).collect())
    );
    assert_eq!(
        sorted(known("FaultCodeType")),
        sent(FaultCode::ALL.iter().map(|c| c.as_str()).collect())
    );
    assert_eq!(
        sorted(known("NotIssuedCodeType")),
        sent(carpass::service::car_pass::NotIssued::CODES.to_vec())
    );
    assert_eq!(
        sorted(known("ReadingSourceType")),
        sent(
            carpass::domain::source::ReadingSource::ALL
                .iter()
                .map(|s| s.as_str())
                .collect()
        )
    );
}
