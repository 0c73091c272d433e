//! The staff's web pages (SPEC 6): nothing under /staff without a live staff session, every
//! action with the session's CSRF token, and the daily work done through the pages.

use std::time::Duration;

use carpass::certification::reference_dms;
use carpass::certification::sessions;
use carpass::db::{self, staff_sessions, Database};
use carpass::domain::certification::evaluation::Software;
use carpass::staff::review;
use sha2::{Digest, Sha256};

use crate::helpers::*;

const PAGES: [&str; 15] = [
    "/staff",
    "/staff/search?q=WDB",
    "/staff/garages/1",
    "/staff/vehicles/WDB2030461A000001",
    "/staff/trusted-providers/publish?year=2026",
    "/staff/paper-form",
    "/staff/certification",
    "/staff/certification/nosuch",
    "/staff/certification/nosuch/report",
    "/staff/certification/nosuch/screenshots/1",
    "/staff/approvals",
    "/staff/trusted-providers",
    "/staff/trusted-providers?year=2025",
    "/staff/feeds",
    "/staff/feeds/1/any",
];

const ACTIONS: [&str; 8] = [
    "/staff/logout",
    "/staff/readings/any/decision",
    "/staff/paper-form",
    "/staff/certification/nosuch/verdict",
    "/staff/certification/nosuch/evaluate",
    "/staff/certification/nosuch/approve",
    "/staff/approvals/any/revoke",
    "/staff/trusted-providers/publish",
];

pub(crate) struct Page {
    pub(crate) status: u16,
    location: String,
    set_cookie: Option<String>,
    pub(crate) body: String,
}

/// A browser that does not follow redirects, so that every 303 is seen.
pub(crate) struct Browser {
    address: String,
    client: awc::Client,
    cookie: Option<String>,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        Browser {
            address: app.address.clone(),
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(Duration::from_secs(60))
                .finish(),
            cookie: None,
        }
    }

    async fn read(
        mut response: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
                + Unpin,
        >,
    ) -> Page {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let location = header("location").unwrap_or_default();
        let set_cookie = header("set-cookie");
        let status = response.status().as_u16();
        let body = response
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .expect("a body");
        Page {
            status,
            location,
            set_cookie,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Page {
        // English unless the test picks a language: the assertions read English.
        let mut request = self
            .client
            .get(format!("{}{path}", self.address))
            .insert_header(("Accept-Language", "en"));
        if let Some(cookie) = &self.cookie {
            request = request.insert_header(("Cookie", cookie.as_str()));
        }
        Browser::read(request.send().await.expect("the server answers")).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .insert_header(("Accept-Language", "en"));
        if let Some(cookie) = &self.cookie {
            request = request.insert_header(("Cookie", cookie.as_str()));
        }
        Browser::read(request.send_form(&form).await.expect("the server answers")).await
    }

    pub(crate) async fn log_in(&mut self, user: &str, password: &str) -> Page {
        let page = self
            .post(
                "/staff/login",
                &[("username", user), ("password", password)],
            )
            .await;
        if let Some(set_cookie) = &page.set_cookie {
            self.cookie = Some(set_cookie.split(';').next().unwrap().to_owned());
        }
        page
    }

    /// Logged in as the seeded staff member; returns the session's CSRF token.
    async fn staff(app: &TestApp) -> (Browser, String) {
        let mut browser = Browser::new(app);
        let page = browser.log_in(STAFF_USER, PASSWORD).await;
        assert_eq!(
            (page.status, page.location.as_str()),
            (303, "/staff"),
            "{}",
            page.body
        );
        let csrf = csrf_of(&browser.get("/staff").await.body);
        (browser, csrf)
    }
}

fn csrf_of(html: &str) -> String {
    let start =
        html.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    html[start..][..html[start..].find('"').unwrap()].to_owned()
}

fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

async fn refused_everywhere(browser: &Browser, what: &str) {
    for path in PAGES {
        let page = browser.get(path).await;
        assert_eq!(
            (page.status, page.location.as_str()),
            (303, "/staff/login"),
            "GET {path} {what}"
        );
    }
    for path in ACTIONS {
        let page = browser
            .post(
                path,
                &[("csrf", "x"), ("note", "n"), ("decision", "accept")],
            )
            .await;
        assert_eq!(page.status, 403, "POST {path} {what}: {}", page.body);
        assert!(page.body.contains("Nothing was changed"), "{}", page.body);
    }
}

on_both_backends! {
    async fn no_staff_page_or_action_is_reachable_without_a_live_session(app: TestApp) {
        let mut browser = Browser::new(&app);
        refused_everywhere(&browser, "without a cookie").await;

        browser.cookie = Some("carpass_staff=made-up".into());
        refused_everywhere(&browser, "with an unknown cookie").await;
        let page = browser.get("/staff").await;
        assert!(page.set_cookie.unwrap().contains("Max-Age=0"), "a dead cookie is dropped");

        // A session that was live once, and expired.
        let token = "expired-session-token";
        staff_sessions::insert(
            &mut app.pool.get().unwrap(),
            &staff_sessions::StaffSessionRow {
                token_hash: sha256_hex(token),
                username: STAFF_USER.into(),
                csrf_token: "expired-csrf".into(),
                created_at: (now() - chrono::Duration::hours(9)).naive_utc(),
                expires_at: (now() - chrono::Duration::hours(1)).naive_utc(),
            },
        )
        .unwrap();
        browser.cookie = Some(format!("carpass_staff={token}"));
        refused_everywhere(&browser, "with an expired session").await;
        let page = browser.post("/staff/logout", &[("csrf", "expired-csrf")]).await;
        assert_eq!(page.status, 403);
        assert!(browser.get("/staff/login").await.body.contains("Log in"));
    }
}

on_both_backends! {
    async fn a_submitter_an_unknown_user_and_a_wrong_password_get_the_same_answer(app: TestApp) {
        for (user, password) in [(GARAGE_USER, PASSWORD), (PORTAL_USER, PASSWORD), ("nobody", PASSWORD), (STAFF_USER, "wrong")] {
            let mut browser = Browser::new(&app);
            let page = browser.log_in(user, password).await;
            assert_eq!(page.status, 403, "{user}");
            assert!(page.set_cookie.is_none(), "{user} got a cookie");
            assert!(page.body.contains("Wrong user name or password, or not a staff account."), "{}", page.body);
            assert!(page.body.contains("action=\"/staff/login\""), "still the login page");
            refused_everywhere(&browser, &format!("after {user}'s login")).await;
        }
        assert_eq!(app.count("staff_sessions"), 0);
    }
}

on_both_backends! {
    async fn staff_log_in_see_every_page_and_log_out(app: TestApp) {
        assert_eq!(Browser::new(&app).get("/staff/login").await.status, 200);
        let mut browser = Browser::new(&app);
        let page = browser.log_in(STAFF_USER, PASSWORD).await;
        assert_eq!((page.status, page.location.as_str()), (303, "/staff"));
        let cookie = page.set_cookie.unwrap();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/staff", "Max-Age=28800"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Secure"), "plain http: {cookie}");
        // The database keeps only the token's hash.
        let token = browser.cookie.as_deref().unwrap().strip_prefix("carpass_staff=").unwrap().to_owned();
        assert_eq!(token.len(), 43, "32 bytes in base64url");
        let mut conn = app.pool.get().unwrap();
        let session = staff_sessions::find_live(&mut conn, &sha256_hex(&token), now().naive_utc()).unwrap().unwrap();
        assert!(staff_sessions::find_live(&mut conn, &token, now().naive_utc()).unwrap().is_none());
        assert_eq!(session.username, STAFF_USER);
        assert_eq!(session.expires_at, (now() + chrono::Duration::hours(8)).naive_utc());
        drop(conn);

        for (path, heading) in [
            ("/staff", "Review queue"),
            ("/staff/paper-form", "Paper correction form"),
            ("/staff/certification?lang=en", "Certification sessions"),
            ("/staff/approvals", "Approvals"),
            ("/staff/trusted-providers", "Trusted Providers 2025"),
            ("/staff/trusted-providers?year=2026", "Trusted Providers 2026"),
        ] {
            let page = browser.get(path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            assert!(page.body.contains(&format!("<h1>{heading}</h1>")), "{path}: {}", page.body);
            assert!(page.body.contains(&format!("Logged in as <strong>{STAFF_USER}</strong>")), "{path}");
            assert_eq!(csrf_of(&page.body), session.csrf_token, "{path}");
        }
        assert_eq!(browser.get("/staff/certification/nosuch").await.status, 404);
        let page = browser.get("/staff/trusted-providers?year=soon").await;
        assert!(page.body.contains("'soon' is not a year"), "{}", page.body);
        // Logged in already: the login page sends staff on.
        assert_eq!(browser.get("/staff/login").await.location, "/staff");

        let page = browser.post("/staff/logout", &[("csrf", &session.csrf_token)]).await;
        assert_eq!((page.status, page.location.as_str()), (303, "/staff/login?done=logged-out"));
        assert!(page.set_cookie.unwrap().contains("Max-Age=0"));
        assert_eq!(app.count("staff_sessions"), 0);
        refused_everywhere(&browser, "after logging out").await;
    }
}

/// A reading held for staff: a rollback the garage confirmed as right.
async fn confirmed_rollback(app: &TestApp) -> String {
    app.submit_one(reading("BASE", CAR, date(2025, 5, 30), 47_500))
        .await;
    let receipt = app
        .submit_one(reading("R-1", CAR, date(2025, 6, 3), 45_210))
        .await;
    let number = receipt.issue("ODOMETER_ROLLBACK").number.clone().unwrap();
    app.ok(&confirm_body(&number, Some("klant bevestigt de stand")))
        .await;
    receipt.reading_id
}

fn queue_length(app: &TestApp) -> usize {
    review::queue(&mut app.pool.get().unwrap()).unwrap().len()
}

on_both_backends! {
    async fn an_action_without_the_sessions_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let (browser, csrf) = Browser::staff(&app).await;
        let page = browser.get("/staff").await;
        for shown in [held.as_str(), "ODOMETER_ROLLBACK", "klant bevestigt de stand", "47,500 km", "Garage Janssens BV"] {
            assert!(page.body.contains(shown), "{shown}: {}", page.body);
        }
        let action = format!("/staff/readings/{held}/decision");
        for form in [
            vec![("decision", "accept"), ("note", "photo checked")],
            vec![("csrf", ""), ("decision", "accept"), ("note", "photo checked")],
            vec![("csrf", "forged"), ("decision", "accept"), ("note", "photo checked")],
            vec![("csrf", &csrf[..csrf.len() - 1]), ("decision", "accept"), ("note", "photo checked")],
        ] {
            let page = browser.post(&action, &form).await;
            assert_eq!(page.status, 403, "{form:?}");
            assert!(page.body.contains("security token"), "{}", page.body);
        }
        assert_eq!(queue_length(&app), 1);

        // A decision needs a note: shown on the page, nothing decided.
        let page = browser.post(&action, &[("csrf", &csrf), ("decision", "reject"), ("note", "  ")]).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("write a note saying why"), "{}", page.body);
        assert_eq!(queue_length(&app), 1);

        let page = browser.post(&action, &[("csrf", &csrf), ("decision", "accept"), ("note", "dashboard photo checked")]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert!(page.location.starts_with("/staff?done=accepted"), "{}", page.location);
        assert_eq!(queue_length(&app), 0);
        assert!(browser.get(&page.location).await.body.contains(&format!("Reading {held} accepted.")));
        let body = app.ok(&status_by_reference("R-1")).await;
        assert_eq!(receipts(&body)[0].status, "Accepted");

        // Deciding again is refused on the page.
        let page = browser.post(&action, &[("csrf", &csrf), ("decision", "reject"), ("note", "again")]).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("only readings in review or pending correction are decided"), "{}", page.body);
    }
}

on_both_backends! {
    async fn a_paper_form_from_the_page_corrects_the_reading(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let (browser, csrf) = Browser::staff(&app).await;
        let page = browser.get(&format!("/staff/paper-form?reading={held}")).await;
        assert!(page.body.contains(&format!("value=\"{held}\"")), "the queue's link fills in the reading");

        let page = browser.post("/staff/paper-form", &[("csrf", &csrf), ("reading", &held), ("reference", "PF-2025-17")]).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("Give at least one of odometer, work date or VIN"), "{}", page.body);
        assert!(page.body.contains("value=\"PF-2025-17\""), "what was typed is kept");
        assert_eq!(queue_length(&app), 1);

        let form = [("csrf", csrf.as_str()), ("reading", &held), ("reference", "PF-2025-17"), ("odometer", "47 610"), ("work_date", ""), ("vin", ""), ("note", "")];
        let page = browser.post("/staff/paper-form", &form).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let page = browser.get(&page.location).await;
        assert!(page.body.contains(&format!("Paper form applied: reading {held} → Accepted.")), "{}", page.body);
        assert_eq!(queue_length(&app), 0);
    }
}

on_both_backends! {
    async fn a_french_page_refuses_in_french(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let (browser, csrf) = Browser::staff(&app).await;
        let action = format!("/staff/readings/{held}/decision?lang=fr");
        let page = browser.post(&action, &[("csrf", &csrf), ("decision", "accept"), ("note", "photo vérifiée")]).await;
        assert_eq!(page.status, 303, "{}", page.body);

        // The staff layer's refusal, said in the page's language.
        let page = browser.post(&action, &[("csrf", &csrf), ("decision", "reject"), ("note", "encore")]).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("<html lang=\"fr\">"), "{}", page.body);
        assert!(page.body.contains(&format!("Le relevé {held} a le statut Accepted\u{a0}; seuls les relevés en examen ou en attente de correction sont tranchés.")), "{}", page.body);
        assert!(!page.body.contains("only readings in review"), "{}", page.body);

        // The paper form's own field errors too.
        let form = [("csrf", csrf.as_str()), ("reading", &held), ("reference", "PF-1"), ("odometer", "beaucoup")];
        let page = browser.post("/staff/paper-form?lang=fr", &form).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("Kilométrage\u{a0}: «\u{a0}beaucoup\u{a0}» n'est pas un nombre entier de km ou de miles. Rien n'a été modifié."), "{}", page.body);
        let form = [("csrf", csrf.as_str()), ("reading", "no-such-reading"), ("reference", "PF-1"), ("odometer", "47 610")];
        let page = browser.post("/staff/paper-form?lang=nl", &form).await;
        assert_eq!(page.status, 404);
        assert!(page.body.contains("Er is geen kilometerstand no-such-reading."), "{}", page.body);

        // An empty Trusted Provider list, refused in French.
        let page = browser.post("/staff/trusted-providers/publish?lang=fr", &[("csrf", &csrf), ("year", "2026"), ("confirmed", "")]).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains("Aucune entreprise n'est fiable pour 2026, et une liste Trusted Provider vide n'est pas publiée."), "{}", page.body);
    }
}

fn acme() -> Software {
    Software {
        builder: "Acme Software NV".into(),
        name: "Acme DMS".into(),
        version: "4.2".into(),
    }
}

/// A session that the reference DMS played in full, not evaluated yet.
async fn played_session(app: &TestApp) -> String {
    let pool = db::open(Database::Certification, &app.database_url, 2)
        .expect("the certification database opens");
    let address = app.address.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        // A short hold, so that the step whose answer is lost does not make the test slow.
        let started = sessions::start_holding(&mut conn, &acme(), now(), Some(1)).unwrap();
        let id = started.session.id.clone();
        let (user, password) =
            sessions::add_operator(&mut conn, &started.session, "reference-dms", now()).unwrap();
        let view = sessions::sheet_view(&mut conn, &id).unwrap();
        let options = reference_dms::Options {
            base_url: address,
            defect: None,
            timeout: Duration::from_secs(5),
            soap: reference_dms::Soap::V11,
            rerun: None,
        };
        let mut attach = |step: u32, png: Vec<u8>| {
            sessions::attach(&mut conn, &id, step, "screen.png", png, &user, now())
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        reference_dms::play(&view, &user, &password, &options, &mut attach).unwrap();
        id
    })
    .await
    .unwrap()
}

on_both_backends! {
    async fn a_certification_page_refuses_in_its_readers_language(app: TestApp) {
        let session = played_session(&app).await;
        let (browser, csrf) = Browser::staff(&app).await;
        let base = format!("/staff/certification/{session}");
        let page = browser.post(&format!("{base}/approve?lang=fr"), &[("csrf", &csrf), ("valid_until", "2099-12-31"), ("note", "")]).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains(&format!("La session {session} n'a pas encore d'évaluation\u{a0}: évaluez-la d'abord. Rien n'a été modifié.")), "{}", page.body);
        let page = browser.post(&format!("{base}/comment?lang=nl"), &[("csrf", &csrf), ("text", "   ")]).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains("De opmerking is leeg: schrijf wat het personeel moet lezen. Er werd niets gewijzigd."), "{}", page.body);
        // Overruling a criterion to the verdict it has already, once evaluated.
        let page = browser.post(&format!("{base}/evaluate"), &[("csrf", &csrf)]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let page = browser.post(&format!("{base}/override?lang=fr"), &[("csrf", &csrf), ("criterion", "C01"), ("passed", "true"), ("reason", "vu")]).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains("C01 est déjà réussi dans la dernière évaluation. Rien n'a été modifié."), "{}", page.body);
        let page = browser.get("/staff/certification/no-such-session?lang=de").await;
        assert_eq!(page.status, 404);
        assert!(page.body.contains("Es gibt keine Zertifizierungssitzung „no-such-session“"), "{}", page.body);
        // The command line's words stay English.
        let mut conn = db::open(Database::Certification, &app.database_url, 1).unwrap().get().unwrap();
        let error = carpass::certification::review::comment(&mut conn, &session, " ", "staff.anna", chrono::Utc::now()).unwrap_err();
        assert_eq!(error.to_string(), "the comment is empty: write what staff should read");
    }
}

on_both_backends! {
    async fn a_dms_is_approved_through_the_pages_and_listed_publicly(app: TestApp) {
        let session = played_session(&app).await;
        let (browser, csrf) = Browser::staff(&app).await;
        let base = format!("/staff/certification/{session}");
        let page = browser.get("/staff/certification?lang=en").await;
        assert!(page.body.contains("Acme DMS 4.2") && page.body.contains("not evaluated"), "{}", page.body);
        assert_eq!(browser.get(&format!("{base}/report")).await.status, 404, "no report before an evaluation");

        let page = browser.post(&format!("{base}/evaluate"), &[("csrf", &csrf)]).await;
        assert_eq!((page.status, page.location.as_str()), (303, format!("{base}?done=evaluated&subject=certifiable").as_str()));
        let page = browser.get("/staff/certification?lang=en").await;
        assert!(page.body.contains("certifiable") && page.body.contains("C07, C14"), "{}", page.body);

        // Not yet: C07 and C14 wait for a staff verdict on their screenshots.
        let approve = [("csrf", csrf.as_str()), ("valid_until", "2026-12-31"), ("note", "passing report")];
        let page = browser.post(&format!("{base}/approve"), &approve).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("C07 awaits a staff verdict") && page.body.contains("Nothing was changed."), "{}", page.body);
        assert_eq!(app.count("dms_approvals"), 0);
        let page = browser.post(&format!("{base}/approve"), &[("csrf", &csrf), ("valid_until", "2025-06-03")]).await;
        assert!(page.body.contains("is not after today (2025-06-03)"), "{}", page.body);

        // Staff comment and override from the page; a refused one changes nothing.
        let page = browser.post(&format!("{base}/comment"), &[("csrf", &csrf), ("text", "")]).await;
        assert!(page.status == 422 && page.body.contains("the comment is empty"), "{}", page.body);
        let page = browser.post(&format!("{base}/comment"), &[("csrf", &csrf), ("text", "Looks good <so far>")]).await;
        assert_eq!((page.status, page.location.as_str()), (303, format!("{base}?done=commented&subject={session}").as_str()));
        let page = browser.get(&format!("{base}?lang=en")).await;
        assert!(page.body.contains("Looks good &lt;so far&gt;") && page.body.contains("not marked ready yet"), "{}", page.body);
        let page = browser.post(&format!("{base}/override"), &[("csrf", &csrf), ("criterion", "C05"), ("passed", "false"), ("reason", "")]).await;
        assert_eq!(page.status, 422, "an override needs a reason");
        let page = browser.post(&format!("{base}/override"), &[("csrf", &csrf), ("criterion", "C05"), ("passed", "false"), ("reason", "sent after the car left")]).await;
        assert_eq!((page.status, page.location.as_str()), (303, format!("{base}?done=overridden&subject=not%20certifiable").as_str()));
        let page = browser.post(&format!("{base}/override"), &[("csrf", &csrf), ("criterion", "C05"), ("passed", "true"), ("reason", "it was the harness's clock")]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let page = browser.get(&format!("{base}/report")).await;
        assert!(page.body.contains("Staff overrides") && page.body.contains("it was the harness&apos;s clock"), "{}", page.body);

        let page = browser.get(&base).await;
        assert!(page.body.contains("id=\"verdict-C07\"") && page.body.contains("id=\"verdict-C14\""), "{}", page.body);
        let shot = page.body.split(&format!("src=\"{base}/screenshots/")).nth(1).expect("a screenshot on the page");
        let shot = format!("{base}/screenshots/{}", &shot[..shot.find('"').unwrap()]);
        let image = browser.get(&shot).await;
        assert_eq!(image.status, 200);
        assert!(image.body.as_bytes().starts_with(b"\x89PNG") || image.body.starts_with("\u{fffd}PNG"));
        let page = browser.get(&format!("{base}/report")).await;
        assert!(page.status == 200 && page.body.contains("Certification of Acme DMS 4.2"), "{}", page.body);

        let page = browser.post(&format!("{base}/verdict"), &[("csrf", &csrf), ("criterion", "C07"), ("passed", "true"), ("note", "")]).await;
        assert_eq!(page.status, 422, "a verdict needs a note");
        for criterion in ["C07", "C14"] {
            let page = browser
                .post(&format!("{base}/verdict"), &[("csrf", &csrf), ("criterion", criterion), ("passed", "true"), ("note", "the screenshot shows it")])
                .await;
            assert_eq!(page.status, 303, "{}", page.body);
            assert!(browser.get(&page.location).await.body.contains(&format!("Staff verdict recorded for {criterion} (passed).")));
        }
        let page = browser.post(&format!("{base}/approve"), &approve).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let page = browser.get(&page.location).await;
        assert!(page.body.contains("Approved: Acme DMS 4.2 until 2026-12-31"), "{}", page.body);

        let public = Browser::new(&app).get("/approved-dms").await;
        assert!(public.body.contains("Acme DMS 4.2") && public.body.contains("2026-12-31"), "{}", public.body);
        let public = Browser::new(&app).get("/approved-dms?lang=nl").await;
        assert!(public.body.contains("Erkende DMS") && public.body.contains("31/12/2026"), "{}", public.body);

        let page = browser.get("/staff/approvals").await;
        assert!(page.body.contains("Acme DMS 4.2") && page.body.contains("holds"), "{}", page.body);
        let approval = page.body.split("/staff/approvals/").nth(1).unwrap().split('/').next().unwrap().to_owned();
        let page = browser.post(&format!("/staff/approvals/{approval}/revoke"), &[("csrf", &csrf), ("note", "")]).await;
        assert_eq!(page.status, 422);
        let page = browser.post(&format!("/staff/approvals/{approval}/revoke"), &[("csrf", &csrf), ("note", "sold without C12 fix")]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let public = Browser::new(&app).get("/approved-dms").await;
        assert!(!public.body.contains("Acme DMS"), "{}", public.body);
        let page = browser.post(&format!("/staff/approvals/{approval}/revoke"), &[("csrf", &csrf), ("note", "again")]).await;
        assert!(page.status == 422 && page.body.contains("was revoked already"), "{}", page.body);
    }
}

/// `count` readings of the test garage dated in 2025, on VINs the register does not know (so
/// no anomaly): enough for a Trusted Provider standing in the list of 2026.
async fn readings_of_2025(app: &TestApp, count: usize) {
    let all: Vec<Reading> = (0..count)
        .map(|i| {
            reading(
                &format!("TP-{i}"),
                &format!("TSTVHCTP{i:09}"),
                date(2025, 5, 2),
                10_000,
            )
        })
        .collect();
    for batch in all.chunks(100) {
        app.submit(batch).await;
    }
}

on_both_backends! {
    async fn an_empty_trusted_provider_list_is_refused(app: TestApp) {
        app.submit_one(reading("T-1", CAR, date(2025, 5, 30), 47_500)).await;
        let (browser, csrf) = Browser::staff(&app).await;
        let page = browser.get("/staff/trusted-providers?year=2026").await;
        assert!(page.body.contains("Garage Janssens BV") && page.body.contains("too few readings"), "{}", page.body);
        assert!(page.body.contains("there is nothing to publish") && !page.body.contains("action=\"/staff/trusted-providers/publish\""), "{}", page.body);
        // Even sent by hand, confirmed as empty, it is refused and nothing is published.
        let page = browser.post("/staff/trusted-providers/publish", &[("csrf", &csrf), ("year", "2026"), ("confirmed", "")]).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains("an empty Trusted Provider list is not published"), "{}", page.body);
        assert_eq!(Browser::new(&app).get("/trusted-providers/2026").await.status, 404);
    }
}

on_both_backends! {
    async fn the_trusted_provider_list_is_published_from_the_page_after_a_confirmation(app: TestApp) {
        readings_of_2025(&app, 200).await;
        let (browser, csrf) = Browser::staff(&app).await;
        let page = browser.get("/staff/trusted-providers?year=2026").await;
        assert!(page.body.contains("Garage Janssens BV") && page.body.contains("trusted"), "{}", page.body);
        assert!(page.body.contains("Review the list before publishing"), "{}", page.body);

        // The confirmation shows what will be published; a post without it publishes nothing.
        let confirm = browser.get("/staff/trusted-providers/publish?year=2026").await;
        assert_eq!(confirm.status, 200);
        assert!(confirm.body.contains("You are about to publish the Trusted Provider list 2026") && confirm.body.contains("Garage Janssens BV") && confirm.body.contains("Publish this 1 company"), "{}", confirm.body);
        let page = browser.post("/staff/trusted-providers/publish", &[("csrf", &csrf), ("year", "2026")]).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("You are about to publish"), "{}", page.body);
        assert_eq!(Browser::new(&app).get("/trusted-providers/2026").await.status, 404);

        let confirmed = confirm.body.split("name=\"confirmed\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("the confirmed field").to_owned();
        let page = browser.post("/staff/trusted-providers/publish", &[("csrf", "wrong"), ("year", "2026"), ("confirmed", &confirmed)]).await;
        assert_eq!(page.status, 403);
        // A list that changed since the confirmation page is shown again, not published.
        let page = browser.post("/staff/trusted-providers/publish", &[("csrf", &csrf), ("year", "2026"), ("confirmed", "999")]).await;
        assert_eq!(page.status, 409);
        assert!(page.body.contains("The list changed since you looked at it"), "{}", page.body);
        assert_eq!(Browser::new(&app).get("/trusted-providers/2026").await.status, 404);

        let page = browser.post("/staff/trusted-providers/publish", &[("csrf", &csrf), ("year", "2026"), ("confirmed", &confirmed)]).await;
        assert_eq!((page.status, page.location.as_str()), (303, "/staff/trusted-providers?year=2026&done=published&subject=2026"));
        let page = browser.get(&page.location).await;
        assert!(page.body.contains("The Trusted Provider list 2026 is published.") && page.body.contains("was published on"), "{}", page.body);
        assert_eq!(Browser::new(&app).get("/trusted-providers/2026").await.status, 200);

        let page = browser.post("/staff/trusted-providers/publish", &[("csrf", &csrf), ("year", "2026"), ("confirmed", &confirmed)]).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("was published on"), "{}", page.body);
    }
}

on_both_backends! {
    /// A disabled staff member's open session ends on its next request, and the login says
    /// why, to whoever knows the password only; another staff member can enable it again.
    async fn a_disabled_staff_member_is_logged_out_at_once_and_cannot_log_in(app: TestApp) {
        let mut conn = app.pool.get().unwrap();
        let clerk = carpass::staff::Actor::staff(&mut conn, Some(STAFF_USER)).unwrap();
        carpass::staff::accounts::add(&mut conn, &clerk, REGISTRY_KBO, "clerk-two", carpass::service::auth::Role::Staff, Some(PASSWORD.into()), now()).unwrap();
        let mut browser = Browser::new(&app);
        assert_eq!(browser.log_in("clerk-two", PASSWORD).await.status, 303);
        assert_eq!(browser.get("/staff").await.status, 200);

        carpass::staff::accounts::disable(&mut conn, &clerk, "clerk-two", "left the registry", now()).unwrap();
        refused_everywhere(&browser, "after the account was disabled").await;
        let page = browser.log_in("clerk-two", PASSWORD).await;
        assert_eq!(page.status, 403);
        assert!(page.body.contains("This account is disabled"), "{}", page.body);
        let page = browser.log_in("clerk-two", "wrong password").await;
        assert!(page.body.contains("Wrong user name or password"), "{}", page.body);
        assert!(carpass::staff::staff_member(&mut conn, Some("clerk-two")).is_err(), "nor may it act on the command line");

        carpass::staff::accounts::enable(&mut conn, &clerk, "clerk-two", None, now()).unwrap();
        assert_eq!(browser.log_in("clerk-two", PASSWORD).await.status, 303);
        assert_eq!(browser.get("/staff").await.status, 200);
    }
}

// ---- Issue 20: the clerk's tools, four languages, escaping -------------------------------

fn company_id(app: &TestApp, kbo_digits: &str) -> i64 {
    carpass::db::companies::find_by_kbo(&mut app.pool.get().unwrap(), kbo_digits)
        .unwrap()
        .unwrap()
        .id
}

on_both_backends! {
    async fn the_search_box_finds_a_vehicle_a_garage_a_reading_and_a_client_reference(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let garage = company_id(&app, "0403170701");
        let (browser, _) = Browser::staff(&app).await;
        assert!(browser.get("/staff").await.body.contains("action=\"/staff/search\""), "the search box is on every page");

        let found = browser.get("/staff/search?q=wdb2030461a").await;
        assert!(found.body.contains(&format!("href=\"/staff/vehicles/{CAR}\"")), "{}", found.body);
        for q in ["janssens", "0403.170.701", "0403170701", "403170701"] {
            let found = browser.get(&format!("/staff/search?q={q}")).await;
            assert!(found.body.contains(&format!("href=\"/staff/garages/{garage}\"")), "{q}: {}", found.body);
            assert!(found.body.contains("0403.170.701"), "the number as written: {}", found.body);
        }
        for q in [held.as_str(), "R-1"] {
            let found = browser.get(&format!("/staff/search?q={q}")).await;
            assert!(found.body.contains(&format!("/staff/vehicles/{CAR}#reading-{held}")), "{q}: {}", found.body);
        }
        let vague = browser.get("/staff/search?q=ab").await;
        assert_eq!(vague.status, 422);
        assert!(vague.body.contains("at least 3 characters"), "{}", vague.body);
        let nothing = browser.get("/staff/search?q=nothing-like-this").await;
        assert!(nothing.body.contains("Nothing found"), "{}", nothing.body);
        let like = browser.get("/staff/search?q=%25%25%25").await;
        assert!(like.body.contains("Nothing found"), "LIKE's wildcards are taken literally: {}", like.body);

        // The vehicle: its history with each reading's source, its issues, its audit trail.
        let vehicle = browser.get(&format!("/staff/vehicles/{CAR}")).await;
        assert_eq!(vehicle.status, 200);
        for shown in ["47,500 km", "45,210 km", "garage", "ODOMETER_ROLLBACK", "klant bevestigt de stand", "Audit trail", &held] {
            assert!(vehicle.body.contains(shown), "{shown}: {}", vehicle.body);
        }
        let dutch = browser.get(&format!("/staff/vehicles/{CAR}?lang=nl")).await;
        assert!(dutch.body.contains("47.500 km") && dutch.body.contains("Historiek") && dutch.body.contains("30/05/2025"), "{}", dutch.body);
        // Statuses, issue states and answers in the reader's words, not the protocol's names.
        for said in ["in beoordeling", "bevestigd", "bevestiging"] {
            assert!(dutch.body.contains(said), "{said}: {}", dutch.body);
        }
        for protocol in [">Reviewing<", ">Confirmed<", "Confirmation"] {
            assert!(!dutch.body.contains(protocol), "{protocol}: {}", dutch.body);
        }
        assert_eq!(browser.get("/staff/vehicles/NOSUCHVIN").await.status, 404);

        // The garage: its readings, its open issues, its standing over the years, its software.
        let page = browser.get(&format!("/staff/garages/{garage}")).await;
        assert_eq!(page.status, 200);
        for shown in ["Garage Janssens BV", "0403.170.701", "Open issues", "Trusted Provider", "Software it sends with", "R-1", "BASE"] {
            assert!(page.body.contains(shown), "{shown}: {}", page.body);
        }
        assert_eq!(browser.get("/staff/garages/99999").await.status, 404);
        assert_eq!(browser.get("/staff/garages/x").await.status, 404);
    }
}

on_both_backends! {
    async fn a_garages_readings_and_the_approvals_come_a_page_at_a_time(app: TestApp) {
        let all: Vec<Reading> = (0..25)
            .map(|i| reading(&format!("P-{i:02}"), &format!("TSTVHCPG{i:09}"), date(2025, 5, 2), 10_000))
            .collect();
        app.submit(&all).await;
        let garage = company_id(&app, "0403170701");
        let (browser, _) = Browser::staff(&app).await;
        let first = browser.get(&format!("/staff/garages/{garage}")).await;
        assert!(first.body.contains("Page 1 of 2 (25)") && first.body.contains("page=2"), "{}", first.body);
        let second = browser.get(&format!("/staff/garages/{garage}?page=2")).await;
        assert!(second.body.contains("Page 2 of 2 (25)") && second.body.contains("rel=\"prev\""), "{}", second.body);
        assert_eq!(first.body.matches("<code>P-").count(), 20, "twenty a page");
        assert_eq!(second.body.matches("<code>P-").count(), 5);
        let beyond = browser.get(&format!("/staff/garages/{garage}?page=999999999999999999999")).await;
        assert_eq!(beyond.status, 200, "a page out of range is an empty page, not an error");

        // The queue's filter and order, and the approvals' filter, are GET choices.
        let queue = browser.get("/staff?order=newest&garage=424242").await;
        assert_eq!(queue.status, 200);
        assert!(queue.body.contains("name=\"garage\"") && queue.body.contains("name=\"order\""), "{}", queue.body);
        let approvals = browser.get("/staff/approvals?state=revoked&order=name").await;
        assert!(approvals.status == 200 && approvals.body.contains("No approval here."), "{}", approvals.body);
    }
}

on_both_backends! {
    async fn every_staff_and_public_page_speaks_the_readers_language_and_remembers_it(app: TestApp) {
        let (mut browser, _) = Browser::staff(&app).await;
        let mut french = browser.client.get(format!("{}/staff?lang=fr", app.address))
            .insert_header(("Cookie", browser.cookie.clone().unwrap()))
            .send().await.unwrap();
        let remembered = french.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
        assert!(remembered.starts_with("lang=fr"), "{remembered}");
        let body = String::from_utf8_lossy(&french.body().await.unwrap()).into_owned();
        assert!(body.contains("<html lang=\"fr\">") && body.contains("File de contrôle"), "{body}");
        for (lang, word) in [("nl", "Controlelijst"), ("de", "Prüfliste"), ("en", "Review queue")] {
            let page = browser.get(&format!("/staff?lang={lang}")).await;
            assert!(page.body.contains(&format!("<html lang=\"{lang}\">")) && page.body.contains(word), "{lang}: {}", page.body);
        }
        // Without a choice, the browser's Accept-Language decides; then the remembered one.
        let mut german = browser.client.get(format!("{}/approved-dms", app.address))
            .insert_header(("Accept-Language", "de-BE,de;q=0.9"))
            .send().await.unwrap();
        let body = String::from_utf8_lossy(&german.body().await.unwrap()).into_owned();
        assert!(body.contains("Zugelassene DMS"), "{body}");
        browser.cookie = Some(format!("{}; lang=nl", browser.cookie.unwrap()));
        let mut dutch = browser.client.get(format!("{}/trusted-providers/2030", app.address))
            .insert_header(("Cookie", browser.cookie.clone().unwrap()))
            .insert_header(("Accept-Language", "en"))
            .send().await.unwrap();
        let body = String::from_utf8_lossy(&dutch.body().await.unwrap()).into_owned();
        assert!(body.contains("De lijst 2030 is niet gepubliceerd."), "{body}");
        let login = browser.client.get(format!("{}/staff/login?lang=de", app.address)).send().await.unwrap().body().await.unwrap();
        assert!(String::from_utf8_lossy(&login).contains("Benutzername"));
    }
}

on_both_backends! {
    /// Markup in every free-text field a clerk, a garage or a company can fill shows as text
    /// on every page that shows it.
    async fn markup_in_free_text_is_shown_as_text_on_every_page(app: TestApp) {
        use diesel::prelude::*;
        const MARKUP: &str = "<script>alert(1)</script><b>&amp;";
        {
            let mut conn = app.pool.get().unwrap();
            diesel::update(carpass::db::schema::companies::table.filter(carpass::db::schema::companies::kbo.eq("0403170701")))
                .set(carpass::db::schema::companies::name.eq(MARKUP))
                .execute(&mut **conn)
                .unwrap();
        }
        app.submit_one(reading("BASE", CAR, date(2025, 5, 30), 47_500)).await;
        let receipt = app.submit_one(reading("R-1", CAR, date(2025, 6, 3), 45_210)).await;
        let number = receipt.issue("ODOMETER_ROLLBACK").number.clone().unwrap();
        app.ok(&confirm_body(&number, Some("&lt;img src=x onerror=alert(2)&gt;"))).await;
        let garage = company_id(&app, "0403170701");
        let (browser, csrf) = Browser::staff(&app).await;
        let paper = browser.post("/staff/paper-form", &[("csrf", &csrf), ("reading", MARKUP), ("reference", MARKUP), ("note", MARKUP), ("odometer", "x<i>")]).await;
        let search = format!("/staff/search?q={}", "%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        let pages = [
            browser.get("/staff").await,
            browser.get(&format!("/staff/garages/{garage}")).await,
            browser.get(&format!("/staff/vehicles/{CAR}")).await,
            browser.get(&search).await,
            browser.get("/staff/trusted-providers?year=2026").await,
            browser.get("/staff/trusted-providers?year=%3Cscript%3E").await,
            paper,
        ];
        for page in &pages {
            assert!(!page.body.contains("<script>") && !page.body.contains("<img src=x"), "{}", page.body);
        }
        assert!(pages[1].body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;&amp;amp;"), "{}", pages[1].body);
        assert!(pages[2].body.contains("&lt;img src=x onerror=alert(2)&gt;"), "{}", pages[2].body);
    }
}

on_both_backends! {
    /// Issue 22, point 7: the batches of partners and of the RDW, each with what was stored, held
    /// and refused and its lines; and on the vehicle page the batch and line of each such reading.
    async fn staff_see_every_batch_its_refused_lines_and_where_a_vehicle_s_readings_came_from(app: TestApp) {
        let garage = app.submit_one(reading("G-1", CAR, date(2025, 5, 30), 70_000)).await;
        assert_eq!(garage.status, "Accepted");
        let mut conn = app.pool.get().unwrap();
        let upload = carpass::staff::feeds::rdw_upload(&mut conn, "rdw-nl.csv").unwrap();
        let file = "vin;date;odometer;unit;verdict\nWDB2030461A000001;2021-04-06;39500;km;logisch\nWDB2030461A00000;2021-05-01;40000;km;logisch\nWDB2030461A000001;2021-06-01;41000;km;goed\nWDB2030461A000001;2025-06-01;65000;km;onlogisch\n";
        carpass::staff::feeds::import(&mut conn, &upload, file.as_bytes(), now, |_| {}).unwrap();
        drop(conn);
        let (browser, _) = Browser::staff(&app).await;
        let home = browser.get("/staff").await;
        assert!(home.body.contains("href=\"/staff/feeds\""), "the nav links the feeds page");
        // The contradicting RDW reading waits in the review queue, naming its file's line.
        let held = format!("/staff/feeds/{}/rdw-nl.csv#line-5", upload.company_id);
        assert!(home.body.contains(&format!("href=\"{held}\"")), "{}", home.body);
        assert!(home.body.contains("RDW"), "{}", home.body);
        let list = browser.get("/staff/feeds").await;
        assert_eq!(list.status, 200, "{}", list.body);
        let href = format!("/staff/feeds/{}/rdw-nl.csv", upload.company_id);
        assert!(list.body.contains(&format!("href=\"{href}\"")), "{}", list.body);
        assert!(list.body.contains("Het Register vzw"), "{}", list.body);
        assert!(list.body.contains("refused: verdict_invalid 1, vin_invalid 1"), "{}", list.body);
        let batch = browser.get(&href).await;
        assert_eq!(batch.status, 200, "{}", batch.body);
        assert!(batch.body.contains("id=\"line-3\""), "{}", batch.body);
        assert!(batch.body.contains("id=\"line-4\""), "{}", batch.body);
        assert!(batch.body.contains("id=\"line-5\""), "{}", batch.body);
        assert!(batch.body.contains("ODOMETER_ROLLBACK"), "{}", batch.body);
        assert!(batch.body.contains("logisch, onlogisch or geen oordeel"), "{}", batch.body);
        let list_fr = browser.get("/staff/feeds?lang=fr").await;
        assert!(list_fr.body.contains("1 lot ·") && !list_fr.body.contains("1 lots"), "{}", list_fr.body);
        assert!(list_fr.body.contains("5 lignes"), "{}", list_fr.body);
        let french = browser.get(&format!("{href}?lang=fr")).await;
        assert!(french.body.contains("Lignes refusées et retenues"), "{}", french.body);
        let missing = browser.get(&format!("/staff/feeds/{}/never", upload.company_id)).await;
        assert_eq!(missing.status, 404);
        let vehicle = browser.get(&format!("/staff/vehicles/{CAR}")).await;
        assert!(vehicle.body.contains(&format!("href=\"{href}#line-2\"")), "{}", vehicle.body);
        assert!(vehicle.body.contains("batch rdw-nl.csv, line 2"), "{}", vehicle.body);
        assert!(vehicle.body.contains("Rijksdienst voor het Wegverkeer"), "{}", vehicle.body);
    }
}
