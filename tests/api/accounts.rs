//! Accounts that can be revoked (issue 19): a disabled account or a replaced password is refused
//! on the very next request, also when the server had remembered the password, and every
//! change is recorded with who made it and when.

use carpass::db::account_events;
use carpass::staff::{self, Actor};

use crate::helpers::*;

const NEW_PASSWORD: &str = "a brand new password for the DMS";

fn validate() -> String {
    validate_body(&reading("ACCOUNT-1", CAR, date(2025, 6, 2), 45_000))
}

async fn validate_as(app: &TestApp, user: &str, password: &str) -> Response {
    let header = format!("{}{}", security(user, password), client_info("en"));
    app.post(
        Soap::V11.content_type(),
        &[],
        envelope(Soap::V11, &header, &validate()),
    )
    .await
}

fn refused_with(response: &Response, detail: &str) -> SoapFault {
    assert_eq!(response.status, 500, "{}", response.body);
    let f = fault(&response.body);
    assert_eq!(
        (f.code.as_str(), f.detail_code.as_str()),
        ("soap:Client", detail),
        "{f:?}"
    );
    f
}

fn clerk(app: &TestApp) -> Actor {
    Actor::staff(&mut app.pool.get().unwrap(), Some(STAFF_USER)).unwrap()
}

/// The account's recorded changes, oldest first: (action, staff, note, when).
fn audit_of(
    app: &TestApp,
    username: &str,
) -> Vec<(
    String,
    Option<String>,
    Option<String>,
    chrono::NaiveDateTime,
)> {
    let mut conn = app.pool.get().unwrap();
    let account = carpass::db::accounts::find_by_username(&mut conn, username)
        .unwrap()
        .unwrap();
    account_events::all(&mut conn)
        .unwrap()
        .into_iter()
        .filter(|e| e.account_id == Some(account.id))
        .map(|e| (e.action, e.staff_username, e.note, e.acted_at))
        .collect()
}

on_both_backends! {
    async fn a_disabled_account_is_refused_on_its_next_request_even_with_a_remembered_password(app: TestApp) {
        // Twice: the second request is answered from the remembered password.
        for _ in 0..2 {
            let ok = validate_as(&app, GARAGE_USER, PASSWORD).await;
            assert_eq!(ok.status, 200, "{}", ok.body);
        }
        let disabled_at = now() + chrono::Duration::minutes(1);
        staff::accounts::disable(&mut app.pool.get().unwrap(), &clerk(&app), GARAGE_USER, "password leaked", disabled_at).unwrap();

        let f = refused_with(&validate_as(&app, GARAGE_USER, PASSWORD).await, "ACCOUNT_DISABLED");
        assert!(f.message.contains("contact the registry"), "{}", f.message);
        let submit = app.call(Soap::V11, &submit_body(&[reading("ACCOUNT-2", CAR, date(2025, 6, 2), 45_000)])).await;
        refused_with(&submit, "ACCOUNT_DISABLED");
        assert_eq!(app.count("readings"), 0, "nothing of a disabled account is stored");

        // Without the password, a disabled account looks like any other refusal.
        let wrong = refused_with(&validate_as(&app, GARAGE_USER, "not the password").await, "AUTHENTICATION_FAILED");
        let unknown = refused_with(&validate_as(&app, "nobody", PASSWORD).await, "AUTHENTICATION_FAILED");
        assert_eq!(wrong.message, unknown.message);

        // An account the server never verified: refused on the slow path too.
        staff::accounts::disable(&mut app.pool.get().unwrap(), &clerk(&app), OTHER_USER, "garage closed", disabled_at).unwrap();
        refused_with(&validate_as(&app, OTHER_USER, PASSWORD).await, "ACCOUNT_DISABLED");

        let enabled_at = disabled_at + chrono::Duration::minutes(5);
        staff::accounts::enable(&mut app.pool.get().unwrap(), &clerk(&app), GARAGE_USER, Some("new password handed over"), enabled_at).unwrap();
        let again = validate_as(&app, GARAGE_USER, PASSWORD).await;
        assert_eq!(again.status, 200, "{}", again.body);
        refused_with(&validate_as(&app, OTHER_USER, PASSWORD).await, "ACCOUNT_DISABLED");

        let audit = audit_of(&app, GARAGE_USER);
        let actions: Vec<_> = audit.iter().map(|(a, by, note, at)| (a.as_str(), by.as_deref(), note.as_deref(), *at)).collect();
        assert_eq!(&actions[1..], [
            ("disabled", Some(STAFF_USER), Some("password leaked"), disabled_at.naive_utc()),
            ("enabled", Some(STAFF_USER), Some("new password handed over"), enabled_at.naive_utc()),
        ]);
        assert_eq!(actions[0].0, "account_added");
    }
}

on_both_backends! {
    async fn a_reset_password_refuses_the_old_one_at_once_even_when_it_was_remembered(app: TestApp) {
        for _ in 0..2 {
            let ok = validate_as(&app, GARAGE_USER, PASSWORD).await;
            assert_eq!(ok.status, 200, "{}", ok.body);
        }
        let reset = staff::accounts::reset_password(
            &mut app.pool.get().unwrap(),
            &clerk(&app),
            GARAGE_USER,
            Some(NEW_PASSWORD.into()),
            Some("ticket 4711"),
            now(),
        )
        .unwrap();
        assert!(reset.generated.is_none() && !reset.still_disabled);

        refused_with(&validate_as(&app, GARAGE_USER, PASSWORD).await, "AUTHENTICATION_FAILED");
        let new = validate_as(&app, GARAGE_USER, NEW_PASSWORD).await;
        assert_eq!(new.status, 200, "{}", new.body);
        refused_with(&validate_as(&app, GARAGE_USER, PASSWORD).await, "AUTHENTICATION_FAILED");

        let audit = audit_of(&app, GARAGE_USER);
        let last = audit.last().unwrap();
        assert_eq!(
            (last.0.as_str(), last.1.as_deref(), last.2.as_deref(), last.3),
            ("password_reset", Some(STAFF_USER), Some("ticket 4711"), now().naive_utc())
        );
    }
}

on_both_backends! {
    async fn who_added_each_company_and_account_is_recorded(app: TestApp) {
        let mut conn = app.pool.get().unwrap();
        let clerk = clerk(&app);
        let later = now() + chrono::Duration::hours(2);
        staff::companies::add(&mut conn, &clerk, "0202.239.951", "Garage Claes", "45201", staff::companies::CompanyKind::Garage, later).unwrap();
        staff::accounts::add(&mut conn, &clerk, "0202.239.951", "garage-claes", carpass::service::auth::Role::Submitter, Some(PASSWORD.into()), later).unwrap();

        let companies = staff::companies::list(&mut conn).unwrap();
        let claes = companies.iter().find(|c| c.name == "Garage Claes").unwrap();
        assert_eq!(claes.created.by.as_deref(), Some(STAFF_USER));
        assert_eq!(claes.created.at, later);
        // The seed ran before any staff account existed, and says so.
        let janssens = companies.iter().find(|c| c.name == "Garage Janssens BV").unwrap();
        assert_eq!(janssens.created.by, None);
        assert_eq!(janssens.created.note.as_deref(), Some("before the first staff account existed"));

        let accounts = staff::accounts::list(&mut conn, Some("0202239951")).unwrap();
        assert_eq!(accounts.len(), 1);
        assert_eq!((accounts[0].username.as_str(), accounts[0].created.by.as_deref()), ("garage-claes", Some(STAFF_USER)));
        assert_eq!(staff::accounts::list(&mut conn, None).unwrap().len(), 5);
    }
}
