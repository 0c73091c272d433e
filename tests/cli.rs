//! The command line as a registry clerk uses it: the real `carpass` binary, one SQLite file per
//! test, asserting what is printed, the exit status and what the database holds afterwards.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use carpass::db::schema::{account_events, accounts, companies, vehicles};
use carpass::db::{self, DatabaseUrl, PooledConnection};
use carpass::service::passwords;
use diesel::prelude::*;
use tempfile::TempDir;

const KBO: &str = "0403.170.701";
const PORTAL_KBO: &str = "1122.334.441";
const PASSWORD: &str = "correct horse battery staple";
const ADD_GARAGE: &str = "staff company add --kbo 0403.170.701 --name Janssens --nace 45201";
const HEADER: &str = "vin,make,model,category,mass_kg,first_registration,first_registration_be,\
                      imported_used,five_digit_odometer,euro_norm,co2_g_km,fuel";
const CAR: &str = "WDB2030461A000001,Mercedes-Benz,C 200,M1,1545,2020-03-01,2020-03-01,\
                   false,false,6d-TEMP,138,petrol";
const VAN: &str = "VF1RFB00X12345678,Renault,Kangoo,N1,1420,2013-05-14,2013-05-14,\
                   false,true,4,152,diesel";
const GOLF: &str = "WVWZZZ1KZ8W123456,Volkswagen,Golf,M1,1280,2016-09-30,2022-01-12,\
                    true,false,5,129,diesel";
const CAR_VIN: &str = "WDB2030461A000001";
const VAN_VIN: &str = "VF1RFB00X12345678";

/// A temp dir and the URL of a SQLite database in it that `carpass init` created.
fn database() -> (TempDir, String) {
    let (dir, url) = no_database();
    succeeds(&carpass(&url, &["init"]));
    (dir, url)
}

/// A temp dir and the URL of a SQLite database in it that does not exist.
fn no_database() -> (TempDir, String) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = format!("sqlite://{}", dir.path().join("carpass.db").display());
    (dir, url)
}

/// The binary with `--database-url db`, unaffected by the environment of the test run.
fn command(db: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_carpass"));
    command.arg("--database-url").arg(db).args(args);
    command.env_remove("CARPASS_DATABASE_URL");
    command.env_remove("CARPASS_BIND");
    command.env("RUST_LOG", "warn");
    command
}

fn carpass(db: &str, args: &[&str]) -> Output {
    command(db, args).output().expect("carpass runs")
}

fn carpass_with_stdin(db: &str, args: &[&str], input: &str) -> Output {
    let mut command = command(db, args);
    let piped = Stdio::piped;
    command.stdin(piped()).stdout(piped()).stderr(piped());
    let mut child = command.spawn().expect("carpass starts");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().expect("carpass runs")
}

/// The words of a command line without quoted parts.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

fn report(out: &Output) -> String {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    format!("{}\nstdout: {stdout}\nstderr: {stderr}", out.status)
}

/// Asserts success; returns stdout.
fn succeeds(out: &Output) -> String {
    assert!(out.status.success(), "{}", report(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts exit code 1, nothing on stdout and `error: ...expected...` on stderr.
fn fails(out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", report(out));
    assert!(out.stdout.is_empty(), "{}", report(out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "{}", report(out));
    let context = report(out);
    assert!(stderr.contains(expected), "no {expected:?} in {context}");
}

fn connection(url: &str) -> PooledConnection {
    let pool = db::connect(&DatabaseUrl::parse(url).unwrap(), 1).expect("the database opens");
    pool.get().expect("a connection")
}

macro_rules! count {
    ($db:expr, $table:ident) => {{
        let query = $table::table.count();
        query.get_result::<i64>(&mut **connection($db)).unwrap()
    }};
}

fn password_hash(db: &str, username: &str) -> String {
    let query = accounts::table.filter(accounts::username.eq(username));
    let query = query.select(accounts::password_hash);
    query.first(&mut **connection(db)).unwrap()
}

fn add_company(db: &str, kbo: &str, nace: &str, kind: &str) -> Output {
    let line = format!("staff company add --kbo {kbo} --nace {nace} --kind {kind}");
    let mut args = words(&line);
    args.extend(["--name", "Garage Janssens"]);
    carpass(db, &args)
}

fn add_garage(db: &str) {
    succeeds(&add_company(db, KBO, "45201", "garage"));
}

fn add_portal(db: &str) {
    succeeds(&add_company(db, PORTAL_KBO, "63120", "portal"));
}

fn add_user(db: &str, kbo: &str, username: &str, role: &str) -> Output {
    let line = format!("staff user add --kbo {kbo} --username {username} --role {role}");
    carpass(db, &words(&line))
}

fn add_user_with_stdin(db: &str, input: &str) -> Output {
    let line = format!("staff user add --kbo {KBO} --username garage-one --role submitter");
    carpass_with_stdin(db, &words(&format!("{line} --password-stdin")), input)
}

/// Writes `dir/name` with the header and the rows, and imports it.
fn import(db: &str, dir: &TempDir, name: &str, rows: &[&str]) -> Output {
    let path = dir.path().join(name);
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    carpass(db, &["import", "vehicles", path.to_str().unwrap()])
}

fn assert_make(db: &str, vin: &str, make: &str) {
    let query = vehicles::table.find(vin).select(vehicles::make);
    let stored: Option<String> = query.first(&mut **connection(db)).unwrap();
    assert_eq!(stored.as_deref(), Some(make), "the make of {vin}");
}

#[test]
fn adding_a_garage_prints_it_and_adding_it_again_fails_without_a_duplicate() {
    let (_dir, db) = database();
    let stdout = succeeds(&add_company(&db, KBO, "45201", "garage"));
    assert_eq!(stdout, "company 0403.170.701 added: Garage Janssens\n");
    let query = companies::table.select((companies::kbo, companies::kind, companies::nace_codes));
    let (kbo, kind, nace): (String, String, String) = query.first(&mut **connection(&db)).unwrap();
    assert_eq!([kbo, kind, nace], ["0403170701", "garage", "45201"]);

    let again = add_company(&db, KBO, "45201", "garage");
    fails(&again, "the company 0403.170.701 exists already");
    assert_eq!(count!(&db, companies), 1);
}

#[test]
fn an_enterprise_number_with_a_wrong_check_digit_is_refused_naming_the_check_digits() {
    let (_dir, db) = database();
    let out = add_company(&db, "0403.170.702", "45201", "garage");
    fails(&out, "the check digits are 02 but 0403.170.7xx needs 01");
    assert_eq!(count!(&db, companies), 0);
}

#[test]
fn a_garage_without_a_garage_nace_code_is_refused_naming_the_seven_allowed_codes() {
    let (_dir, db) = database();
    let out = add_company(&db, KBO, "47110", "garage");
    fails(&out, "45113, 45201, 45203, 45204, 45205, 45209, 45320");
    fails(
        &out,
        "added with --kind portal or --kind registry, without --nace",
    );
    assert_eq!(count!(&db, companies), 0);
}

#[test]
fn a_portal_needs_no_garage_nace_code() {
    let (_dir, db) = database();
    let stdout = succeeds(&add_company(&db, PORTAL_KBO, "63120", "portal"));
    assert_eq!(stdout, "company 1122.334.441 added: Garage Janssens\n");
    let query = companies::table.select(companies::kind);
    let kind: String = query.first(&mut **connection(&db)).unwrap();
    assert_eq!(kind, "portal");
}

#[test]
fn adding_a_user_prints_a_generated_password_and_stores_only_its_argon2id_hash() {
    let (_dir, db) = database();
    add_garage(&db);
    let stdout = succeeds(&add_user(&db, KBO, "garage-one", "submitter"));
    let line = stdout.trim_end();
    let password = line.strip_prefix("user garage-one added; password: ");
    let password = password.unwrap_or_else(|| panic!("no password printed: {stdout}"));
    assert!(password.len() >= 12, "{password}");
    let hash = password_hash(&db, "garage-one");
    assert!(hash.starts_with("$argon2id$v=19$"), "not argon2id: {hash}");
    assert!(!hash.contains(password), "{hash}");
    assert!(passwords::verify(password, &hash));
}

#[test]
fn a_password_piped_on_stdin_is_stored_and_not_printed() {
    let (_dir, db) = database();
    add_garage(&db);
    let stdout = succeeds(&add_user_with_stdin(&db, &format!("{PASSWORD}\n")));
    assert_eq!(stdout, "user garage-one added\n");
    let hash = password_hash(&db, "garage-one");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(passwords::verify(PASSWORD, &hash), "without the newline");
}

#[test]
fn a_password_shorter_than_twelve_characters_is_refused() {
    let (_dir, db) = database();
    add_garage(&db);
    let out = add_user_with_stdin(&db, "elevenchars\n");
    fails(&out, "the password must have at least 12 characters");
    assert_eq!(count!(&db, accounts), 0);
}

#[test]
fn a_user_of_an_unknown_company_is_refused() {
    let (_dir, db) = database();
    let out = add_user(&db, KBO, "garage-one", "submitter");
    fails(&out, "no company 0403.170.701; add it first");
    assert_eq!(count!(&db, accounts), 0);
}

#[test]
fn a_portal_company_cannot_have_a_submitter_account() {
    let (_dir, db) = database();
    add_portal(&db);
    let out = add_user(&db, PORTAL_KBO, "portal-one", "submitter");
    let expected = "a submitter account cannot belong to the portal company 1122.334.441";
    fails(&out, expected);
    assert_eq!(count!(&db, accounts), 0);
    succeeds(&add_user(&db, PORTAL_KBO, "portal-one", "portal"));
}

#[test]
fn a_taken_user_name_is_refused_and_the_existing_account_left_alone() {
    let (_dir, db) = database();
    add_garage(&db);
    add_portal(&db);
    succeeds(&add_user(&db, KBO, "garage-one", "submitter"));
    let hash = password_hash(&db, "garage-one");
    let out = add_user(&db, PORTAL_KBO, "garage-one", "portal");
    fails(&out, "the user name garage-one is taken");
    assert_eq!(count!(&db, accounts), 1);
    assert_eq!(password_hash(&db, "garage-one"), hash);
}

#[test]
fn a_good_vehicle_file_imports_all_its_rows() {
    let (dir, db) = database();
    let stdout = succeeds(&import(&db, &dir, "v.csv", &[CAR, VAN, GOLF]));
    assert!(stdout.starts_with("imported 3 vehicles from "), "{stdout}");
    assert_eq!(count!(&db, vehicles), 3);
    assert_make(&db, VAN_VIN, "Renault");
}

#[test]
fn a_bad_date_on_the_third_row_names_line_4_and_imports_nothing() {
    let (dir, db) = database();
    succeeds(&import(&db, &dir, "first.csv", &[CAR]));
    let changed_car = CAR.replace("Mercedes-Benz", "Daimler");
    let bad_golf = GOLF.replace("2016-09-30", "30/09/2016");
    let out = import(&db, &dir, "bad.csv", &[&changed_car, VAN, &bad_golf]);
    fails(&out, "bad.csv, line 4: first_registration '30/09/2016'");
    fails(&out, "nothing of this file was imported");
    assert_eq!(count!(&db, vehicles), 1);
    assert_make(&db, CAR_VIN, "Mercedes-Benz");
}

#[test]
fn importing_a_changed_row_again_updates_the_vehicle() {
    let (dir, db) = database();
    succeeds(&import(&db, &dir, "v1.csv", &[CAR, VAN, GOLF]));
    let renamed = VAN.replace("Renault", "Nissan");
    let stdout = succeeds(&import(&db, &dir, "v2.csv", &[&renamed]));
    assert!(stdout.starts_with("imported 1 vehicle from "), "{stdout}");
    assert_eq!(count!(&db, vehicles), 3);
    assert_make(&db, VAN_VIN, "Nissan");
    assert_make(&db, CAR_VIN, "Mercedes-Benz");
}

#[test]
fn a_mistyped_database_scheme_is_named_and_creates_no_file() {
    let cwd = tempfile::tempdir().unwrap();
    let mut command = command("postgress://x/y", &words(ADD_GARAGE));
    let out = command.current_dir(cwd.path()).output().unwrap();
    fails(&out, "unsupported database URL scheme 'postgress'");
    let left: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
    assert!(left.is_empty(), "files were created: {left:?}");
}

#[test]
fn the_database_url_is_taken_from_carpass_database_url_when_the_option_is_absent() {
    let (_dir, db) = database();
    let cwd = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_carpass"));
    command.args(words(ADD_GARAGE));
    command.env("CARPASS_DATABASE_URL", &db);
    succeeds(&command.current_dir(cwd.path()).output().unwrap());
    assert_eq!(count!(&db, companies), 1);
    let default_db = cwd.path().join("carpass.db");
    assert!(!default_db.exists(), "the default database was used");
}

#[test]
fn staff_import_and_certify_commands_on_a_missing_database_fail_naming_it_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("v.csv");
    std::fs::write(&csv, format!("{HEADER}\n{CAR}\n")).unwrap();
    let typo = dir.path().join("typo");
    let path = typo.join("x.db");
    let db = format!("sqlite://{}", path.display());
    let csv = csv.to_str().unwrap();
    let commands: [&[&str]; 9] = [
        &["staff", "review", "list"],
        &words(ADD_GARAGE),
        &["staff", "company", "list", "--json"],
        &["staff", "user", "list"],
        &[
            "staff",
            "--staff",
            "clerk-one",
            "user",
            "disable",
            "garage-one",
            "--note",
            "leaked",
        ],
        &["staff", "sweep"],
        &["staff", "software"],
        &["import", "vehicles", csv],
        &["certify", "sheet", "no-such-session"],
    ];
    for args in commands {
        let out = carpass(&db, args);
        fails(&out, "no carpass ");
        fails(&out, &format!("at {}", typo.display()));
        fails(
            &out,
            "create it with `carpass init` (or by starting `carpass serve`)",
        );
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
    // The same file named without its directory, in the current directory.
    let cwd = tempfile::tempdir().unwrap();
    let out = command("nothere.db", &["staff", "review", "list"])
        .current_dir(cwd.path())
        .output()
        .unwrap();
    fails(&out, "no carpass database at nothere.db");
    let left: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
    assert!(left.is_empty(), "files were created: {left:?}");
}

#[test]
fn a_file_that_holds_no_carpass_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let db = format!("sqlite://{}", path.display());
    let out = carpass(&db, &["staff", "review", "list"]);
    fails(
        &out,
        &format!("sqlite://{} holds no carpass database", path.display()),
    );
    fails(&out, "carpass init");
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        0,
        "nothing was written to it"
    );
}

#[test]
fn carpass_init_creates_the_database_and_its_certification_database_and_may_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new").join("carpass.db");
    let db = format!("sqlite://{}", path.display());
    let out = succeeds(&carpass(&db, &["init"]));
    assert!(
        out.contains(&format!("the carpass database {db} is ready")),
        "{out}"
    );
    let certification = dir.path().join("new").join("carpass-certification.db");
    assert!(out.contains(&certification.display().to_string()), "{out}");
    assert!(path.is_file() && certification.is_file());
    succeeds(&carpass(&db, &["init"]));
    add_garage(&db);
    succeeds(&carpass(&db, &["init"]));
    assert_eq!(count!(&db, companies), 1, "init again keeps what is there");
    let list = succeeds(&carpass(&db, &["staff", "review", "list"]));
    assert_eq!(list.trim(), "no readings in review");
    let sheet = carpass(&db, &["certify", "sheet", "no-such-session"]);
    fails(&sheet, "no certification session 'no-such-session'");
}

#[test]
fn staff_commands_refuse_a_postgres_database_where_carpass_was_never_set_up() {
    let Some(admin) = std::env::var("CARPASS_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("SKIPPED: CARPASS_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!("carpass_cli_{}", uuid::Uuid::new_v4().simple());
    let mut admin_conn = diesel::pg::PgConnection::establish(&admin).unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin_conn)
        .unwrap();
    let db = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let tables = || -> i64 {
        let mut conn = diesel::pg::PgConnection::establish(&db).unwrap();
        let query = "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')";
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(query)
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n
    };
    let review = carpass(&db, &["staff", "review", "list"]);
    let certify = carpass(&db, &["certify", "sheet", "no-such-session"]);
    let tables_before_init = tables();
    let init = carpass(&db, &["init"]);
    let after = carpass(&db, &["staff", "review", "list"]);
    let tables_after_init = tables();
    // Clean-up only. FORCE is refused when an autovacuum worker (not this role's process) is
    // in the new database; a plain DROP ends such a worker itself.
    let force = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    if diesel::sql_query(force).execute(&mut admin_conn).is_err() {
        let plain = format!("DROP DATABASE IF EXISTS {name}");
        let _ = diesel::sql_query(plain).execute(&mut admin_conn);
    }

    fails(
        &review,
        &format!("/{name} holds no carpass database (its migrations were never run there)"),
    );
    fails(&review, "create it with `carpass init`");
    fails(&certify, "holds no carpass certification database");
    assert_eq!(tables_before_init, 0, "the refused commands created tables");
    succeeds(&init);
    assert_eq!(succeeds(&after).trim(), "no readings in review");
    assert!(tables_after_init > 0);
}

#[test]
fn a_leaked_password_is_revoked_from_the_command_line_and_every_change_names_who_made_it() {
    let (_dir, db) = database();
    // The first registry company and staff account: no staff account can be named yet.
    let out = add_company(&db, "1000.010.117", "94990", "registry");
    succeeds(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no staff account exists yet"),
        "{}",
        report(&out)
    );
    let staff_user = |name: &str| {
        let line = format!("staff user add --kbo 1000.010.117 --username {name} --role staff --password-stdin --staff clerk-one");
        carpass_with_stdin(&db, &words(&line), PASSWORD)
    };
    let first =
        "staff user add --kbo 1000.010.117 --username clerk-one --role staff --password-stdin";
    succeeds(&carpass_with_stdin(&db, &words(first), PASSWORD));
    // From now on, who acts must be said.
    fails(
        &add_company(&db, KBO, "45201", "garage"),
        "say who you are: --staff USERNAME or CARPASS_STAFF",
    );
    assert_eq!(count!(&db, companies), 1);
    fn clerk(line: &str) -> Vec<&str> {
        let mut args = vec!["staff", "--staff", "clerk-one"];
        args.extend(words(line));
        args
    }
    let added = succeeds(&carpass(
        &db,
        &clerk(&format!(
            "company add --kbo {KBO} --nace 45201 --name Janssens"
        )),
    ));
    assert_eq!(added, "company 0403.170.701 added: Janssens by clerk-one\n");
    let added = succeeds(&carpass(
        &db,
        &clerk(&format!(
            "user add --kbo {KBO} --username garage-one --role submitter"
        )),
    ));
    assert!(
        added.starts_with("user garage-one added by clerk-one; password: "),
        "{added}"
    );
    succeeds(&staff_user("clerk-two"));

    let json = succeeds(&carpass(&db, &["staff", "user", "list", "--json"]));
    assert_eq!(
        json,
        succeeds(&carpass(
            &db,
            &["staff", "user", "list", "--format", "json"]
        ))
    );
    let accounts: serde_json::Value = serde_json::from_str(&json).unwrap();
    let garage = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "garage-one")
        .unwrap();
    assert_eq!(
        (&garage["created"]["by"], &garage["disabled"]),
        (&serde_json::json!("clerk-one"), &serde_json::json!(false))
    );
    let first = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "clerk-one")
        .unwrap();
    assert_eq!(first["created"]["by"], serde_json::Value::Null);
    assert_eq!(
        first["created"]["note"],
        "before the first staff account existed"
    );

    fails(
        &carpass(&db, &words("staff user disable garage-one --note leaked")),
        "--staff USERNAME",
    );
    let blank_note = [&clerk("user disable garage-one --note")[..], &["  "]].concat();
    fails(&carpass(&db, &blank_note), "--note must say why");
    fails(
        &carpass(&db, &clerk("user disable nobody --note leaked")),
        "no account nobody; `carpass staff user list` shows them",
    );
    fails(
        &carpass(&db, &clerk("user disable clerk-one --note tired")),
        "you cannot disable your own account",
    );
    let out = succeeds(&carpass(
        &db,
        &clerk("user disable garage-one --note leaked"),
    ));
    assert_eq!(
        out,
        "user garage-one disabled by clerk-one: it is refused from its next request on\n"
    );
    let events = count!(&db, account_events);
    fails(
        &carpass(&db, &clerk("user disable garage-one --note again")),
        "the account garage-one is disabled already",
    );
    assert_eq!(
        count!(&db, account_events),
        events,
        "a refused command records nothing"
    );
    let text = succeeds(&carpass(&db, &["staff", "user", "list", "--kbo", KBO]));
    assert!(
        text.contains("garage-one  submitter  0403.170.701 Janssens  DISABLED ")
            && text.contains(" by clerk-one (leaked)"),
        "{text}"
    );
    assert!(
        !text.contains("clerk-two"),
        "--kbo lists one company's accounts: {text}"
    );

    let old_hash = password_hash(&db, "garage-one");
    let reset = carpass(
        &db,
        &clerk("user reset-password garage-one --note ticket-4711"),
    );
    let printed = succeeds(&reset);
    let password = printed
        .trim_end()
        .strip_prefix("password of garage-one reset by clerk-one; new password: ")
        .unwrap_or_else(|| panic!("{printed}"));
    let new_hash = password_hash(&db, "garage-one");
    assert!(new_hash != old_hash && passwords::verify(password, &new_hash));
    assert!(
        String::from_utf8_lossy(&reset.stderr).contains("garage-one is still disabled"),
        "{}",
        report(&reset)
    );
    succeeds(&carpass(&db, &clerk("user enable garage-one")));
    fails(
        &carpass(&db, &clerk("user enable garage-one")),
        "the account garage-one is not disabled",
    );

    // For scripts: the same commands as JSON, the generated password included.
    let json = |line: &str| -> serde_json::Value {
        serde_json::from_str(&succeeds(&carpass(&db, &clerk(line)))).unwrap()
    };
    let reset = json("user reset-password clerk-two --format json");
    let password = reset["password"].as_str().unwrap();
    assert!(passwords::verify(
        password,
        &password_hash(&db, "clerk-two")
    ));
    assert_eq!(
        (&reset["disabled"], &reset["by"]),
        (&serde_json::json!(false), &serde_json::json!("clerk-one"))
    );

    // A disabled staff member can no longer act.
    let disabled = json("user disable clerk-two --note left --json");
    assert_eq!(
        (&disabled["username"], &disabled["disabled"]),
        (&serde_json::json!("clerk-two"), &serde_json::json!(true))
    );
    let as_two = [
        "staff",
        "--staff",
        "clerk-two",
        "user",
        "enable",
        "clerk-two",
    ];
    fails(
        &carpass(&db, &as_two),
        "the staff account clerk-two is disabled",
    );

    let query = account_events::table
        .inner_join(accounts::table)
        .filter(accounts::username.eq("garage-one"))
        .order(account_events::id)
        .select((
            account_events::action,
            account_events::staff_username,
            account_events::note,
        ));
    let audit: Vec<(String, Option<String>, Option<String>)> =
        query.load(&mut **connection(&db)).unwrap();
    let by = Some("clerk-one".to_owned());
    assert_eq!(
        audit,
        [
            ("account_added".into(), by.clone(), None),
            ("disabled".into(), by.clone(), Some("leaked".into())),
            (
                "password_reset".into(),
                by.clone(),
                Some("ticket-4711".into())
            ),
            ("enabled".into(), by.clone(), None),
        ]
    );

    let companies: serde_json::Value = serde_json::from_str(&succeeds(&carpass(
        &db,
        &["staff", "company", "list", "--json"],
    )))
    .unwrap();
    let garage = &companies[0];
    assert_eq!(
        (
            &garage["kbo"],
            &garage["created"]["by"],
            &garage["accounts"]
        ),
        (
            &serde_json::json!("0403.170.701"),
            &serde_json::json!("clerk-one"),
            &serde_json::json!(1)
        )
    );
    let text = succeeds(&carpass(&db, &["staff", "company", "list"]));
    assert!(
        text.contains(
            "1000.010.117  Garage Janssens (registry, NACE 94990)  2 accounts, 1 disabled"
        ),
        "{text}"
    );
}

/// A `carpass serve --demo` child process, killed when the test ends, passed or not.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    port: u16,
}

impl Server {
    fn start(db: &str) -> Server {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let bind = format!("127.0.0.1:{port}");
        let mut command = command(db, &["serve", "--demo", "--bind", &bind]);
        command.stdout(Stdio::piped());
        let mut child = command.spawn().expect("carpass serve starts");
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Server { child, lines, port }
    }

    /// The lines printed up to and including the `submitter:` line, within 60 s.
    fn banner(&self) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.trim_start().starts_with("submitter:") => {
                    seen.push(line);
                    return seen;
                }
                Ok(line) => seen.push(line),
                Err(e) => panic!("no submitter line ({e:?}); printed so far: {seen:#?}"),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo garage's password, from the banner's last line.
fn submitter_password(banner: &[String]) -> String {
    let line = banner.last().unwrap().trim();
    let credentials = line.strip_prefix("submitter:").unwrap().trim();
    let parts = credentials.split_once(" / ");
    let (user, rest) = parts.unwrap_or_else(|| panic!("{line}"));
    let password = rest.split_whitespace().next().unwrap();
    assert_eq!(user, "demo-garage");
    assert!(password.len() >= 12, "{line}");
    password.to_owned()
}

#[actix_rt::test]
async fn serve_demo_prints_the_wsdl_url_and_credentials_and_serves_the_wsdl_with_its_address() {
    // On no database at all: serve creates it, as the README's first command needs.
    let (_dir, db) = no_database();
    let server = Server::start(&db);
    let banner = server.banner();
    let port = server.port;
    let wsdl_url = format!("http://127.0.0.1:{port}/soap/inflow?wsdl");
    let wsdl_line = format!("  WSDL:      {wsdl_url}");
    assert!(banner.contains(&wsdl_line), "{banner:#?}");
    let password = submitter_password(&banner);
    let hash = password_hash(&db, "demo-garage");
    assert!(passwords::verify(&password, &hash));

    let client = awc::Client::default();
    let mut response = client.get(&wsdl_url).send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let body = response.body().limit(1 << 20).await.unwrap();
    let wsdl = std::str::from_utf8(&body).unwrap();
    let address = format!("soap:address location=\"http://127.0.0.1:{port}/soap/inflow\"");
    assert!(wsdl.contains(&address), "no {address} in the WSDL");
    roxmltree::Document::parse(wsdl).expect("the WSDL is well-formed XML");
}

#[test]
fn serve_demo_twice_on_one_database_works_and_prints_a_new_password() {
    let (_dir, db) = database();
    // Each server is killed at the end of its statement, before the next one starts.
    let first = submitter_password(&Server::start(&db).banner());
    let second = submitter_password(&Server::start(&db).banner());
    assert_ne!(first, second);
    let hash = password_hash(&db, "demo-garage");
    assert!(passwords::verify(&second, &hash), "the new password works");
    assert!(!passwords::verify(&first, &hash), "the old one no longer");
    let demo_accounts = carpass::staff::demo::ACCOUNTS.len() as i64;
    assert_eq!(
        count!(&db, accounts),
        demo_accounts,
        "no demo account was duplicated"
    );
    assert_eq!(count!(&db, companies), demo_accounts);
    assert_eq!(count!(&db, vehicles), 4);
}

/// Two readings of the car through the library: an accepted one, and a rollback the garage
/// confirmed as right, which waits for staff. Returns the held reading's id.
fn held_for_review(db: &str, dir: &TempDir) -> String {
    use carpass::domain::issue_number::IssueNumber;
    use carpass::domain::language::Language;
    use carpass::domain::odometer::OdometerUnit;
    use carpass::domain::reading::{ClientReference, CustomerType, ReadingInput, Submission, Work};
    use carpass::service::auth::{Account, Role};
    use carpass::service::corrections::{self, Answer};
    use carpass::service::{inflow, Caller, Software};

    add_garage(db);
    succeeds(&add_user(db, KBO, "garage-one", "submitter"));
    succeeds(&add_company(db, "1000.010.117", "94990", "registry"));
    succeeds(&add_user(db, "1000.010.117", "clerk-one", "staff"));
    succeeds(&import(db, dir, "v.csv", &[CAR]));
    let mut conn = connection(db);
    let account = carpass::db::accounts::find_by_username(&mut conn, "garage-one")
        .unwrap()
        .unwrap();
    let caller = Caller {
        account: Account {
            id: account.id,
            company_id: account.company_id,
            username: account.username,
            role: Role::Submitter,
        },
        language: Language::En,
        software: Software::default(),
    };
    let submission = |reference: &str, odometer: u64, day: u32| Submission {
        client_reference: ClientReference::parse(reference).unwrap(),
        reading: ReadingInput {
            vin: CAR_VIN.into(),
            work_date: chrono::NaiveDate::from_ymd_opt(2025, 6, day).unwrap(),
            odometer,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
            subcontracted: false,
            customer_type: CustomerType::Business,
            invoice_total_cents: 20_000,
            works: vec![Work {
                activity_code: "TYRES".into(),
                description: "2 banden".into(),
            }],
            license_plate: None,
            source: carpass::domain::source::ReadingSource::Garage,
        },
    };
    let now = chrono::Utc::now();
    inflow::submit(&mut conn, &caller, &[submission("J-1", 47_500, 2)], now).unwrap();
    let receipt = inflow::submit(&mut conn, &caller, &[submission("J-2", 45_210, 3)], now)
        .unwrap()
        .remove(0);
    let number: IssueNumber = receipt
        .issues
        .iter()
        .find(|i| i.code.as_str() == "ODOMETER_ROLLBACK")
        .unwrap()
        .number
        .unwrap();
    corrections::answer(
        &mut conn,
        &caller,
        number,
        &Answer::Confirmation(Some("klant bevestigt".into())),
        now,
    )
    .unwrap()
    .unwrap();
    receipt.reading_id
}

#[test]
fn staff_review_the_queue_and_accept_a_reading_saying_who_and_why() {
    let (dir, db) = database();
    let reading = held_for_review(&db, &dir);
    let list = succeeds(&carpass(&db, &["staff", "review", "list"]));
    assert!(list.contains(&format!("reading {reading}")), "{list}");
    assert!(
        list.contains("ODOMETER_ROLLBACK [Confirmed]")
            && list.contains("the garage says: klant bevestigt"),
        "{list}"
    );
    let json = succeeds(&carpass(&db, &["staff", "review", "list", "--json"]));
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["reading_id"], reading.as_str());

    let accept = [
        "staff",
        "review",
        "accept",
        &reading,
        "--note",
        "photo of the dashboard",
    ];
    fails(&carpass(&db, &accept), "--staff USERNAME or CARPASS_STAFF");
    fails(
        &carpass(&db, &[&accept[..], &["--staff", "garage-one"]].concat()),
        "not a staff account",
    );
    let out = succeeds(
        &command(&db, &accept)
            .env("CARPASS_STAFF", "clerk-one")
            .output()
            .unwrap(),
    );
    // Received long after June 2025 by the real clock, so with a LATE_SUBMISSION warning.
    assert_eq!(
        out.trim(),
        format!("reading {reading} is now AcceptedWithWarnings")
    );
    assert_eq!(
        succeeds(&carpass(&db, &["staff", "review", "list"])).trim(),
        "no readings in review"
    );
    let again = [
        "staff",
        "--staff",
        "clerk-one",
        "review",
        "reject",
        &reading,
        "--note",
        "x",
    ];
    fails(
        &carpass(&db, &again),
        "only readings in review or pending correction are decided",
    );
}

#[test]
fn staff_apply_a_paper_correction_form_and_reject_what_is_still_wrong() {
    let (dir, db) = database();
    let reading = held_for_review(&db, &dir);
    let still_low = [
        "staff",
        "correct",
        &reading,
        "--odometer",
        "46000",
        "--form-ref",
        "CF-7",
        "--staff",
        "clerk-one",
    ];
    let out = succeeds(&carpass(&db, &still_low));
    assert_eq!(
        out.trim(),
        format!("reading {reading} corrected from form CF-7; it is now Reviewing")
    );
    let list = succeeds(&carpass(&db, &["staff", "review", "list"]));
    assert!(
        list.contains("46,000 km") && list.contains("was:") && list.contains("form CF-7"),
        "{list}"
    );
    let reject = [
        "staff",
        "review",
        "reject",
        &reading,
        "--note",
        "odometer photo unreadable",
        "--staff",
        "clerk-one",
    ];
    assert_eq!(
        succeeds(&carpass(&db, &reject)).trim(),
        format!("reading {reading} is now Rejected")
    );
    fails(
        &carpass(
            &db,
            &[
                "staff",
                "correct",
                &reading,
                "--form-ref",
                "CF-8",
                "--staff",
                "clerk-one",
            ],
        ),
        "give at least one of",
    );
}

#[test]
fn staff_sweep_reports_how_many_readings_got_vin_unknown() {
    let (_dir, db) = database();
    let out = succeeds(&carpass(&db, &["staff", "sweep"]));
    assert_eq!(
        out.trim(),
        "0 readings waited 30 days for their vehicle and got VIN_UNKNOWN"
    );
}

/// `carpass certify --server`: a DMS vendor with no shell on the registry works through the
/// session's HTTP API with the session's credentials, from its own machine.
#[test]
fn certify_works_against_a_server_url_with_the_session_s_credentials() {
    let (_dir, db) = database();
    let server = Server::start(&db);
    server.banner();
    let url = format!("http://127.0.0.1:{}", server.port);
    let started = succeeds(&carpass(
        &db,
        &[
            "certify",
            "start",
            "--dms",
            "Acme DMS",
            "--dms-version",
            "4.2",
            "--builder",
            "Acme Software NV",
            "--format",
            "json",
        ],
    ));
    let started: serde_json::Value = serde_json::from_str(&started).unwrap();
    let session = started["session_id"].as_str().unwrap();
    let remote = |args: &[&str], password: &str| {
        let mut all = vec!["certify", "--server", url.as_str()];
        all.extend_from_slice(args);
        // No database at all on the vendor's side.
        let mut command = command("sqlite:///nonexistent/carpass.db", &all);
        command.env(
            "CARPASS_CERTIFY_USER",
            started["username"].as_str().unwrap(),
        );
        command.env("CARPASS_CERTIFY_PASSWORD", password);
        command.output().expect("carpass runs")
    };
    let password = started["password"].as_str().unwrap();
    let sheet = succeeds(&remote(&["sheet", session, "--format", "json"], password));
    let sheet: serde_json::Value = serde_json::from_str(&sheet).unwrap();
    assert_eq!(sheet["steps"].as_array().unwrap().len(), 17);
    fails(
        &remote(&["sheet", session], "wrong password"),
        "the user name or password is wrong",
    );
    fails(
        &remote(
            &[
                "start",
                "--dms",
                "X",
                "--dms-version",
                "1",
                "--builder",
                "Y",
            ],
            password,
        ),
        "started by the registry's staff",
    );
    succeeds(&remote(
        &["simulate", session, "--endpoint", &url, "--timeout", "5"],
        password,
    ));
    let out = remote(
        &["evaluate", session, "--format", "junit", "--output", "-"],
        password,
    );
    let junit = succeeds(&out);
    assert!(junit.starts_with("<?xml"), "{junit}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(": certifiable"), "{said}");
    // Issue 18, point 5: a step played again from the vendor's machine is a new attempt, and
    // the sheet says so with the attempt's work date.
    let rerun = succeeds(&remote(&["rerun", session, "--step", "2"], password));
    assert!(
        rerun.contains("step 2 of session") && rerun.contains("attempt 2"),
        "{rerun}"
    );
    let sheet = succeeds(&remote(&["sheet", session, "--format", "json"], password));
    let sheet: serde_json::Value = serde_json::from_str(&sheet).unwrap();
    assert_eq!(sheet["steps"][1]["state"], "open");
    assert_eq!(sheet["steps"][1]["attempts"].as_array().unwrap().len(), 2);
    assert!(
        sheet["steps"][1]["work_date"].is_string(),
        "{}",
        sheet["steps"][1]
    );
    let text = succeeds(&remote(&["sheet", session], password));
    assert!(text.contains("(attempt 2 opened "), "{text}");
}

/// ListActivities as the demo garage, from the published sample, against a running server.
async fn list_activities(port: u16, password: &str) -> (u16, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    let sample = std::fs::read_to_string(format!(
        "{root}/tests/fixtures/requests/list_activities_soap11.xml"
    ))
    .unwrap();
    let body = sample.replace("PLACEHOLDER", password);
    let client = awc::Client::default();
    let url = format!("http://127.0.0.1:{port}/soap/inflow");
    let request = client
        .post(&url)
        .insert_header(("Content-Type", "text/xml; charset=utf-8"));
    let mut response = request.send_body(body).await.unwrap();
    let bytes = response.body().limit(1 << 20).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (response.status().as_u16(), text)
}

#[actix_rt::test]
async fn an_account_disabled_with_the_command_line_is_refused_by_the_running_server_at_once() {
    let (_dir, db) = database();
    let server = Server::start(&db);
    let password = submitter_password(&server.banner());
    // Twice: the server now remembers the password.
    for _ in 0..2 {
        let (status, body) = list_activities(server.port, &password).await;
        assert_eq!(status, 200, "{body}");
    }
    // The demo's staff account exists: who adds another says so.
    let registry =
        "staff --staff demo-staff company add --kbo 1000.010.117 --kind registry --name R";
    succeeds(&carpass(&db, &words(registry)));
    let staff = "staff --staff demo-staff user add --kbo 1000.010.117 --username clerk-one \
                 --role staff --password-stdin";
    succeeds(&carpass_with_stdin(&db, &words(staff), PASSWORD));
    let disable = "staff --staff clerk-one user disable demo-garage --note leaked";
    succeeds(&carpass(&db, &words(disable)));

    let (status, body) = list_activities(server.port, &password).await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("ACCOUNT_DISABLED"), "{body}");

    succeeds(&carpass(
        &db,
        &words("staff --staff clerk-one user enable demo-garage"),
    ));
    let (status, body) = list_activities(server.port, &password).await;
    assert_eq!(status, 200, "{body}");

    let reset = "staff --staff clerk-one user reset-password demo-garage --json";
    let reset: serde_json::Value =
        serde_json::from_str(&succeeds(&carpass(&db, &words(reset)))).unwrap();
    let (status, body) = list_activities(server.port, &password).await;
    assert!(
        status == 500 && body.contains("AUTHENTICATION_FAILED"),
        "{body}"
    );
    let (status, body) = list_activities(server.port, reset["password"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
}

fn start_session(db: &str) -> String {
    let started = succeeds(&carpass(
        db,
        &[
            "certify",
            "start",
            "--dms",
            "Acme DMS",
            "--dms-version",
            "4.2",
            "--builder",
            "Acme Software NV",
            "--format",
            "json",
        ],
    ));
    let started: serde_json::Value = serde_json::from_str(&started).unwrap();
    started["session_id"].as_str().unwrap().to_owned()
}

/// Issue 19: `certify attach` reads regular files only, and checks the size before reading:
/// a FIFO would hang it and /dev/zero never ends.
#[test]
fn attach_refuses_a_directory_a_fifo_a_device_and_a_file_too_large_before_reading_them() {
    let (dir, db) = database();
    let session = start_session(&db);
    succeeds(&carpass(&db, &["certify", "next", &session]));
    let fifo = dir.path().join("shot.fifo");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let large = dir.path().join("large.png");
    let file = std::fs::File::create(&large).unwrap();
    // Sparse: large on paper, nothing on disk.
    file.set_len(11 * 1024 * 1024).unwrap();
    let not_regular = "is not a regular file";
    for (path, expected) in [
        (dir.path().to_path_buf(), not_regular),
        (fifo, not_regular),
        ("/dev/zero".into(), not_regular),
        (large, "a screenshot may have at most 10485760"),
    ] {
        let started = Instant::now();
        let path = path.display().to_string();
        fails(
            &carpass(&db, &["certify", "attach", &session, "--step", "1", &path]),
            expected,
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{path}");
    }
}

/// Issue 19: a long file name with odd characters broke the bundle's tar. It is stored under
/// a short safe name; the report keeps the original.
#[test]
fn a_screenshot_with_a_long_odd_name_is_bundled_under_a_safe_name_and_keeps_its_original() {
    let (dir, db) = database();
    let session = start_session(&db);
    succeeds(&carpass(&db, &["certify", "next", &session]));
    let original = format!("Écran «{}» \t$(x).png", "long ".repeat(44));
    let shot = dir.path().join(&original);
    std::fs::write(&shot, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    succeeds(&carpass(
        &db,
        &[
            "certify",
            "attach",
            &session,
            "--step",
            "1",
            &shot.display().to_string(),
        ],
    ));
    let bundle = dir.path().join("bundle.tar");
    carpass(
        &db,
        &[
            "certify",
            "evaluate",
            &session,
            "--format",
            "bundle",
            "--output",
            &bundle.display().to_string(),
        ],
    );
    let mut archive = tar::Archive::new(std::fs::File::open(&bundle).unwrap());
    let mut names = Vec::new();
    let mut report = String::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().display().to_string();
        if path == "report.json" {
            std::io::Read::read_to_string(&mut entry, &mut report).unwrap();
        }
        names.push(path);
    }
    let screenshot = names
        .iter()
        .find(|n| n.starts_with("screenshots/"))
        .expect("the screenshot is bundled");
    assert!(screenshot.len() <= 100, "{screenshot}");
    assert!(
        screenshot
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)),
        "{screenshot}"
    );
    assert!(screenshot.ends_with(".png"), "{screenshot}");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["screenshots"][0]["original_name"], original.as_str());
}

// Issue 20, point 6: the command line as the README promises and a newcomer expects.

/// Every option and argument of every command says what it is for in `--help`.
#[test]
fn every_option_and_argument_of_every_command_has_a_help_text() {
    use clap::CommandFactory;
    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_about().is_none() && sub.get_long_about().is_none() {
                missing.push(format!("{path} {} (the command)", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&carpass::cli::Cli::command(), "carpass", &mut missing);
    assert!(missing.is_empty(), "no help text: {missing:#?}");
}

/// Every command spells machine output `--format json`, with `--json` as its alias.
#[test]
fn every_command_takes_format_json_and_its_json_alias() {
    use clap::CommandFactory;
    fn leaves(command: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command)>) {
        if command.get_subcommands().next().is_none() {
            out.push((path.to_owned(), command.clone()));
        }
        for sub in command.get_subcommands() {
            leaves(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut all = Vec::new();
    leaves(&carpass::cli::Cli::command(), "carpass", &mut all);
    // Whose output is not a result: a server, a database created, a report in the format
    // asked for, and the reference DMS's log of what it played.
    let exempt = [
        "carpass init",
        "carpass serve",
        "carpass certify evaluate",
        "carpass certify simulate",
    ];
    let mut without = Vec::new();
    for (path, command) in &all {
        if exempt.contains(&path.as_str()) {
            continue;
        }
        let has = |long: &str| command.get_arguments().any(|a| a.get_long() == Some(long));
        if !has("format") || !has("json") {
            without.push(path.clone());
        }
    }
    assert!(
        without.is_empty(),
        "without --format json and --json: {without:#?}"
    );
}

#[test]
fn a_registry_or_portal_company_is_added_without_nace_and_a_garage_is_told_to_give_one() {
    let (_dir, db) = database();
    let registry = "staff company add --kbo 1000.010.117 --kind registry --name Car-Pass";
    let out = succeeds(&carpass(&db, &words(registry)));
    assert_eq!(out, "company 1000.010.117 added: Car-Pass\n");
    let portal = "staff company add --kbo 1122.334.441 --kind portal --name Autoportaal";
    succeeds(&carpass(&db, &words(portal)));
    let query = companies::table.select((companies::kind, companies::nace_codes));
    let stored: Vec<(String, String)> = query.load(&mut **connection(&db)).unwrap();
    let listed = succeeds(&carpass(&db, &["staff", "company", "list"]));
    assert!(
        listed.contains("1000.010.117  Car-Pass (registry)  0 accounts"),
        "{listed}"
    );
    assert_eq!(
        stored,
        [
            ("registry".into(), String::new()),
            ("portal".into(), String::new())
        ]
    );

    let garage = "staff company add --kbo 0403.170.701 --name Janssens";
    let out = carpass(&db, &words(garage));
    fails(&out, "a garage needs one of the NACE codes 45113, 45201");
    fails(&out, "given with --nace");
    fails(&out, "--kind portal or --kind registry, without --nace");
    assert_eq!(count!(&db, companies), 2);
}

#[test]
fn import_reports_every_bad_row_at_once_and_imports_nothing() {
    let (dir, db) = database();
    let bad_date = CAR.replace("2020-03-01,2020-03-01", "01/03/2020,2020-03-01");
    let bad_mass = GOLF.replace("1280", "1.280");
    let out = import(&db, &dir, "bad.csv", &[&bad_date, VAN, &bad_mass, VAN]);
    fails(&out, "bad.csv, line 2: first_registration '01/03/2020'");
    fails(
        &out,
        "bad.csv, line 4: mass_kg '1.280' is not a whole number",
    );
    fails(
        &out,
        "bad.csv, line 5: the VIN VF1RFB00X12345678 is already on line 3",
    );
    fails(&out, "\n3 bad rows; nothing of this file was imported");
    assert_eq!(count!(&db, vehicles), 0);
}

#[test]
fn import_reads_excel_s_true_and_false_and_names_the_semicolon() {
    let (dir, db) = database();
    let excel = CAR.replace("false,false", "FALSE,TRUE");
    let out = succeeds(&import(&db, &dir, "excel.csv", &[&excel]));
    assert!(out.starts_with("imported 1 vehicle from "), "{out}");
    assert!(
        out.ends_with("; 0 waiting readings re-evaluated\n"),
        "{out}"
    );
    let query = vehicles::table.select((vehicles::imported_used, vehicles::five_digit_odometer));
    let flags: (Option<bool>, Option<bool>) = query.first(&mut **connection(&db)).unwrap();
    assert_eq!(flags, (Some(false), Some(true)));

    let path = dir.path().join("semicolons.csv");
    let content = format!("{}\n{}\n", HEADER.replace(',', ";"), VAN.replace(',', ";"));
    std::fs::write(&path, content).unwrap();
    let out = carpass(&db, &["import", "vehicles", path.to_str().unwrap()]);
    fails(&out, "line 1: the columns are separated by ';' (semicolons");
    fails(&out, "save the file with commas as the separator");
    assert_eq!(count!(&db, vehicles), 1);
}

/// Asserts a JSON time is in UTC, written with its `Z`.
fn assert_utc(value: &serde_json::Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    assert!(text.ends_with('Z'), "{text} has no Z");
    chrono::DateTime::parse_from_rfc3339(text).unwrap();
}

fn json_of(out: &Output) -> serde_json::Value {
    let stdout = succeeds(out);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn the_commands_that_change_things_print_what_they_changed_in_json_too() {
    let (dir, db) = database();
    let company = "staff company add --kbo 0403170701 --name Janssens --nace 45201 --format json";
    let added = json_of(&carpass(&db, &words(company)));
    assert_eq!(added["kbo"], "0403.170.701");
    assert_eq!(added["name"], "Janssens");
    assert_eq!(added["kind"], "garage");
    assert_eq!(added["nace_codes"], serde_json::json!(["45201"]));
    assert_eq!(added["by"], serde_json::Value::Null);
    assert_utc(&added["at"]);

    let user = "staff user add --kbo 0403170701 --username garage-one --role submitter --json";
    let added = json_of(&carpass(&db, &words(user)));
    assert_eq!(added["username"], "garage-one");
    assert_eq!(added["kbo"], "0403.170.701");
    assert_eq!(added["role"], "submitter");
    let password = added["password"].as_str().unwrap();
    assert!(passwords::verify(
        password,
        &password_hash(&db, "garage-one")
    ));

    let path = dir.path().join("v.csv");
    std::fs::write(&path, format!("{HEADER}\n{CAR}\n{VAN}\n")).unwrap();
    let path = path.to_str().unwrap();
    let imported = json_of(&carpass(&db, &["import", "vehicles", path, "--json"]));
    assert_eq!(imported["vehicles"], 2);
    assert_eq!(imported["readings_reevaluated"], 0);

    let swept = json_of(&carpass(&db, &["staff", "sweep", "--format", "json"]));
    assert_eq!(swept["readings_flagged"], 0);
    let both = carpass(&db, &["staff", "sweep", "--format", "text", "--json"]);
    assert_eq!(both.status.code(), Some(2), "{}", report(&both));
}

#[test]
fn review_names_the_garage_next_to_its_enterprise_number_and_times_carry_their_zone() {
    let (dir, db) = database();
    let reading = held_for_review(&db, &dir);
    let text = succeeds(&carpass(&db, &["staff", "review", "list"]));
    let head = format!(
        "reading {reading} (client reference J-2) from Garage Janssens (0403.170.701), received "
    );
    assert!(text.starts_with(&head), "{text}");
    assert!(text.lines().next().unwrap().ends_with('Z'), "{text}");
    assert!(text.contains(": 45,210 km"), "{text}");

    let queue = json_of(&carpass(
        &db,
        &["staff", "review", "list", "--format", "json"],
    ));
    assert_eq!(queue[0]["company"]["name"], "Garage Janssens");
    assert_eq!(queue[0]["company"]["kbo"], "0403.170.701");
    assert_utc(&queue[0]["received_at"]);
    assert_utc(&queue[0]["issues"][0]["answer"]["at"]);

    let accept = "staff --staff clerk-one review accept";
    let line = format!("{accept} {reading} --note photo --format json");
    let decided = json_of(&carpass(&db, &words(&line)));
    assert_eq!(decided["reading_id"], reading.as_str());
    assert_eq!(decided["decision"], "accept");
    assert_eq!(decided["status"], "AcceptedWithWarnings");
    assert_eq!(decided["by"], "clerk-one");
    assert_utc(&decided["at"]);
}

/// `carpass staff company list | head -1`: the reader goes away; carpass stops quietly.
#[test]
fn a_closed_pipe_on_standard_output_ends_the_command_quietly() {
    let (_dir, db) = database();
    add_garage(&db);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut command = command(&db, &["staff", "company", "list"]);
    command.stdout(writer).stderr(Stdio::piped());
    let out = command.spawn().unwrap().wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{} {stderr}", out.status);
}

#[test]
fn certify_evaluate_writes_an_html_report_named_after_the_session_by_default() {
    let (dir, db) = database();
    let session = start_session(&db);
    let mut evaluate = command(&db, &["certify", "evaluate", &session]);
    let out = evaluate.current_dir(dir.path()).output().unwrap();
    succeeds(&out);
    let name = format!("report-{session}.html");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("the report goes to {name}")),
        "{stderr}"
    );
    let html = std::fs::read_to_string(dir.path().join(&name)).unwrap();
    assert!(html.contains("<html"), "{html}");
}

#[test]
fn certify_start_prints_the_server_s_own_address_when_no_public_url_is_given() {
    let (_dir, db) = database();
    let start = "certify start --dms Acme --dms-version 4.2 --builder Acme --json";
    let started = |env: &[(&str, &str)]| {
        let mut command = command(&db, &words(start));
        command
            .env_remove("CARPASS_PUBLIC_URL")
            .env_remove("CARPASS_TLS_CERT");
        for (name, value) in env {
            command.env(name, value);
        }
        json_of(&command.output().unwrap())
    };
    let endpoint = |json: &serde_json::Value| json["endpoint"].as_str().unwrap().to_owned();
    let bound = started(&[
        ("CARPASS_BIND", "0.0.0.0:9443"),
        ("CARPASS_TLS_CERT", "c.pem"),
    ]);
    assert!(
        endpoint(&bound).starts_with("https://127.0.0.1:9443/certify/"),
        "{bound}"
    );
    let public = started(&[("CARPASS_PUBLIC_URL", "https://registry.example/")]);
    assert!(
        endpoint(&public).starts_with("https://registry.example/certify/"),
        "{public}"
    );
    let default = started(&[]);
    assert!(
        endpoint(&default).starts_with("http://127.0.0.1:8080/certify/"),
        "{default}"
    );
}

#[test]
fn certify_next_answers_in_json_with_the_step_it_opened() {
    let (_dir, db) = database();
    let session = start_session(&db);
    let opened = json_of(&carpass(&db, &["certify", "next", &session, "--json"]));
    assert_eq!(opened["session_id"], session.as_str());
    assert_eq!(opened["number"], 1);
    assert_eq!(opened["attempt"], 1);
    assert_eq!(opened["step"]["number"], 1);
    assert!(opened["step"]["instructions"]["nl"].is_string(), "{opened}");
    let text = succeeds(&carpass(&db, &["certify", "next", &session]));
    assert!(
        text.starts_with(&format!("step 2 of session {session} is open, attempt 1")),
        "{text}"
    );
}

/// Issue 20, point 7: one command shows every part, each with its address and credentials.
#[actix_rt::test]
async fn serve_demo_sets_up_and_prints_every_part_with_its_address_and_credentials() {
    let (_dir, db) = no_database();
    let server = Server::start(&db);
    let banner = server.banner();
    let base = format!("http://127.0.0.1:{}", server.port);
    let line = |start: &str| {
        let found = banner.iter().find(|l| l.trim_start().starts_with(start));
        found
            .unwrap_or_else(|| panic!("no {start} line: {banner:#?}"))
            .clone()
    };
    assert!(line("staff pages:").contains(&format!("{base}/staff (review queue: 2 readings)")));
    assert!(line("public pages:").contains(&format!("{base}/approved-dms")));
    for account in carpass::staff::demo::ACCOUNTS {
        let printed = line(&format!("{}:", account.label));
        let rest = printed.split_once(" / ").unwrap().1;
        let password = rest.split_whitespace().next().unwrap();
        assert!(
            passwords::verify(password, &password_hash(&db, account.username)),
            "{printed}"
        );
        assert!(
            printed.contains(&format!("on {base}{}", account.path)),
            "{printed}"
        );
    }

    let operator = line("operator page:");
    let page = operator.split_whitespace().nth(2).unwrap().to_owned();
    let session = page.rsplit('/').next().unwrap().to_owned();
    let certification = line("certification:");
    assert!(
        certification.contains(&format!(
            "session {session}, endpoint {page}/soap/inflow, as cert-{session} / "
        )),
        "{certification}"
    );
    assert!(line("play it:").contains(&format!(
        "carpass certify simulate {session} --endpoint {base}"
    )));
    let password = certification.split(" / ").last().unwrap().trim();
    let client = awc::Client::default();
    let get = client
        .get(&page)
        .basic_auth(format!("cert-{session}"), password);
    let response = get.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{page}: {}",
        response.status()
    );

    let label = line("OK label:");
    let label = label.split_whitespace().last().unwrap();
    assert!(label.starts_with(&format!("{base}/label/")), "{label}");
    let response = client.get(label).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{label}: {}",
        response.status()
    );

    let queue = json_of(&carpass(&db, &["staff", "review", "list", "--json"]));
    assert_eq!(queue.as_array().unwrap().len(), 2, "{queue}");
    assert_eq!(queue[0]["company"]["name"], "Garage Demo BV");
}

#[test]
fn import_rdw_history_stores_the_good_lines_names_the_bad_ones_and_stores_nothing_twice() {
    use carpass::db::schema::readings;
    let (dir, db) = database();
    let path = dir.path().join("rdw-2026-12.csv");
    std::fs::write(
        &path,
        "vin;date;odometer;unit;verdict\n\
         WDB2030461A000001;2020-05-04;9000;km;logisch\n\
         WDB2030461A000001;2021-05-03;24000;km;logisch\n\
         WDB2030461A000001;2021-06-01;25000;miles;logisch\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    // The RDW's readings are filed under the registry's own staff account: none yet.
    fails(
        &carpass(&db, &["import", "rdw-history", file]),
        "carpass staff company add --kind registry",
    );
    let registry = "staff company add --kbo 1000.010.117 --kind registry --name Car-Pass";
    succeeds(&carpass(&db, &words(registry)));
    succeeds(&add_user(&db, "1000.010.117", "clerk-one", "staff"));
    succeeds(&import(&db, &dir, "v.csv", &[CAR]));
    let out = succeeds(&carpass(&db, &["import", "rdw-history", file]));
    assert!(
        out.starts_with(&format!(
            "batch rdw-2026-12.csv from {file}: 4 lines, 2 stored, 0 held for staff review, 1 refused\n"
        )),
        "{out}"
    );
    assert!(
        out.contains("  line 4: refused (unit_invalid): the unit \"miles\" is neither km nor mi"),
        "{out}"
    );
    assert!(out.contains("RDW verdicts kept: logisch 1"), "{out}");
    let again = succeeds(&carpass(
        &db,
        &["import", "rdw-history", file, "--format", "json"],
    ));
    let json: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(
        (json["stored"].as_i64(), json["refused"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(json["source"], "rdw");
    assert_eq!(json["verdicts"]["logisch"], 1);
    assert_eq!(json["problems"][0]["line"], 4);
    assert_eq!(count!(&db, readings), 2);
    let report = succeeds(&carpass(&db, &["staff", "feeds"]));
    assert!(report.contains("Car-Pass\n  rdw: 1 batch,"), "{report}");
    assert!(report.contains("refused: unit_invalid 1"), "{report}");
}
