//! Recalls (issue 22, point 5): a manufacturer reports a recall for a list of VINs (all or
//! nothing) and closes it; a garage's job with the recall campaign's work closes it too; the
//! open ones are printed on the Car-Pass and its verification page, and staff see the history.

use carpass::db::recalls::{self as stored, RecallRow};
use carpass::domain::recall::RecallProblem;
use carpass::service::auth::Role;
use carpass::service::recalls::{self, Close, RecallError, Report};
use carpass::staff::{self, companies::CompanyKind};

use crate::helpers::*;

const MAKER_KBO: &str = "0400.000.284";
const MAKER_USER: &str = "recalls-maker";
const OTHER_MAKER_KBO: &str = "0400.000.383";

/// Two manufacturers, one with a feed account; answers their company ids.
fn add_manufacturers(app: &TestApp) -> (i64, i64) {
    let mut conn = app.pool.get().unwrap();
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, Some(STAFF_USER)).unwrap();
    for (kbo, name) in [
        (MAKER_KBO, "Autobouwer Belgium NV"),
        (OTHER_MAKER_KBO, "Andere Invoerder NV"),
    ] {
        staff::companies::add(
            &mut conn,
            &actor,
            kbo,
            name,
            "46190",
            CompanyKind::Manufacturer,
            now(),
        )
        .unwrap();
    }
    staff::accounts::add(
        &mut conn,
        &actor,
        MAKER_KBO,
        MAKER_USER,
        Role::Manufacturer,
        Some(PASSWORD.into()),
        now(),
    )
    .unwrap();
    let account = carpass::db::accounts::find_by_username(&mut conn, MAKER_USER)
        .unwrap()
        .unwrap();
    let other = carpass::db::companies::find_by_kbo(&mut conn, "0400000383")
        .unwrap()
        .unwrap();
    (account.company_id, other.id)
}

fn report_of(vins: &[&str], reference: &str, opened_on: chrono::NaiveDate) -> Report {
    Report {
        vins: vins.iter().map(|v| (*v).to_owned()).collect(),
        reference: reference.into(),
        title_nl: Some("Airbag bestuurder vervangen".into()),
        title_fr: Some("Remplacement de l'airbag conducteur".into()),
        title_de: None,
        title_en: Some("Driver's airbag replacement".into()),
        opened_on,
    }
}

/// The problem a refused request names.
fn refused<T: std::fmt::Debug>(result: Result<T, RecallError>) -> RecallProblem {
    match result {
        Err(RecallError::Invalid(problem)) => problem,
        other => panic!("{other:?}"),
    }
}

fn rows(app: &TestApp, vin: &str) -> Vec<RecallRow> {
    stored::of_vin(&mut app.pool.get().unwrap(), vin).unwrap()
}

on_both_backends! {
    /// A report for two VINs stores both; sent again it changes nothing; a close closes one.
    async fn a_recall_is_reported_for_a_list_of_vins_and_closed_by_its_manufacturer(app: TestApp) {
        let (maker, _) = add_manufacturers(&app);
        let mut conn = app.pool.get().unwrap();
        let report = report_of(&[CAR, VAN5, CAR], "24V-117", date(2025, 3, 1));
        let done = recalls::report(&mut conn, maker, &report, now()).unwrap();
        assert_eq!(done.reported().len(), 2, "the VIN sent twice counts once");
        assert!(done.already().is_empty());
        let again = recalls::report(&mut conn, maker, &report, now()).unwrap();
        assert!(again.reported().is_empty());
        assert_eq!(again.already().len(), 2);
        assert_eq!(app.count("recalls"), 2);
        let car = rows(&app, CAR);
        assert_eq!(car[0].title_de, None, "German was not sent: shown in French, kept empty");
        assert_eq!(car[0].reported_by, maker);
        let close = Close { vin: CAR.into(), reference: "24V-117".into(), closed_on: date(2025, 6, 3) };
        recalls::close(&mut conn, maker, &close, now()).unwrap();
        let car = rows(&app, CAR);
        assert_eq!(car[0].closed_on, Some(date(2025, 6, 3)));
        assert_eq!(car[0].closed_how.as_deref(), Some("manufacturer"));
        assert_eq!(car[0].closed_by, Some(maker));
        assert_eq!(rows(&app, VAN5)[0].closed_on, None);
        // Closing it twice: refused, the first closing stands.
        match recalls::close(&mut conn, maker, &close, now()) {
            Err(RecallError::Invalid(RecallProblem::AlreadyClosed { on, .. })) => assert_eq!(on, date(2025, 6, 3)),
            other => panic!("{other:?}"),
        }
        // Reported again after its close: it stays closed.
        recalls::report(&mut conn, maker, &report, now()).unwrap();
        assert!(rows(&app, CAR)[0].closed_on.is_some());
    }
}

on_both_backends! {
    /// One bad VIN in the list refuses the whole report, and every bad VIN is named.
    async fn a_report_with_bad_vins_stores_nothing_and_names_each(app: TestApp) {
        let (maker, _) = add_manufacturers(&app);
        let mut conn = app.pool.get().unwrap();
        let report = report_of(&[CAR, "WDB2030461A00000", UNREGISTERED, "WDB2030461A00000O"], "24V-117", date(2025, 3, 1));
        let error = recalls::report(&mut conn, maker, &report, now()).unwrap_err();
        let message = error.to_string();
        match error {
            RecallError::BadVins { invalid, unknown } => {
                let named: Vec<&str> = invalid.iter().map(|(v, _)| v.as_str()).collect();
                assert_eq!(named, ["WDB2030461A00000", "WDB2030461A00000O"]);
                assert_eq!(unknown.iter().map(|v| v.as_str()).collect::<Vec<_>>(), [UNREGISTERED]);
            }
            other => panic!("{other:?}"),
        }
        assert!(message.starts_with("3 VINs cannot get the recall"), "{message}");
        assert!(message.contains(UNREGISTERED) && message.contains("not in the Belgian vehicle register"), "{message}");
        assert!(message.contains("nothing was changed"), "{message}");
        assert_eq!(app.count("recalls"), 0);
    }
}

on_both_backends! {
    /// Titles, dates, references: each mistake is refused with what to fix, nothing stored.
    async fn a_bad_report_or_close_is_refused_and_changes_nothing(app: TestApp) {
        let (maker, other) = add_manufacturers(&app);
        let mut conn = app.pool.get().unwrap();
        let mut no_french = report_of(&[CAR], "24V-117", date(2025, 3, 1));
        no_french.title_fr = None;
        let problem = refused(recalls::report(&mut conn, maker, &no_french, now()));
        assert!(problem.to_string().contains("French"), "{problem}");
        let tomorrow = report_of(&[CAR], "24V-117", date(2025, 6, 4));
        assert!(matches!(refused(recalls::report(&mut conn, maker, &tomorrow, now())), RecallProblem::OpenedInFuture { .. }));
        let spaced = report_of(&[CAR], "24V 117", date(2025, 3, 1));
        assert!(matches!(refused(recalls::report(&mut conn, maker, &spaced, now())), RecallProblem::ReferenceCharacter { .. }));
        assert_eq!(app.count("recalls"), 0);

        recalls::report(&mut conn, maker, &report_of(&[CAR], "24V-117", date(2025, 3, 1)), now()).unwrap();
        let close = |reference: &str, day| Close { vin: CAR.into(), reference: reference.into(), closed_on: day };
        assert!(matches!(
            refused(recalls::close(&mut conn, maker, &close("24V-118", date(2025, 6, 3)), now())),
            RecallProblem::Unknown { .. }
        ));
        assert!(matches!(
            refused(recalls::close(&mut conn, maker, &close("24V-117", date(2025, 2, 28)), now())),
            RecallProblem::ClosedBeforeOpening { .. }
        ));
        assert!(matches!(
            refused(recalls::close(&mut conn, maker, &close("24V-117", date(2025, 6, 4)), now())),
            RecallProblem::ClosedInFuture { .. }
        ));
        assert!(matches!(
            refused(recalls::close(&mut conn, other, &close("24V-117", date(2025, 6, 3)), now())),
            RecallProblem::ReportedByAnother { .. }
        ));
        let unknown = Close { vin: UNREGISTERED.into(), reference: "24V-117".into(), closed_on: date(2025, 6, 3) };
        assert!(matches!(recalls::close(&mut conn, maker, &unknown, now()), Err(RecallError::BadVins { .. })));
        assert_eq!(rows(&app, CAR)[0].closed_on, None, "still open");
    }
}

fn recall_repair(reference: &str, work_date: chrono::NaiveDate, odometer: u64) -> Reading {
    let mut repair = reading(reference, CAR, work_date, odometer);
    repair.works = vec![(
        "RECALL_CAMPAIGN".into(),
        "Terugroepactie airbag 24V-117".into(),
    )];
    repair
}

on_both_backends! {
    /// A garage's job with RECALL_CAMPAIGN closes the open recalls opened by its work date,
    /// dated that day, naming the reading; a job without it closes nothing.
    async fn a_garages_recall_repair_closes_the_vehicles_open_recalls(app: TestApp) {
        let (maker, _) = add_manufacturers(&app);
        {
            let mut conn = app.pool.get().unwrap();
            recalls::report(&mut conn, maker, &report_of(&[CAR], "24V-117", date(2025, 1, 10)), now()).unwrap();
            recalls::report(&mut conn, maker, &report_of(&[CAR], "25V-002", date(2025, 6, 2)), now()).unwrap();
        }
        let plain = app.submit_one(reading("JOB-1", CAR, date(2025, 5, 20), 40_000)).await;
        assert!(plain.status.starts_with("Accepted"), "{plain:?}");
        assert!(rows(&app, CAR).iter().all(|r| r.closed_on.is_none()));

        let repair = app.submit_one(recall_repair("JOB-2", date(2025, 6, 1), 40_100)).await;
        assert!(repair.status.starts_with("Accepted"), "{repair:?}");
        let after = rows(&app, CAR);
        let first = after.iter().find(|r| r.reference == "24V-117").unwrap();
        assert_eq!(first.closed_on, Some(date(2025, 6, 1)));
        assert_eq!(first.closed_how.as_deref(), Some("repair"));
        assert_eq!(first.closed_reading_id.as_deref(), Some(repair.reading_id.as_str()));
        let later = after.iter().find(|r| r.reference == "25V-002").unwrap();
        assert_eq!(later.closed_on, None, "opened after the job: not repaired by it");
        // The manufacturer cannot close what the garage closed.
        let mut conn = app.pool.get().unwrap();
        let close = Close { vin: CAR.into(), reference: "24V-117".into(), closed_on: date(2025, 6, 3) };
        assert!(matches!(
            recalls::close(&mut conn, maker, &close, now()),
            Err(RecallError::Invalid(RecallProblem::AlreadyClosed { .. }))
        ));
    }
}

fn request_car_pass(reference: &str) -> String {
    format!(
        r#"<c:RequestCarPass xmlns:c="{NS}"><c:ClientReference>{reference}</c:ClientReference><c:Vin>{CAR}</c:Vin><c:ReadingDate>2025-06-03</c:ReadingDate><c:Odometer>41000</c:Odometer></c:RequestCarPass>"#
    )
}

async fn get(app: &TestApp, path: &str, json: bool, cookie: Option<&str>) -> String {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut request = client
        .get(format!("{}{path}", app.address))
        .insert_header(("Accept-Language", "en"));
    if json {
        request = request.insert_header(("Accept", "application/json"));
    }
    if let Some(cookie) = cookie {
        request = request.insert_header(("Cookie", cookie));
    }
    let mut response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    String::from_utf8(response.body().await.unwrap().to_vec()).unwrap()
}

on_both_backends! {
    /// The Car-Pass, its verification page (HTML and JSON) and staff's vehicle page: the open
    /// recall printed with its title in the Car-Pass's language, the closed one not.
    async fn the_car_pass_and_its_verification_show_open_recalls_and_not_closed_ones(app: TestApp) {
        let (maker, _) = add_manufacturers(&app);
        {
            let mut conn = app.pool.get().unwrap();
            recalls::report(&mut conn, maker, &report_of(&[CAR], "24V-117", date(2025, 1, 10)), now()).unwrap();
            let mut closed = report_of(&[CAR], "23V-999", date(2024, 1, 10));
            closed.title_en = Some("Fuel pump".into());
            recalls::report(&mut conn, maker, &closed, now()).unwrap();
            let close = Close { vin: CAR.into(), reference: "23V-999".into(), closed_on: date(2024, 2, 1) };
            recalls::close(&mut conn, maker, &close, now()).unwrap();
        }
        let response = app.call_as(Soap::V11, GARAGE_USER, "en", &request_car_pass("CP-1")).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_valid(&response.body);
        let doc = roxmltree::Document::parse(&response.body).unwrap();
        let open: Vec<(String, String, String)> = doc
            .descendants()
            .filter(|n| n.has_tag_name((NS, "OpenRecall")))
            .map(|n| (child_text(n, "Reference").unwrap(), child_text(n, "Title").unwrap(), child_text(n, "OpenedOn").unwrap()))
            .collect();
        assert_eq!(open, [("24V-117".to_owned(), "Driver's airbag replacement".to_owned(), "2025-01-10".to_owned())]);
        let id: String = doc
            .descendants()
            .find(|n| n.has_tag_name((NS, "CarPass")))
            .and_then(|n| child_text(n, "Id"))
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();

        let html = get(&app, &format!("/verify/{id}"), false, None).await;
        assert!(html.contains("Driver&#39;s airbag replacement") || html.contains("Driver's airbag replacement"), "{html}");
        assert!(html.contains("24V-117") && !html.contains("23V-999"), "{html}");
        let json: serde_json::Value = serde_json::from_str(&get(&app, &format!("/verify/{id}"), true, None).await).unwrap();
        let recalls = json["car_pass"]["mentions"]["open_recalls"].as_array().unwrap();
        assert_eq!(recalls.len(), 1, "{json}");
        assert_eq!(recalls[0]["reference"], "24V-117");

        // A Car-Pass asked in German prints the French title: no German one was sent.
        let response = app.call_as(Soap::V11, GARAGE_USER, "de", &request_car_pass("CP-2")).await;
        assert!(response.body.contains("Remplacement de l&apos;airbag conducteur") || response.body.contains("Remplacement de l'airbag conducteur"), "{}", response.body);

        // Once repaired, the next Car-Pass prints none.
        app.submit_one(recall_repair("JOB-R", date(2025, 6, 2), 40_900)).await;
        let response = app.call_as(Soap::V11, GARAGE_USER, "en", &request_car_pass("CP-3")).await;
        assert!(!response.body.contains("OpenRecall"), "{}", response.body);

        // Staff see both, and how each was closed.
        let client = awc::Client::builder().disable_redirects().finish();
        let login = client
            .post(format!("{}/staff/login", app.address))
            .send_form(&[("username", STAFF_USER), ("password", PASSWORD)])
            .await
            .unwrap();
        let cookie = login.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
        let page = get(&app, &format!("/staff/vehicles/{CAR}"), false, Some(&cookie)).await;
        assert!(page.contains("Recalls") && page.contains("24V-117") && page.contains("23V-999"), "{page}");
        assert!(page.contains("repaired by") && page.contains("Garage Janssens BV"), "{page}");
        assert!(page.contains("closed by") && page.contains("Autobouwer Belgium NV"), "{page}");
    }
}

// ---- over SOAP, at /soap/feeds ----------------------------------------------------------------

use crate::partner_feeds::{self as feeds, CENTRE_USER, EXPERT_USER, IMPORTER_USER};

const FEEDS: &str = "urn:carpass:feeds:1";

fn report_recall(vins: &[&str], reference: &str, opened_on: &str, titles: &str) -> String {
    let vins: String = vins.iter().map(|v| format!("<f:Vin>{v}</f:Vin>")).collect();
    format!(
        r#"<f:ReportRecall xmlns:f="{FEEDS}">{vins}<f:RecallReference>{reference}</f:RecallReference>{titles}<f:OpenedOn>{opened_on}</f:OpenedOn></f:ReportRecall>"#
    )
}

const TITLES: &str = "<f:TitleNl>Airbag bestuurder vervangen</f:TitleNl><f:TitleFr>Remplacement de l'airbag conducteur</f:TitleFr><f:TitleEn>Driver's airbag replacement</f:TitleEn>";

fn close_recall(vin: &str, reference: &str, closed_on: &str) -> String {
    format!(
        r#"<CloseRecall xmlns="{FEEDS}"><Vin>{vin}</Vin><RecallReference>{reference}</RecallReference><ClosedOn>{closed_on}</ClosedOn></CloseRecall>"#
    )
}

/// (VIN, outcome) per vehicle of a ReportRecall answer.
fn outcomes(xml: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((FEEDS, "Vehicle")))
        .map(|v| {
            let text = |name: &str| {
                v.children()
                    .find(|c| c.has_tag_name((FEEDS, name)))
                    .and_then(|c| c.text())
                    .unwrap_or_default()
                    .to_owned()
            };
            (text("Vin"), text("Outcome"))
        })
        .collect()
}

on_both_backends! {
    /// ReportRecall and CloseRecall over SOAP: each VIN's outcome in the order sent, a resend
    /// that changes nothing, a close that answers what it closed, a second close refused.
    async fn a_manufacturer_reports_and_closes_a_recall_over_soap(app: TestApp) {
        add_manufacturers(&app);
        let body = report_recall(&[VAN5, CAR, VAN5], "24V-117", "2025-03-01", TITLES);
        let xml = feeds::ok(&app, MAKER_USER, &body).await;
        assert_eq!(outcomes(&xml), [(VAN5.to_owned(), "reported".to_owned()), (CAR.to_owned(), "reported".to_owned())]);
        let xml = feeds::ok(&app, MAKER_USER, &body).await;
        assert!(outcomes(&xml).iter().all(|(_, o)| o == "already_reported"), "{xml}");
        assert_eq!(app.count("recalls"), 2);

        let xml = feeds::ok(&app, MAKER_USER, &close_recall(CAR, "24V-117", "2025-06-02")).await;
        assert!(xml.contains("<ClosedOn>2025-06-02</ClosedOn>") || xml.contains(":ClosedOn>2025-06-02<"), "{xml}");
        assert_eq!(app.count("recalls WHERE closed_how = 'manufacturer'"), 1);
        let (code, message, _) = feeds::refused(&app, MAKER_USER, &close_recall(CAR, "24V-117", "2025-06-03")).await;
        assert_eq!(code, "RECALL_CLOSED", "{message}");
        assert!(message.contains("already closed on 2025-06-02") && message.contains("nothing was changed"), "{message}");
    }
}

on_both_backends! {
    /// Only manufacturer accounts report and close recalls: garages, portals, experts,
    /// inspection centres and staff are refused, and nothing is stored.
    async fn only_manufacturers_report_or_close_recalls(app: TestApp) {
        add_manufacturers(&app);
        feeds::add_partners(&app);
        let report = report_recall(&[CAR], "24V-117", "2025-03-01", TITLES);
        let close = close_recall(CAR, "24V-117", "2025-06-02");
        for body in [&report, &close] {
            for user in [GARAGE_USER, PORTAL_USER, EXPERT_USER, CENTRE_USER, STAFF_USER] {
                let (code, message, _) = feeds::refused(&app, user, body).await;
                assert_eq!(code, "ROLE_NOT_ALLOWED", "{user}: {message}");
                assert!(message.contains("open to accounts with the role manufacturer"), "{message}");
            }
        }
        assert_eq!(app.count("recalls"), 0);
        // An importer is a manufacturer account too.
        feeds::ok(&app, IMPORTER_USER, &report).await;
        assert_eq!(app.count("recalls"), 1);
    }
}

on_both_backends! {
    /// Every bad input is a clear fault naming the element, and changes nothing.
    async fn a_bad_recall_request_is_a_clear_fault_and_changes_nothing(app: TestApp) {
        add_manufacturers(&app);
        feeds::add_partners(&app);
        let cases = [
            // Malformed and unregistered VINs together: all named, the code for the malformed.
            (report_recall(&[CAR, "WDB2030461A00000", UNREGISTERED], "24V-117", "2025-03-01", TITLES), "VIN_INVALID", Some("ReportRecall/Vin")),
            (report_recall(&[CAR, UNREGISTERED], "24V-117", "2025-03-01", TITLES), "VIN_UNKNOWN", Some("ReportRecall/Vin")),
            (report_recall(&[CAR], "24V-117", "2025-06-04", TITLES), "DATE_INVALID", Some("ReportRecall/OpenedOn")),
            (report_recall(&[CAR], "24V 117", "2025-03-01", TITLES), "SCHEMA_VIOLATION", Some("ReportRecall/RecallReference")),
            (report_recall(&[CAR], "24V-117", "2025-03-01", "<f:TitleNl>Airbag</f:TitleNl>"), "SCHEMA_VIOLATION", None),
            (report_recall(&[CAR], "24V-117", "2025-03-01", "<f:TitleNl>Airbag</f:TitleNl><f:TitleFr>   </f:TitleFr>"), "SCHEMA_VIOLATION", Some("ReportRecall/TitleFr")),
            (report_recall(&[CAR], "24V-117", "2025-03-01", "<f:TitleNl>Airbag</f:TitleNl><f:TitleFr>Coussin</f:TitleFr><f:TitleDe>Zeile&#10;Zeile</f:TitleDe>"), "SCHEMA_VIOLATION", Some("ReportRecall/TitleDe")),
        ];
        for (body, expected, element) in &cases {
            let (code, message, at) = feeds::refused(&app, MAKER_USER, body).await;
            assert_eq!(&code, expected, "{message}");
            assert!(message.contains("nothing was changed") || *expected == "SCHEMA_VIOLATION", "{message}");
            if let Some(element) = element {
                assert_eq!(at.as_deref(), Some(*element), "{message}");
            }
        }
        let (_, message, _) = feeds::refused(&app, MAKER_USER, &cases[0].0).await;
        assert!(message.contains("WDB2030461A00000") && message.contains(UNREGISTERED), "{message}");
        assert_eq!(app.count("recalls"), 0);

        feeds::ok(&app, MAKER_USER, &report_recall(&[CAR], "24V-117", "2025-03-01", TITLES)).await;
        let cases = [
            (MAKER_USER, close_recall(CAR, "24V-118", "2025-06-02"), "RECALL_UNKNOWN"),
            (MAKER_USER, close_recall(CAR, "24v-117", "2025-06-02"), "RECALL_UNKNOWN"),
            (MAKER_USER, close_recall(CAR, "24V-117", "2025-02-28"), "DATE_INVALID"),
            (MAKER_USER, close_recall(CAR, "24V-117", "2025-06-04"), "DATE_INVALID"),
            (MAKER_USER, close_recall(UNREGISTERED, "24V-117", "2025-06-02"), "VIN_UNKNOWN"),
            (MAKER_USER, close_recall("WDB2030461A00000", "24V-117", "2025-06-02"), "VIN_INVALID"),
            (IMPORTER_USER, close_recall(CAR, "24V-117", "2025-06-02"), "RECALL_OTHER_COMPANY"),
        ];
        for (user, body, expected) in &cases {
            let (code, message, _) = feeds::refused(&app, user, body).await;
            assert_eq!(&code, expected, "{message}");
            assert!(message.contains("nothing was changed"), "{message}");
        }
        assert_eq!(app.count("recalls WHERE closed_on IS NULL"), 1);
    }
}
