//! Hostile requests (SPEC 7.3) that `faults.rs` does not send already: each gets a clear fault
//! in the request's SOAP version (the HTTP status, the fault code, the FaultDetail's Code, the
//! element to blame and a message that says what to fix) and changes nothing in the database.

use base64::Engine;
use carpass::domain::issue_number::IssueNumber;
use carpass::service::passwords;

use crate::helpers::*;

/// Every table a request can write to; a refused request leaves all of them as they were.
const STORED: [&str; 5] = [
    "readings",
    "reading_works",
    "issues",
    "issue_answers",
    "reading_versions",
];

fn stored(app: &TestApp) -> Vec<i64> {
    STORED.iter().map(|table| app.count(table)).collect()
}

/// A caller's mistake: HTTP 500 with soap:Client in SOAP 1.1 (WS-I), 400 with soap:Sender in 1.2.
fn client_fault(version: Soap) -> (u16, &'static str) {
    match version {
        Soap::V11 => (500, "soap:Client"),
        Soap::V12 => (400, "soap:Sender"),
    }
}

/// A request that must be refused: the whole document, the FaultDetail's Code and Element (""
/// for none), and a part of the message that says what to fix.
struct Case {
    what: String,
    doc: String,
    detail: &'static str,
    element: String,
    says: &'static str,
}

fn case(what: &str, doc: String, detail: &'static str, element: &str, says: &'static str) -> Case {
    let (what, element) = (what.to_owned(), element.to_owned());
    Case {
        what,
        doc,
        detail,
        element,
        says,
    }
}

/// Sends every case in both SOAP versions and checks the fault and that nothing was stored.
async fn refuse_all(app: &TestApp, cases: impl Fn(Soap) -> Vec<Case>) {
    let before = stored(app);
    for version in [Soap::V11, Soap::V12] {
        for case in cases(version) {
            let response = app.post(version.content_type(), &[], case.doc).await;
            let what = format!("{} ({version:?})", case.what);
            let (status, code) = client_fault(version);
            assert_eq!(response.status, status, "{what}: {}", response.body);
            assert_eq!(response.content_type, version.content_type(), "{what}");
            let f = fault(&response.body);
            let detail = (f.code.as_str(), f.detail_code.as_str());
            assert_eq!(detail, (code, case.detail), "{what}: {f:?}");
            let element = f.element.as_deref().unwrap_or_default();
            assert_eq!(element, case.element, "{what}: {f:?}");
            assert!(
                f.message.contains(case.says),
                "{what}: {:?} not in {f:?}",
                case.says
            );
            assert!(!response.body.contains("root:"), "{what}: a file leaked");
            assert!(
                response.body.len() < 4096,
                "{what}: the fault echoes too much"
            );
            assert_valid(&response.body);
            assert_eq!(
                stored(app),
                before,
                "{what}: a refused request stored something"
            );
        }
    }
    assert_eq!(app.count("readings"), before[0]);
}

/// A request as the garage's DMS would sign it, so that only the hostile part can be refused.
fn signed(version: Soap, body: &str) -> String {
    envelope(
        version,
        &(security(GARAGE_USER, PASSWORD) + &client_info("en")),
        body,
    )
}

/// A valid reading with every optional typed field present.
fn good(reference: &str) -> Reading {
    let mut r = reading(reference, CAR, date(2025, 6, 3), 45_000);
    r.unit = Some("km");
    r.replaced = Some(44_000);
    r
}

fn one_reading() -> String {
    submit_body(&[good("H-1")])
}

/// Two readings, the second one broken: the path must say `Reading[2]`, and the first, valid
/// reading must not be stored either.
const R2: &str = "SubmitReadings/Reading[2]";

/// Two readings; in the second, `<c:{field}>old</c:{field}>` becomes `new`.
fn in_second(field: &str, old: &str, new: &str) -> String {
    let body = submit_body(&[good("H-1"), good("H-2")]);
    let (first, second) = body.split_at(body.rfind("<c:Reading>").expect("a second reading"));
    let from = format!("<c:{field}>{old}</c:{field}>");
    assert!(second.contains(&from), "no {from} to replace");
    format!("{first}{}", second.replacen(&from, new, 1))
}

/// One reading whose Vin is `vin`, after the XML declaration and `doctype`.
fn with_doctype(version: Soap, doctype: &str, vin: &str) -> String {
    let mut r = good("H-1");
    r.vin = vin.into();
    signed(version, &submit_body(&[r])).replacen("?>", &format!("?>{doctype}"), 1)
}

#[rustfmt::skip]
fn hostile_xml(version: Soap) -> Vec<Case> {
    let nested = |depth: usize| {
        // Envelope, Body, SubmitReadings and Reading are 4 levels already.
        let deep = "<c:x>".repeat(depth - 4) + &"</c:x>".repeat(depth - 4);
        let body = one_reading().replacen("</c:Odometer>", &format!("</c:Odometer>{deep}"), 1);
        signed(version, &body)
    };
    let lol = |i: usize| format!(r#"<!ENTITY lol{i} "{}">"#, format!("&lol{};", i - 1).repeat(10));
    let laughs: String = (1..=9).map(lol).collect();
    let billion_laughs = format!(r#"<!DOCTYPE lolz [<!ENTITY lol0 "lol">{laughs}]>"#);
    let external = r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>"#;
    let pi = one_reading().replacen("<c:Reading>", "<c:Reading><?php system('id'); ?>", 1);
    let (malformed, dtd) = ("MALFORMED_XML", "DTD_FORBIDDEN");
    let no_dtd = "a DOCTYPE is not allowed in a SOAP message (SOAP forbids DTDs); remove it";
    vec![
        case("17 levels, in the Body", nested(17), malformed, "", "nests deeper than 16 elements"),
        case(
            "16 levels: read, then refused by the schema", nested(16), "SCHEMA_VIOLATION",
            "SubmitReadings/Reading[1]",
            "the element x is not part of this message; expected one of: OdometerUnit",
        ),
        case("an external entity", with_doctype(version, external, "&e;"), dtd, "", no_dtd),
        case("billion laughs", with_doctype(version, &billion_laughs, "&lol9;"), dtd, "", no_dtd),
        case(
            "an entity without a DOCTYPE", with_doctype(version, "", "&e;"), malformed, "",
            "'&e;' is not defined; only &lt; &gt; &amp; &apos; &quot; and character references",
        ),
        case(
            "a processing instruction in the Body", signed(version, &pi), malformed, "",
            "processing instructions are not allowed in a SOAP message; remove '<?php?>'",
        ),
    ]
}

on_both_backends! {
    async fn deep_nesting_dtds_entities_and_processing_instructions_are_refused(app: TestApp) {
        refuse_all(&app, hostile_xml).await;
    }
}

/// Well-formed requests that do not match the XSD: (what, SubmitReadings, Element, message).
#[rustfmt::skip]
fn schema_cases() -> Vec<(&'static str, String, String, &'static str)> {
    let work = |n: usize| {
        let mut r = good("H-2");
        r.works = vec![("TYRES".into(), "Band".into()); n];
        submit_body(&[good("H-1"), r])
    };
    let other_ns = format!(r#"<o:Vin xmlns:o="urn:other">{CAR}</o:Vin>"#);
    let mileage = "<c:Odometer>45000</c:Odometer><c:Mileage>45000</c:Mileage>";
    let stray = in_second("ClientReference", "H-2", "stray<c:ClientReference>H-2</c:ClientReference>");
    let two_vins = format!("<c:Vin>{CAR}</c:Vin><c:Vin>{CAR}</c:Vin>");
    let (description, nested) = ("Kleine onderhoudsbeurt", "<c:Description><c:b>x</c:b></c:Description>");
    let mut cases = vec![
        ("Reading in no namespace", one_reading().replace("c:Reading>", "Reading>"),
            "SubmitReadings".to_owned(), "unexpected element Reading; elements of this message are in the namespace urn:"),
        ("Vin in another namespace", in_second("Vin", CAR, &other_ns), R2.to_owned(),
            "unexpected element {urn:other}Vin; elements of this message are in the namespace urn:"),
        ("an unknown element", in_second("Odometer", "45000", mileage), R2.to_owned(),
            "the element Mileage is not part of this message; expected one of: OdometerUnit,"),
        ("text in a Reading", stray, R2.to_owned(), "text is not allowed here, only child elements"),
        ("two Vin", in_second("Vin", CAR, &two_vins), format!("{R2}/Vin"), "at most 1 Vin elements"),
        ("a Work without Description", in_second("Description", description, ""),
            format!("{R2}/Work[1]"), "the required element Description is missing"),
        ("an element in a Description", in_second("Description", description, nested),
            format!("{R2}/Work[1]/Description"), "a simple value is expected, not the element b"),
        ("51 Work", work(51), format!("{R2}/Work[51]"), "at most 50 Work elements are allowed here"),
    ];
    // A wrong value in every typed field of a Reading, which names the field itself.
    let typed = [
        ("WorkDate", "2025-06-03", "2025-02-30", "'2025-02-30' is not a date; write it as YYYY-MM-DD"),
        ("WorkDate", "2025-06-03", "", "'' is not a date; write it as YYYY-MM-DD"),
        ("Odometer", "45000", "4294967296", "is not a whole number from 0 to 4294967295 (digits"),
        ("OdometerUnit", "km", "KM", "'KM' is not allowed; use one of: km, mi"),
        ("OdometerReplaced", "44000", "44 000", "'44 000' is not a whole number from 0 to"),
        ("Subcontracted", "false", "yes", "'yes' is not a boolean; use true or false"),
        ("CustomerType", "Business", "B2B", "'B2B' is not allowed; use one of: Private, Business"),
        ("InvoiceTotal", "240.50", "240.505", "is not an amount of at least 0 with at most 2 decimals"),
        ("InvoiceTotal", "240.50", "-0.01", "'-0.01' is not an amount of at least 0"),
    ];
    for (field, old, bad, says) in typed {
        let body = in_second(field, old, &format!("<c:{field}>{bad}</c:{field}>"));
        cases.push((field, body, format!("{R2}/{field}"), says));
    }
    cases
}

on_both_backends! {
    async fn wrong_namespaces_types_and_shapes_name_the_element(app: TestApp) {
        refuse_all(&app, |version| {
            let mut cases: Vec<Case> = schema_cases()
                .into_iter()
                .map(|(what, body, path, says)| {
                    case(what, signed(version, &body), "SCHEMA_VIOLATION", &path, says)
                })
                .collect();
            // The operation element itself: not one of ours, whatever its local name.
            let declared = format!(r#" xmlns:c="{NS}""#);
            let other_ns = one_reading().replace(&declared, r#" xmlns:c="urn:carpass:inflow:2""#);
            let no_ns = one_reading().replace(&declared, "").replace("c:", "");
            for (what, body, says) in [
                ("another namespace", other_ns, "unknown operation {urn:carpass:inflow:2}SubmitReadings;"),
                ("no namespace", no_ns, "unknown operation SubmitReadings; the operations are"),
            ] {
                let doc = signed(version, &body);
                cases.push(case(what, doc, "UNKNOWN_OPERATION", "", says));
            }
            cases
        })
        .await;
    }
}

on_both_backends! {
    /// The XSD allows an empty Vin (VinType has no minLength): it breaks a rule, so it is a
    /// receipt issue the garage corrects, not a fault. 50 Work elements are the limit itself.
    async fn an_empty_vin_is_a_receipt_issue_and_fifty_works_are_fine(app: TestApp) {
        let mut r = good("H-1");
        r.vin = String::new();
        r.works = vec![("TYRES".into(), "Band".into()); 50];
        let receipt = app.submit_one(r).await;
        assert_eq!(receipt.status, "PendingCorrection", "{receipt:?}");
        let issue = receipt.issue("VIN_INVALID");
        assert_eq!((issue.severity.as_str(), issue.correctable), ("Error", true));
        assert!(issue.number.is_some() && issue.message.contains("17"), "{issue:?}");
        assert_eq!((app.count("readings"), app.count("reading_works")), (1, 50));
    }
}

/// Builds a request body around one value (a ReadingId, a ClientReference, an issue number).
type Request = dyn Fn(&str) -> String;

on_both_backends! {
    /// No existence leak (SPEC 7.3): another company's ReadingId, ClientReference and issue
    /// number get the answer a value that exists nowhere gets, byte for byte but for the value.
    async fn another_companys_reading_and_issue_look_like_missing_ones(app: TestApp) {
        let mut theirs = good("THEIRS-1");
        theirs.vin = "NOT-A-VIN".into();
        let response = app.call_as(Soap::V11, OTHER_USER, "en", &submit_body(&[theirs])).await;
        assert_eq!(response.status, 200, "{}", response.body);
        let receipt = receipts(&response.body).remove(0);
        let id = receipt.reading_id.clone();
        let number = receipt.issue("VIN_INVALID").number.clone().unwrap();
        let before = stored(&app);

        let no_id = uuid::Uuid::new_v4().to_string();
        let no_number = IssueNumber::from_sequence(999_999).unwrap().to_string();
        let correct = |n: &str| correct_body(n, &good("X"));
        let confirm = |n: &str| confirm_body(n, Some("klopt"));
        let pairs: [(&Request, &str, &str, &str); 4] = [
            (&status_by_id, &id, &no_id, "READING_NOT_FOUND"),
            (&status_by_reference, "THEIRS-1", "NOBODYS-1", "READING_NOT_FOUND"),
            (&confirm, &number, &no_number, "ISSUE_NOT_FOUND"),
            (&correct, &number, &no_number, "ISSUE_NOT_FOUND"),
        ];
        for version in [Soap::V11, Soap::V12] {
            let (status, code) = client_fault(version);
            for (request, theirs, nobodys, detail) in pairs {
                let a = app.call(version, &request(theirs)).await;
                let b = app.call(version, &request(nobodys)).await;
                assert_eq!(a.status, status, "{}", a.body);
                let f = fault(&a.body);
                assert_eq!((f.code.as_str(), f.detail_code.as_str()), (code, detail));
                assert!(f.message.contains(theirs) && f.message.contains("your"), "{f:?}");
                assert_valid(&a.body);
                assert_eq!((a.status, &a.content_type), (b.status, &b.content_type), "{detail}");
                let (a, b) = (a.body.replace(theirs, "V"), b.body.replace(nobodys, "V"));
                assert_eq!(a, b, "another company's value is answered differently");
                assert_eq!(stored(&app), before, "{detail}: a refused answer stored something");
            }
        }
        let mine = app.call_as(Soap::V11, OTHER_USER, "en", &status_by_reference("THEIRS-1")).await;
        assert_eq!(states(&mine.body), [("VIN_INVALID".to_owned(), "Open".to_owned())]);
    }
}

on_both_backends! {
    /// SPEC 7.3: a fault never tells which of the user name and the password was wrong.
    async fn a_wrong_password_and_an_unknown_user_get_byte_identical_faults(app: TestApp) {
        let body = one_reading();
        let basic = |user: &str, password: &str| {
            let pair = format!("{user}:{password}");
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
        };
        for version in [Soap::V11, Soap::V12] {
            let token = |user, password| {
                let header = security(user, password) + &client_info("en");
                (None, envelope(version, &header, &body))
            };
            let plain = envelope(version, &client_info("en"), &body);
            let mut answers = Vec::new();
            for (authorization, doc) in [
                token(GARAGE_USER, "wrong password"),
                token("no-such-garage", PASSWORD),
                (Some(basic(GARAGE_USER, "wrong password")), plain.clone()),
                (Some(basic("no-such-garage", PASSWORD)), plain),
            ] {
                let headers: Vec<_> = authorization.iter().map(|v| ("Authorization", &v[..])).collect();
                answers.push(app.post(version.content_type(), &headers, doc).await);
            }
            let a = &answers[0];
            for b in &answers[1..] {
                assert_eq!((a.status, &a.content_type), (b.status, &b.content_type));
                assert_eq!(a.body, b.body, "the fault tells a wrong password from an unknown user");
            }
            let (f, (status, code)) = (fault(&a.body), client_fault(version));
            assert_eq!(a.status, status);
            assert_eq!((f.code.as_str(), f.detail_code.as_str()), (code, "AUTHENTICATION_FAILED"));
            assert!(f.message.contains("the user name or the password is wrong"), "{}", f.message);
            assert_eq!(f.element, None);
            assert_valid(&a.body);
        }
        assert_eq!(stored(&app), vec![0; STORED.len()]);
    }
}

/// `$argon2id$v=19$m=...,t=...,p=...`: the algorithm, version and cost of a PHC string.
fn phc_parameters(hash: &str) -> String {
    hash.split('$').take(4).collect::<Vec<_>>().join("$")
}

/// An unknown user is verified against a decoy hash so that it costs what a wrong password costs.
/// `Authenticator::new` makes that decoy with `passwords::decoy()`; the field is private, so
/// this checks that function against a hash as an account stores it.
#[actix_web::test]
async fn the_decoy_hash_has_the_parameters_of_a_stored_hash() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let mut conn = app.pool.get().unwrap();
    let stored = carpass::db::accounts::find_by_username(&mut conn, GARAGE_USER);
    let stored = stored.unwrap().expect("the seeded account").password_hash;
    let decoy = passwords::decoy();
    let parameters = phc_parameters(&stored);
    assert!(parameters.starts_with("$argon2id$v=19$m="), "{stored}");
    assert!(
        parameters.contains(",t=") && parameters.contains(",p="),
        "{stored}"
    );
    assert_eq!(phc_parameters(&decoy), parameters);
    assert!(passwords::verify(PASSWORD, &stored) && !passwords::verify(PASSWORD, &decoy));
}

/// The WSDL a client is given, asked with `headers`.
async fn served_wsdl(app: &TestApp, headers: &[(&str, &str)]) -> String {
    let mut request = awc::Client::default().get(format!("{}?wsdl", app.endpoint()));
    for header in headers {
        request = request.insert_header(*header);
    }
    let mut response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    String::from_utf8(response.body().await.unwrap().to_vec()).unwrap()
}

const FORWARDED: [(&str, &str); 2] = [
    ("Forwarded", "host=evil.example;proto=http"),
    ("X-Forwarded-Host", "evil.example"),
];

/// Issue 19: a client's own Forwarded header must not point the WSDL (and so every DMS that
/// loads it) elsewhere; only a configured proxy's is believed.
#[actix_web::test]
async fn forwarded_headers_count_only_from_a_configured_proxy() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let wsdl = served_wsdl(&app, &FORWARDED).await;
    assert!(!wsdl.contains("evil.example"), "{wsdl}");
    assert!(wsdl.contains(&format!("{}/soap/inflow", app.address)));

    let behind_proxy = spawn_app_tuned(Backend::Sqlite, |settings| {
        settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    .unwrap();
    let wsdl = served_wsdl(&behind_proxy, &FORWARDED).await;
    assert!(wsdl.contains("http://evil.example/soap/inflow"), "{wsdl}");

    let public = spawn_app_tuned(Backend::Sqlite, |settings| {
        settings.public_url = Some("https://registry.example.be/".into());
    })
    .await
    .unwrap();
    let wsdl = served_wsdl(&public, &[("Host", "other.example")]).await;
    assert!(
        wsdl.contains("https://registry.example.be/soap/inflow"),
        "{wsdl}"
    );
    assert!(!wsdl.contains("other.example"));
}

/// Issue 19: no page can be framed (the operator page's button cannot be clickjacked), none
/// loads anything from elsewhere, and no browser guesses a type.
#[actix_web::test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let client = awc::Client::default();
    for path in [
        "/approved-dms",
        "/trusted-providers/2026",
        "/label/nope",
        "/certify/nope",
        "/staff/login",
        "/soap/inflow?wsdl",
        "/healthz",
    ] {
        let response = client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(
            header("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
    }
}
