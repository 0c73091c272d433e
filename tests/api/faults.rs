//! Requests that break the contract get a SOAP fault that names the problem, and store nothing.

use chrono::{Duration, SecondsFormat};

use crate::helpers::*;

fn one_reading() -> String {
    submit_body(&[reading("FAULT-1", CAR, date(2025, 6, 3), 45_000)])
}

fn token(user: &str, password: &str, nonce: &str, created: &str) -> String {
    format!(
        r#"<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password>{password}</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{nonce}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"#
    )
}

async fn expect_fault(
    app: &TestApp,
    response: Response,
    status: u16,
    code: &str,
    detail: &str,
) -> SoapFault {
    assert_eq!(response.status, status, "{}", response.body);
    let f = fault(&response.body);
    assert_eq!(
        (f.code.as_str(), f.detail_code.as_str()),
        (code, detail),
        "{f:?}"
    );
    assert_valid(&response.body);
    assert_eq!(app.count("readings"), 0, "a fault stores nothing");
    f
}

on_both_backends! {
    async fn a_wrong_type_is_a_client_fault_naming_the_element(app: TestApp) {
        for (field, bad, message) in [
            ("WorkDate", "03/06/2025", "is not a date"),
            ("Odometer", "45.210", "is not a whole number"),
            ("Odometer", "-5", "is not a whole number"),
            ("Subcontracted", "nee", "is not a boolean"),
            ("CustomerType", "private", "is not allowed"),
            ("InvoiceTotal", "240,50", "is not an amount"),
        ] {
            let body = one_reading().replacen(
                &format!("<c:{field}>"),
                &format!("<c:{field}>{bad}<c:x/>"),
                0,
            );
            // Replace the element's whole value.
            let original = reading("FAULT-1", CAR, date(2025, 6, 3), 45_000);
            let value = match field {
                "WorkDate" => original.work_date.clone(),
                "Odometer" => original.odometer.clone(),
                "Subcontracted" => "false".into(),
                "CustomerType" => "Business".into(),
                _ => "240.50".into(),
            };
            let body = body.replace(&format!("<c:{field}>{value}</c:{field}>"), &format!("<c:{field}>{bad}</c:{field}>"));
            let response = app.call(Soap::V11, &body).await;
            let f = expect_fault(&app, response, 500, "soap:Client", "SCHEMA_VIOLATION").await;
            assert_eq!(f.element.as_deref(), Some(format!("SubmitReadings/Reading[1]/{field}").as_str()));
            assert!(f.message.contains(message), "{field}: {}", f.message);
        }
    }
}

on_both_backends! {
    async fn a_missing_element_and_a_too_long_client_reference_are_named(app: TestApp) {
        let body = one_reading().replace("<c:CustomerType>Business</c:CustomerType>", "");
        let f = expect_fault(&app, app.call(Soap::V11, &body).await, 500, "soap:Client", "SCHEMA_VIOLATION").await;
        assert!(f.message.contains("CustomerType is missing"), "{}", f.message);
        assert_eq!(f.element.as_deref(), Some("SubmitReadings/Reading[1]"));

        let long = submit_body(&[reading(&"x".repeat(65), CAR, date(2025, 6, 3), 45_000)]);
        let f = expect_fault(&app, app.call(Soap::V11, &long).await, 500, "soap:Client", "SCHEMA_VIOLATION").await;
        assert_eq!(f.element.as_deref(), Some("SubmitReadings/Reading[1]/ClientReference"));
        assert!(f.message.contains("65 characters long; at most 64"), "{}", f.message);
        let just_fits = submit_body(&[reading(&"x".repeat(64), CAR, date(2025, 6, 3), 45_000)]);
        assert_eq!(app.call(Soap::V11, &just_fits).await.status, 200);
    }
}

/// What PHP's SoapClient sends when a DMS reuses one array for the Work of two readings: the
/// first written out with `id="ref1"`, the second as `href="#ref1"` (SOAP-encoding
/// multi-references, which document/literal does not use).
fn php_multi_reference_envelope() -> String {
    let first = reading("PHP-1", CAR, date(2025, 6, 2), 45_000);
    let second = reading("PHP-2", CAR, date(2025, 6, 3), 45_200);
    let work = r#"<ns1:Work id="ref1"><ns1:ActivityCode>MAINTENANCE</ns1:ActivityCode><ns1:Description>Kleine onderhoudsbeurt</ns1:Description></ns1:Work>"#;
    let strip = |r: &Reading| {
        let mut r = r.clone();
        r.works.clear();
        r.fields("ns1:", true)
    };
    format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP11}" xmlns:ns1="{NS}"><SOAP-ENV:Header>{}{}</SOAP-ENV:Header><SOAP-ENV:Body><ns1:SubmitReadings><ns1:Reading>{}{work}</ns1:Reading><ns1:Reading>{}<ns1:Work href="#ref1"/></ns1:Reading></ns1:SubmitReadings></SOAP-ENV:Body></SOAP-ENV:Envelope>"##,
        security(GARAGE_USER, PASSWORD),
        client_info("en"),
        strip(&first),
        strip(&second),
    )
}

on_both_backends! {
    /// Issue 17, point 5: a multi-reference is named with its href and how to avoid it, instead
    /// of "the required element ActivityCode is missing".
    async fn a_php_soap_encoding_reference_is_a_fault_that_names_the_href(app: TestApp) {
        let response = app.post(Soap::V11.content_type(), &[], php_multi_reference_envelope()).await;
        let f = expect_fault(&app, response, 500, "soap:Client", "SCHEMA_VIOLATION").await;
        assert_eq!(f.element.as_deref(), Some("SubmitReadings/Reading[2]/Work[1]"));
        assert!(f.message.contains(r##"href="#ref1""##), "{}", f.message);
        assert!(f.message.contains("PHP's SoapClient"), "{}", f.message);
        assert!(!f.message.contains("missing"), "{}", f.message);

        // Written out in full, the same request is accepted.
        let full = php_multi_reference_envelope().replace(
            r##"<ns1:Work href="#ref1"/>"##,
            "<ns1:Work><ns1:ActivityCode>MAINTENANCE</ns1:ActivityCode><ns1:Description>Kleine onderhoudsbeurt</ns1:Description></ns1:Work>",
        );
        let response = app.post(Soap::V11.content_type(), &[], full).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_eq!(receipts(&response.body).len(), 2);
    }
}

on_both_backends! {
    /// Issue 17, point 5: the XSD's length allows " ", but it names no job.
    async fn a_client_reference_of_only_spaces_is_refused_clearly(app: TestApp) {
        let blank = submit_body(&[
            reading("OK-1", CAR, date(2025, 6, 3), 45_000),
            reading("   ", CAR, date(2025, 6, 3), 45_000),
        ]);
        let f = expect_fault(&app, app.call(Soap::V11, &blank).await, 500, "soap:Client", "SCHEMA_VIOLATION").await;
        assert_eq!(f.element.as_deref(), Some("SubmitReadings/Reading[2]/ClientReference"));
        assert!(f.message.contains("only spaces"), "{}", f.message);
    }
}

on_both_backends! {
    async fn more_than_a_thousand_readings_are_refused_whole(app: TestApp) {
        let batch: Vec<Reading> = (0..1001).map(|i| reading(&format!("X-{i}"), CAR, date(2025, 6, 3), 45_000)).collect();
        let f = expect_fault(&app, app.call(Soap::V11, &submit_body(&batch)).await, 500, "soap:Client", "SCHEMA_VIOLATION").await;
        assert!(f.message.contains("at most 1000"), "{}", f.message);
    }
}

on_both_backends! {
    async fn authentication_faults_say_what_to_do(app: TestApp) {
        let body = envelope(Soap::V11, "", &one_reading());
        let response = app.post(Soap::V11.content_type(), &[], body).await;
        expect_fault(&app, response, 401, "soap:Client", "AUTHENTICATION_REQUIRED").await;

        let wrong = envelope(Soap::V11, &security(GARAGE_USER, "wrong password"), &one_reading());
        let unknown = envelope(Soap::V11, &security("nobody", PASSWORD), &one_reading());
        let a = expect_fault(&app, app.post(Soap::V11.content_type(), &[], wrong).await, 500, "soap:Client", "AUTHENTICATION_FAILED").await;
        let b = expect_fault(&app, app.post(Soap::V11.content_type(), &[], unknown).await, 500, "soap:Client", "AUTHENTICATION_FAILED").await;
        assert_eq!(a.message, b.message, "an unknown user and a wrong password get the same answer");

        let digest = security(GARAGE_USER, "aGFzaA==").replace("#PasswordText", "#PasswordDigest");
        let response = app.post(Soap::V11.content_type(), &[], envelope(Soap::V11, &digest, &one_reading())).await;
        let f = expect_fault(&app, response, 500, "soap:Client", "PASSWORD_DIGEST_NOT_SUPPORTED").await;
        assert!(f.message.contains("PasswordText"));
    }
}

on_both_backends! {
    /// SPEC 5.6: a UsernameToken and HTTP Basic that name two accounts leave open whose
    /// reading it is: the request is refused.
    async fn a_token_and_http_basic_for_another_account_are_refused(app: TestApp) {
        use base64::Engine;
        let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{OTHER_USER}:{PASSWORD}")));
        let header = format!("{}{}", security(GARAGE_USER, PASSWORD), client_info("en"));
        let body = submit_body(&[reading("TWO-ACCOUNTS", CAR, date(2025, 6, 3), 45_000)]);
        let response = app.post(Soap::V11.content_type(), &[("Authorization", &basic)], envelope(Soap::V11, &header, &body)).await;
        let f = expect_fault(&app, response, 500, "soap:Client", "AUTHENTICATION_FAILED").await;
        assert!(f.message.contains(GARAGE_USER) && f.message.contains(OTHER_USER), "{}", f.message);
        let same = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{GARAGE_USER}:{PASSWORD}")));
        let response = app.post(Soap::V11.content_type(), &[("Authorization", &same)], envelope(Soap::V11, &header, &body)).await;
        assert_eq!(response.status, 200, "the same account twice is one account: {}", response.body);
        assert!(response.body.contains("TWO-ACCOUNTS"), "{}", response.body);
    }
}

on_both_backends! {
    async fn a_nonce_is_accepted_once_and_a_stale_created_is_refused(app: TestApp) {
        let fresh = (now() - Duration::seconds(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let header = token(GARAGE_USER, PASSWORD, "bm9uY2UtMQ==", &fresh);
        let first = app.post(Soap::V11.content_type(), &[], envelope(Soap::V11, &header, &one_reading())).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let replay = app.post(Soap::V11.content_type(), &[], envelope(Soap::V11, &header, &one_reading())).await;
        assert_eq!(replay.status, 500);
        assert_eq!(fault(&replay.body).detail_code, "NONCE_REPLAYED");

        let stale = (now() - Duration::minutes(5) - Duration::seconds(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let header = token(GARAGE_USER, PASSWORD, "bm9uY2UtMg==", &stale);
        let response = app.post(Soap::V11.content_type(), &[], envelope(Soap::V11, &header, &one_reading())).await;
        assert_eq!(fault(&response.body).detail_code, "STALE_TIMESTAMP");
        let edge = (now() - Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let header = token(GARAGE_USER, PASSWORD, "bm9uY2UtMw==", &edge);
        let body = submit_body(&[reading("FAULT-2", CAR, date(2025, 6, 3), 45_000)]);
        let response = app.post(Soap::V11.content_type(), &[], envelope(Soap::V11, &header, &body)).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_eq!(app.count("readings"), 2);
    }
}

on_both_backends! {
    async fn a_remembered_password_still_checks_created_and_nothing_else_passes(app: TestApp) {
        // The first call verifies the password; the next ones find it remembered.
        let validate = validate_body(&reading("R-1", CAR, date(2025, 6, 2), 45_000));
        let first = app.call(Soap::V11, &validate).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let stale = (now() - Duration::minutes(6)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let header = format!(
            r#"<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken><wsse:Username>{GARAGE_USER}</wsse:Username><wsse:Password>{PASSWORD}</wsse:Password><wsu:Created>{stale}</wsu:Created></wsse:UsernameToken></wsse:Security>"#
        );
        let response = app.post(Soap::V11.content_type(), &[], envelope(Soap::V11, &header, &validate)).await;
        expect_fault(&app, response, 500, "soap:Client", "STALE_TIMESTAMP").await;
        let wrong = security(GARAGE_USER, "not-the-password");
        let response = app.post(Soap::V11.content_type(), &[], envelope(Soap::V11, &wrong, &validate)).await;
        expect_fault(&app, response, 500, "soap:Client", "AUTHENTICATION_FAILED").await;
        let again = app.call(Soap::V11, &validate).await;
        assert_eq!(again.status, 200, "{}", again.body);
    }
}

on_both_backends! {
    /// ValidateReading and SubmitReadings authenticate in the read that starts their work; the
    /// faults still come in order: the credentials, then the role, then the contract.
    async fn the_credentials_are_judged_before_the_role_and_the_role_before_the_contract(app: TestApp) {
        let bad_odometer = |body: String| body.replace("<c:Odometer>45000</c:Odometer>", "<c:Odometer>many</c:Odometer>");
        let validate = bad_odometer(validate_body(&reading("ORDER-1", CAR, date(2025, 6, 2), 45_000)));
        let submit = bad_odometer(one_reading());
        assert!(validate.contains(">many<") && submit.contains(">many<"));
        for body in [&validate, &submit] {
            // A remembered password first, so that the combined read is the one judged.
            let good = app.call(Soap::V11, body).await;
            expect_fault(&app, good, 500, "soap:Client", "SCHEMA_VIOLATION").await;
            let wrong = envelope(Soap::V11, &security(GARAGE_USER, "wrong password"), body);
            let response = app.post(Soap::V11.content_type(), &[], wrong).await;
            expect_fault(&app, response, 500, "soap:Client", "AUTHENTICATION_FAILED").await;
        }
        let response = app.call_as(Soap::V11, PORTAL_USER, "en", &submit).await;
        expect_fault(&app, response, 500, "soap:Client", "ROLE_NOT_ALLOWED").await;
    }
}

on_both_backends! {
    async fn a_portal_account_cannot_submit_readings(app: TestApp) {
        let response = app.call_as(Soap::V11, PORTAL_USER, "en", &one_reading()).await;
        let f = expect_fault(&app, response, 500, "soap:Client", "ROLE_NOT_ALLOWED").await;
        assert!(f.message.contains("portal"), "{}", f.message);
    }
}

on_both_backends! {
    async fn unknown_operations_are_faults(app: TestApp) {
        let response = app.call(Soap::V11, &format!(r#"<c:DeleteHistory xmlns:c="{NS}"/>"#)).await;
        let f = expect_fault(&app, response, 500, "soap:Client", "UNKNOWN_OPERATION").await;
        assert!(f.message.contains("SubmitReadings"), "{}", f.message);
        let wrong_ns = app.call(Soap::V11, r#"<c:SubmitReadings xmlns:c="urn:carpass:inflow:2"/>"#).await;
        expect_fault(&app, wrong_ns, 500, "soap:Client", "UNKNOWN_OPERATION").await;

    }
}

on_both_backends! {
    async fn list_activities_answers_in_the_callers_language(app: TestApp) {
        let body = format!(r#"<c:ListActivities xmlns:c="{NS}"/>"#);
        let response = app.call_as(Soap::V11, PORTAL_USER, "fr", &body).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_valid(&response.body);
        let doc = roxmltree::Document::parse(&response.body).unwrap();
        let activities: Vec<_> = doc.descendants().filter(|n| n.has_tag_name((NS, "Activity"))).collect();
        assert_eq!(activities.len(), 26);
        let first = activities[0].children().find(|n| n.has_tag_name((NS, "Code"))).unwrap();
        assert_eq!(first.text(), Some("MAINTENANCE"));
        let label = activities[0].children().find(|n| n.has_tag_name((NS, "Label"))).unwrap();
        assert_eq!(label.text(), Some("Entretien"));
    }
}

on_both_backends! {
    async fn envelopes_that_are_not_soap_are_refused(app: TestApp) {
        let soap12_as_11 = envelope(Soap::V12, &security(GARAGE_USER, PASSWORD), &one_reading());
        let response = app.post(Soap::V11.content_type(), &[], soap12_as_11).await;
        let f = expect_fault(&app, response, 500, "soap:VersionMismatch", "VERSION_MISMATCH").await;
        assert!(f.message.contains("application/soap+xml"), "{}", f.message);

        let json = app.post("application/json", &[], "{}").await;
        assert_eq!(json.status, 415);
        assert_eq!(fault(&json.body).detail_code, "UNSUPPORTED_MEDIA_TYPE");

        let broken = app.post(Soap::V11.content_type(), &[], "<soap:Envelope").await;
        expect_fault(&app, broken, 500, "soap:Client", "MALFORMED_XML").await;

        let bomb = format!(
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;">]>{}"#,
            envelope(Soap::V11, &security(GARAGE_USER, PASSWORD), &one_reading()).replace(r#"<?xml version="1.0" encoding="UTF-8"?>"#, "")
        );
        let response = app.post(Soap::V11.content_type(), &[], bomb).await;
        expect_fault(&app, response, 500, "soap:Client", "DTD_FORBIDDEN").await;

        let latin1 = b"<?xml version=\"1.0\"?><a>\xe9</a>".to_vec();
        let response = app.post(Soap::V11.content_type(), &[], latin1).await;
        let f = expect_fault(&app, response, 500, "soap:Client", "MALFORMED_XML").await;
        assert!(f.message.contains("UTF-8"), "{}", f.message);
    }
}

on_both_backends! {
    async fn a_body_over_the_limit_is_refused_before_parsing(app: TestApp) {
        let huge = vec![b' '; 8 * 1024 * 1024 + 1];
        let response = app.post(Soap::V11.content_type(), &[], huge).await;
        assert_eq!(response.status, 413);
        assert_eq!(fault(&response.body).detail_code, "BODY_TOO_LARGE");
    }
}

on_both_backends! {
    /// A storage failure is ours: a Server fault that says to retry, never a hang or a half batch.
    async fn a_broken_database_gives_a_server_fault_and_stores_nothing(app: TestApp) {
        use diesel::RunQueryDsl;
        let mut conn = app.pool.get().unwrap();
        diesel::sql_query("DROP TABLE reading_works").execute(&mut **conn).unwrap();
        drop(conn);
        let batch = [reading("DB-1", CAR, date(2025, 6, 3), 45_000), reading("DB-2", CAR, date(2025, 6, 3), 45_010)];
        let response = app.call(Soap::V12, &submit_body(&batch)).await;
        assert_eq!(response.status, 500, "{}", response.body);
        let f = fault(&response.body);
        assert_eq!((f.code.as_str(), f.detail_code.as_str()), ("soap:Receiver", "SERVER_ERROR"));
        assert!(f.message.contains("same ClientReference"), "{}", f.message);
        assert_eq!(app.count("readings"), 0);
    }
}
