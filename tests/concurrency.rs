//! SPEC 7.1 and 3.5 across processes: two real `carpass serve` instances on one PostgreSQL
//! database behave as one.
//!
//! Round after round, the two instances get, at the same moment, one reading each of the same VIN
//! that contradict each other: an earlier-dated one with the higher odometer and a later-dated one
//! with the lower odometer. Each alone is plausible. Whichever is stored second must see the
//! first (ODOMETER_ABOVE_LATER or ODOMETER_ROLLBACK), so exactly one of the two may be accepted;
//! were the readings of one VIN not serialised across instances, both would be. Every issue
//! number of every receipt, from both instances, must be distinct.
//!
//! SPEC 2.7 across processes: an issue is answered electronically once. Round after round, the
//! two instances get, at the same moment, one answer each to the same ODOMETER_ROLLBACK issue (two
//! different corrections, or a correction and a confirmation). Exactly one is taken; the other
//! gets CORRECTION_LIMIT and changes nothing.
//!
//! Needs PostgreSQL: CARPASS_TEST_POSTGRES_URL names a role that may CREATE DATABASE. Without it
//! the test is skipped, unless CARPASS_REQUIRE_POSTGRES=1.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use carpass::db::{self, DatabaseUrl};
use carpass::domain::calendar::brussels_date;
use carpass::domain::issue_number::IssueNumber;
use carpass::domain::vehicle::Vehicle;
use carpass::domain::vin::Vin;
use carpass::service::auth::Role;
use carpass::service::register;
use carpass::staff::{self, companies::CompanyKind};
use chrono::{Days, NaiveDate, Utc};
use diesel::{Connection, RunQueryDsl};

mod common;
use common::{dechunk, soap_request, NS, PASSWORD};

const GARAGE_KBO: &str = "0403.170.701";
const OTHER_GARAGE_KBO: &str = "1234.567.894";
/// Sends to instance A.
const GARAGE_USER: &str = "garage-one";
/// Sends to instance B.
const OTHER_USER: &str = "garage-two";

const ROUNDS: usize = 30;
/// The history reading of the even rounds, on day D.
const HISTORY_KM: u64 = 50_000;
/// On D+1: above the later reading, 1,500 km after the history (under 2,000 km a day).
const EARLY_KM: u64 = 51_500;
/// On D+2: below the earlier reading.
const LATE_KM: u64 = 51_000;

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

#[test]
fn two_instances_serialise_the_readings_of_a_vin_and_never_share_an_issue_number() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    let started = Instant::now();
    let instances = TwoInstances::start(&admin_url, ROUNDS);
    let (a, b, database) = (&instances.a, &instances.b, &instances.database);
    let ready = started.elapsed();

    // The servers use the real clock: day D is in the past (the LATE_SUBMISSION warnings that
    // brings are irrelevant here; only Error issues decide).
    let today = brussels_date(Utc::now());
    let d = today.checked_sub_days(Days::new(30)).unwrap();
    let early_date = d.checked_add_days(Days::new(1)).unwrap();
    let late_date = d.checked_add_days(Days::new(2)).unwrap();

    let mut issue_numbers: Vec<String> = Vec::new();
    let mut stored_readings = 0;

    // The history first (even rounds), alternating instances: this also makes each instance
    // verify its user's password once (rounds 0 and 2), so that the slow hash is out of the races.
    for round in (0..ROUNDS).step_by(2) {
        let (server, user) = if round % 4 == 0 {
            (a, GARAGE_USER)
        } else {
            (b, OTHER_USER)
        };
        let request = submit_request(
            user,
            &format!("R{round}-HISTORY"),
            &vin_of(round),
            d,
            HISTORY_KM,
        );
        let receipt = send_for_receipt(server, &request, &format!("history of round {round}"));
        assert!(receipt.accepted(), "history of round {round}: {receipt:?}");
        issue_numbers.extend(receipt.numbers());
        stored_readings += 1;
    }
    let mut failures: Vec<String> = Vec::new();
    let (mut early_first, mut late_first) = (0, 0);
    let (mut a_first, mut b_first) = (0, 0);
    let races = Instant::now();
    for round in 0..ROUNDS {
        let vin = vin_of(round);
        // Rounds 0,1 mod 4: A gets the earlier-dated reading; rounds 2,3 mod 4: B does.
        let early_on_a = round % 4 < 2;
        let (early_user, late_user) = if early_on_a {
            (GARAGE_USER, OTHER_USER)
        } else {
            (OTHER_USER, GARAGE_USER)
        };
        let (early_port, late_port) = if early_on_a {
            (a.port, b.port)
        } else {
            (b.port, a.port)
        };
        let early = submit_request(
            early_user,
            &format!("R{round}-EARLY"),
            &vin,
            early_date,
            EARLY_KM,
        );
        let late = submit_request(
            late_user,
            &format!("R{round}-LATE"),
            &vin,
            late_date,
            LATE_KM,
        );
        let [early, late] = race([(early_port, early), (late_port, late)]);
        let what = format!(
            "round {round} ({vin}, {} history, earlier-dated reading on {})",
            if round % 2 == 0 { "with" } else { "without" },
            if early_on_a { "A" } else { "B" }
        );
        let (early, late) = match (early, late) {
            (Ok(e), Ok(l)) if e.status == 200 && l.status == 200 => (e, l),
            (e, l) => {
                failures.push(format!("{what}: not two receipts: {e:?} / {l:?}"));
                continue;
            }
        };
        let early = single_receipt(&early.body);
        let late = single_receipt(&late.body);
        issue_numbers.extend(early.numbers());
        issue_numbers.extend(late.numbers());
        stored_readings += 2;
        match outcome(&early, &late) {
            Ok(stored) => {
                let early_won = matches!(stored, Stored::EarlyFirst);
                if early_won {
                    early_first += 1;
                } else {
                    late_first += 1;
                }
                if early_won == early_on_a {
                    a_first += 1;
                } else {
                    b_first += 1;
                }
            }
            Err(problem) => failures.push(format!("{what}: {problem}: {early:?} / {late:?}")),
        }
    }
    let races = races.elapsed();
    eprintln!(
        "{ROUNDS} rounds in {races:?} ({ready:?} to start): stored first: the earlier-dated \
         reading {early_first} times, the later-dated {late_first}; A's {a_first}, B's {b_first}; \
         {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {ROUNDS} rounds broke SPEC 7.1:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // SPEC 3.5: one numbering for both instances.
    let mut seen = HashSet::new();
    for number in &issue_numbers {
        let parsed =
            IssueNumber::parse(number).unwrap_or_else(|e| panic!("issue number {number}: {e:?}"));
        assert_eq!(parsed.to_string(), *number);
        assert!(
            seen.insert(number.as_str()),
            "issue number {number} was given twice"
        );
    }
    // Every issue raised is on some receipt, and every receipt's reading is stored once.
    assert_eq!(database.count("issues"), issue_numbers.len() as i64);
    assert_eq!(database.count("readings"), stored_readings);
    assert_eq!(
        database.count("readings WHERE status = 'PendingCorrection'"),
        ROUNDS as i64
    );
    eprintln!(
        "{} distinct issue numbers; the whole test took {:?}",
        issue_numbers.len(),
        started.elapsed()
    );
}

/// Which of a round's two readings was stored first, as the receipts tell.
enum Stored {
    EarlyFirst,
    LateFirst,
}

fn outcome(early: &Receipt, late: &Receipt) -> Result<Stored, &'static str> {
    let pending_with =
        |r: &Receipt, code: &str| r.status == "PendingCorrection" && r.errors() == [code];
    match (early.accepted(), late.accepted()) {
        (true, true) => Err("BOTH accepted: neither instance saw the other's reading"),
        (false, false) => Err("neither accepted"),
        // The earlier-dated reading was stored first: the later one is a rollback against it.
        (true, false) if pending_with(late, "ODOMETER_ROLLBACK") => Ok(Stored::EarlyFirst),
        // The later-dated reading was stored first: the earlier one is above it.
        (false, true) if pending_with(early, "ODOMETER_ABOVE_LATER") => Ok(Stored::LateFirst),
        _ => Err("unexpected receipts"),
    }
}

/// One VIN (and one issue) per round.
const ANSWER_ROUNDS: usize = 20;
/// On D+2: below the history's HISTORY_KM on D, so an ODOMETER_ROLLBACK to answer.
const ROLLBACK_KM: u64 = 45_000;
/// What A and B correct the rollback to: both plausible after HISTORY_KM two days earlier.
const CORRECTED_ON_A: u64 = 50_100;
const CORRECTED_ON_B: u64 = 50_200;

#[test]
fn two_simultaneous_corrections_of_one_issue_one_wins_the_other_gets_correction_limit() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    let started = Instant::now();
    let instances = TwoInstances::start(&admin_url, ANSWER_ROUNDS);
    let (a, b, database) = (&instances.a, &instances.b, &instances.database);
    let ready = started.elapsed();

    // Recent days (the servers use the real clock): on time, so that no LATE_SUBMISSION warning
    // makes a corrected reading AcceptedWithWarnings.
    let rollback_date = brussels_date(Utc::now());
    let d = rollback_date.checked_sub_days(Days::new(2)).unwrap();

    let mut failures: Vec<String> = Vec::new();
    let mut won_by = [0; 2];
    let (mut corrections_taken, mut confirmations_taken) = (0, 0);
    let mut racing = Duration::ZERO;
    for round in 0..ANSWER_ROUNDS {
        let vin = vin_of(round);
        let reference = format!("A{round}-ROLLBACK");
        // The history on one instance and the rollback on the other: by the first race, each
        // instance has verified the garage's password, so that the slow hash is out of the races.
        let (first, second) = if round % 2 == 0 { (a, b) } else { (b, a) };
        let history = submit_request(
            GARAGE_USER,
            &format!("A{round}-HISTORY"),
            &vin,
            d,
            HISTORY_KM,
        );
        let history = send_for_receipt(first, &history, &format!("history of round {round}"));
        assert_eq!(
            history.status, "Accepted",
            "history of round {round}: {history:?}"
        );
        let rollback = submit_request(GARAGE_USER, &reference, &vin, rollback_date, ROLLBACK_KM);
        let rollback = send_for_receipt(second, &rollback, &format!("rollback of round {round}"));
        assert!(
            rollback.status == "PendingCorrection" && rollback.errors() == ["ODOMETER_ROLLBACK"],
            "rollback of round {round}: {rollback:?}"
        );
        let number = rollback
            .issues
            .iter()
            .find(|i| i.code == "ODOMETER_ROLLBACK")
            .and_then(|i| i.number.clone())
            .unwrap_or_else(|| panic!("round {round}: a rollback without a number: {rollback:?}"));

        // Even rounds: two corrections; odd rounds: a correction against a confirmation, the
        // confirmation on B in rounds 1 mod 4 and on A in rounds 3 mod 4.
        let answers = match round % 4 {
            1 => [Answer::Correct(CORRECTED_ON_A), Answer::Confirm],
            3 => [Answer::Confirm, Answer::Correct(CORRECTED_ON_B)],
            _ => [
                Answer::Correct(CORRECTED_ON_A),
                Answer::Correct(CORRECTED_ON_B),
            ],
        };
        let request = |answer: Answer| match answer {
            Answer::Correct(odometer) => {
                correct_request(GARAGE_USER, &number, &vin, rollback_date, odometer)
            }
            Answer::Confirm => confirm_request(GARAGE_USER, &number),
        };
        let what = format!(
            "round {round} ({vin}, issue {number}, {:?} on A, {:?} on B)",
            answers[0], answers[1]
        );
        let race_started = Instant::now();
        let responses = race([(a.port, request(answers[0])), (b.port, request(answers[1]))]);
        racing += race_started.elapsed();
        let receipts = match responses {
            [Ok(on_a), Ok(on_b)] if on_a.status == 200 && on_b.status == 200 => {
                [single_receipt(&on_a.body), single_receipt(&on_b.body)]
            }
            [on_a, on_b] => {
                failures.push(format!("{what}: not two receipts: {on_a:?} / {on_b:?}"));
                continue;
            }
        };
        let won = match taken(&number, answers, &receipts) {
            Ok(won) => won,
            Err(problem) => {
                failures.push(format!("{what}: {problem}: {receipts:?}"));
                continue;
            }
        };
        won_by[won] += 1;
        match answers[won] {
            Answer::Correct(_) => corrections_taken += 1,
            Answer::Confirm => confirmations_taken += 1,
        }

        // The reading as stored, asked of the instance that refused the answer.
        let loser = if won == 0 { b } else { a };
        let response = send(loser.port, &status_request(GARAGE_USER, &reference));
        if response.status != 200 {
            failures.push(format!("{what}: GetReadingStatus: {}", response.body));
            continue;
        }
        if let Err(problem) = stored_as_taken(&response.body, &number, answers[won]) {
            failures.push(format!(
                "{what}: GetReadingStatus: {problem}: {}",
                response.body
            ));
        }
    }
    eprintln!(
        "{ANSWER_ROUNDS} rounds of answers, {racing:?} racing ({ready:?} to start): taken: A's \
         {} times, B's {}; a correction {corrections_taken} times, a confirmation \
         {confirmations_taken}; {} failed",
        won_by[0],
        won_by[1],
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {ANSWER_ROUNDS} rounds broke SPEC 2.7:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // One answer per issue, one audit version per correction, one CORRECTION_LIMIT per refusal.
    assert_eq!(database.count("issue_answers"), ANSWER_ROUNDS as i64);
    assert_eq!(
        database.count("issue_answers WHERE kind = 'Correction'"),
        corrections_taken
    );
    assert_eq!(database.count("reading_versions"), corrections_taken);
    assert_eq!(
        database.count("issues WHERE code = 'CORRECTION_LIMIT'"),
        ANSWER_ROUNDS as i64
    );
    eprintln!("the whole test took {:?}", started.elapsed());
}

/// One electronic answer to an issue.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// CorrectIssue with the rollback's values but this odometer.
    Correct(u64),
    /// ConfirmReading.
    Confirm,
}

impl Answer {
    /// The reading's status and the answered issue's state once this answer is taken.
    fn taken(self) -> (&'static str, &'static str) {
        match self {
            Answer::Correct(_) => ("Accepted", "Corrected"),
            Answer::Confirm => ("Reviewing", "Confirmed"),
        }
    }

    /// The odometer the reading has once this answer is taken.
    fn odometer(self) -> u64 {
        match self {
            Answer::Correct(odometer) => odometer,
            Answer::Confirm => ROLLBACK_KM,
        }
    }
}

/// Which of two simultaneous answers to issue `number` was taken, as their receipts tell: the
/// taken one's receipt shows the answer's effect and no CORRECTION_LIMIT; the other's carries
/// CORRECTION_LIMIT and shows the reading just as the taken answer left it.
fn taken(number: &str, answers: [Answer; 2], receipts: &[Receipt; 2]) -> Result<usize, String> {
    let won = match receipts.each_ref().map(|r| r.has("CORRECTION_LIMIT")) {
        [false, true] => 0,
        [true, false] => 1,
        [false, false] => return Err("NEITHER got CORRECTION_LIMIT: both answers taken".into()),
        [true, true] => return Err("both got CORRECTION_LIMIT: no answer taken".into()),
    };
    let (status, state) = answers[won].taken();
    let (winner, loser) = (&receipts[won], &receipts[1 - won]);
    if winner.status != status || winner.state_of(number) != Some(state) {
        return Err(format!(
            "the taken {:?} left the reading {} with the issue {:?}, not {status} with {state}",
            answers[won],
            winner.status,
            winner.state_of(number)
        ));
    }
    let limits = loser
        .issues
        .iter()
        .filter(|i| i.code == "CORRECTION_LIMIT")
        .count();
    if limits != 1 || loser.status != status || loser.state_of(number) != Some(state) {
        return Err(format!(
            "the refused {:?} left the reading {} with the issue {:?} and {limits} \
             CORRECTION_LIMIT, not {status} with {state} and one",
            answers[1 - won],
            loser.status,
            loser.state_of(number)
        ));
    }
    Ok(won)
}

/// A GetReadingStatus response shows the values of the taken answer, and one audit version
/// (the rollback's values, by issue `number`) when that answer was a correction.
fn stored_as_taken(xml: &str, number: &str, answer: Answer) -> Result<(), String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
    let child = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|c| c.has_tag_name((NS, name)))
            .and_then(|c| c.text())
            .map(str::to_owned)
    };
    let odometer = doc
        .descendants()
        .find(|n| n.has_tag_name((NS, "Reading")))
        .and_then(|reading| child(reading, "Odometer"));
    if odometer != Some(answer.odometer().to_string()) {
        return Err(format!(
            "Reading/Odometer {odometer:?}, not {}",
            answer.odometer()
        ));
    }
    let corrections: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((NS, "Correction")))
        .map(|c| {
            let previous = c.children().find(|p| p.has_tag_name((NS, "Previous")));
            (
                child(c, "IssueNumber"),
                previous.and_then(|p| child(p, "Odometer")),
            )
        })
        .collect();
    let expected = match answer {
        Answer::Correct(_) => vec![(Some(number.to_owned()), Some(ROLLBACK_KM.to_string()))],
        Answer::Confirm => vec![],
    };
    if corrections != expected {
        return Err(format!(
            "Correction (IssueNumber, Previous/Odometer) {corrections:?}, not {expected:?}"
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The database

fn postgres_admin_url() -> Option<String> {
    match std::env::var("CARPASS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CARPASS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("CARPASS_REQUIRE_POSTGRES=1 but CARPASS_TEST_POSTGRES_URL is not set");
            }
            eprintln!(
                "SKIPPED: set CARPASS_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST/postgres \
                 (a role that may CREATE DATABASE) to run the two-instance concurrency test"
            );
            None
        }
    }
}

/// A fresh database, dropped (even with connections left) when the test ends.
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    fn create(admin_url: &str) -> TestDatabase {
        let name = format!("carpass_conc_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::pg::PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("cannot reach CARPASS_TEST_POSTGRES_URL: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("CREATE DATABASE");
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("a URL with a database name");
        TestDatabase {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }

    fn count(&self, from: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = diesel::pg::PgConnection::establish(&self.url).expect("the test database");
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {from}"))
            .get_result::<Count>(&mut conn)
            .expect("a count")
            .n
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::pg::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// Migrates (on connect), then adds two garages with one account each and the vehicles of the
/// first `vehicles` rounds.
fn seed(url: &str, vehicles: usize) {
    let pool =
        db::connect(&DatabaseUrl::Postgres(url.to_owned()), 1).expect("the test database migrates");
    let mut conn = pool.get().unwrap();
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, None).unwrap();
    let at = Utc::now();
    staff::companies::add(
        &mut conn,
        &actor,
        GARAGE_KBO,
        "Garage Janssens BV",
        "45201",
        CompanyKind::Garage,
        at,
    )
    .unwrap();
    staff::companies::add(
        &mut conn,
        &actor,
        OTHER_GARAGE_KBO,
        "Bandencentrale Peeters",
        "45320",
        CompanyKind::Garage,
        at,
    )
    .unwrap();
    for (kbo, user) in [(GARAGE_KBO, GARAGE_USER), (OTHER_GARAGE_KBO, OTHER_USER)] {
        staff::accounts::add(
            &mut conn,
            &actor,
            kbo,
            user,
            Role::Submitter,
            Some(PASSWORD.into()),
            at,
        )
        .unwrap();
    }
    let vehicles: Vec<Vehicle> = (0..vehicles).map(|round| vehicle(&vin_of(round))).collect();
    register::import(&mut conn, &vehicles, at).unwrap();
}

/// A registered passenger car of its own per round.
fn vin_of(round: usize) -> String {
    format!("WDB2030461C{round:06}")
}

fn vehicle(vin: &str) -> Vehicle {
    let first = NaiveDate::from_ymd_opt(2019, 3, 1).unwrap();
    Vehicle {
        vin: Vin::parse(vin).unwrap(),
        make: Some("Make".into()),
        model: Some("Model".into()),
        category: Some("M1".into()),
        mass_kg: Some(1_500),
        first_registration: Some(first),
        first_registration_be: Some(first),
        imported_used: Some(false),
        five_digit_odometer: Some(false),
        euro_norm: None,
        co2_g_km: None,
        fuel: None,
    }
}

// ---------------------------------------------------------------------------------------------
// The servers

/// Two ports the OS just gave out, held together so that they differ.
fn free_ports() -> [u16; 2] {
    let first = TcpListener::bind("127.0.0.1:0").unwrap();
    let second = TcpListener::bind("127.0.0.1:0").unwrap();
    [
        first.local_addr().unwrap().port(),
        second.local_addr().unwrap().port(),
    ]
}

/// A fresh database, seeded, and two `carpass serve` instances on it, both ready.
struct TwoInstances {
    // Fields are dropped in this order: the servers are killed before the database goes.
    a: Server,
    b: Server,
    database: TestDatabase,
}

impl TwoInstances {
    fn start(admin_url: &str, vehicles: usize) -> TwoInstances {
        let database = TestDatabase::create(admin_url);
        seed(&database.url, vehicles);
        let [port_a, port_b] = free_ports();
        let mut a = Server::start("A", port_a, &database.url);
        let mut b = Server::start("B", port_b, &database.url);
        a.wait_until_ready();
        b.wait_until_ready();
        TwoInstances { a, b, database }
    }
}

/// A `carpass serve` process, killed when the test ends (also on failure).
struct Server {
    name: &'static str,
    port: u16,
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Server {
    fn start(name: &'static str, port: u16, database_url: &str) -> Server {
        let log = tempfile::NamedTempFile::new().unwrap();
        let stderr = File::create(log.path()).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_carpass"))
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--database-url",
                database_url,
            ])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("carpass serve starts");
        Server {
            name,
            port,
            child,
            log,
        }
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "server {} exited with {status}:\n{}",
                    self.name,
                    self.log_text()
                );
            }
            let request = format!(
                "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                self.port
            );
            if exchange(self.port, request.as_bytes()).is_ok_and(|r| r.status == 200) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "server {} not ready on port {} within {READY_TIMEOUT:?}:\n{}",
                    self.name,
                    self.port,
                    self.log_text()
                );
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP/1.1 over a TcpStream

#[derive(Debug)]
struct Response {
    status: u16,
    body: String,
}

fn connect(port: u16) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
    stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

fn exchange(port: u16, request: &[u8]) -> std::io::Result<Response> {
    let mut stream = connect(port)?;
    stream.write_all(request)?;
    read_response(&mut stream)
}

/// Sends a request and panics unless it gets an answer.
fn send(port: u16, request: &[u8]) -> Response {
    exchange(port, request).unwrap_or_else(|e| panic!("POST to port {port}: {e}"))
}

/// Sends a request and panics unless the answer is a response with one receipt.
fn send_for_receipt(server: &Server, request: &[u8], what: &str) -> Receipt {
    let response = send(server.port, request);
    assert_eq!(
        response.status, 200,
        "{what} (server {}): {}",
        server.name, response.body
    );
    single_receipt(&response.body)
}

/// Both requests at the same moment: each is written but for its last byte, then both threads
/// wait for each other and send that byte.
fn race(requests: [(u16, Vec<u8>); 2]) -> [std::io::Result<Response>; 2] {
    let barrier = Arc::new(Barrier::new(requests.len()));
    let threads = requests.map(|(port, request)| {
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            let stream = connect(port);
            let (head, last) = request.split_at(request.len() - 1);
            let stream = stream.and_then(|mut s| s.write_all(head).map(|_| s));
            // Every thread reaches the barrier, even one that failed to connect.
            barrier.wait();
            let mut stream = stream?;
            stream.write_all(last)?;
            read_response(&mut stream)
        })
    });
    threads.map(|t| t.join().expect("a request thread"))
}

/// Reads until the server closes (`Connection: close`).
fn read_response(stream: &mut TcpStream) -> std::io::Result<Response> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("no end of the response head"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("no status code"))?;
    let chunked = head.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    if chunked {
        body = dechunk(&body).ok_or_else(|| invalid("bad chunked body"))?;
    }
    Ok(Response {
        status,
        body: String::from_utf8(body).map_err(|_| invalid("a body that is not UTF-8"))?,
    })
}

// ---------------------------------------------------------------------------------------------
// SOAP

/// A reading's elements after its ClientReference (a Correction has none).
fn reading_fields(vin: &str, work_date: NaiveDate, odometer: u64) -> String {
    format!(
        "<c:Vin>{vin}</c:Vin><c:WorkDate>{work_date}</c:WorkDate><c:Odometer>{odometer}</c:Odometer><c:Subcontracted>false</c:Subcontracted><c:CustomerType>Business</c:CustomerType><c:InvoiceTotal>240.50</c:InvoiceTotal><c:Work><c:ActivityCode>MAINTENANCE</c:ActivityCode><c:Description>Kleine onderhoudsbeurt</c:Description></c:Work>"
    )
}

/// SubmitReadings of one reading.
fn submit_request(
    user: &str,
    reference: &str,
    vin: &str,
    work_date: NaiveDate,
    odometer: u64,
) -> Vec<u8> {
    let fields = reading_fields(vin, work_date, odometer);
    soap_request(
        user,
        &format!(
            r#"<c:SubmitReadings xmlns:c="{NS}"><c:Reading><c:ClientReference>{reference}</c:ClientReference>{fields}</c:Reading></c:SubmitReadings>"#
        ),
    )
}

/// CorrectIssue: the reading of issue `number` as it should have been sent.
fn correct_request(
    user: &str,
    number: &str,
    vin: &str,
    work_date: NaiveDate,
    odometer: u64,
) -> Vec<u8> {
    let fields = reading_fields(vin, work_date, odometer);
    soap_request(
        user,
        &format!(
            r#"<c:CorrectIssue xmlns:c="{NS}"><c:IssueNumber>{number}</c:IssueNumber><c:Correction>{fields}</c:Correction></c:CorrectIssue>"#
        ),
    )
}

/// ConfirmReading: the data of issue `number` was right.
fn confirm_request(user: &str, number: &str) -> Vec<u8> {
    soap_request(
        user,
        &format!(
            r#"<c:ConfirmReading xmlns:c="{NS}"><c:IssueNumber>{number}</c:IssueNumber></c:ConfirmReading>"#
        ),
    )
}

/// GetReadingStatus by the caller's ClientReference.
fn status_request(user: &str, reference: &str) -> Vec<u8> {
    soap_request(
        user,
        &format!(
            r#"<c:GetReadingStatus xmlns:c="{NS}"><c:ClientReference>{reference}</c:ClientReference></c:GetReadingStatus>"#
        ),
    )
}

#[derive(Debug)]
struct Issue {
    number: Option<String>,
    code: String,
    severity: String,
    state: Option<String>,
}

#[derive(Debug)]
struct Receipt {
    status: String,
    issues: Vec<Issue>,
}

impl Receipt {
    /// Part of the official history: no Error issue (warnings such as LATE_SUBMISSION are fine).
    fn accepted(&self) -> bool {
        matches!(self.status.as_str(), "Accepted" | "AcceptedWithWarnings")
            && self.errors().is_empty()
    }

    fn errors(&self) -> Vec<&str> {
        self.issues
            .iter()
            .filter(|i| i.severity == "Error")
            .map(|i| i.code.as_str())
            .collect()
    }

    fn has(&self, code: &str) -> bool {
        self.issues.iter().any(|i| i.code == code)
    }

    /// The state of the issue numbered `number`, when the receipt has it.
    fn state_of(&self, number: &str) -> Option<&str> {
        self.issues
            .iter()
            .find(|i| i.number.as_deref() == Some(number))
            .and_then(|i| i.state.as_deref())
    }

    fn numbers(&self) -> Vec<String> {
        self.issues
            .iter()
            .map(|i| {
                i.number
                    .clone()
                    .unwrap_or_else(|| panic!("an issue without a number: {self:?}"))
            })
            .collect()
    }
}

fn single_receipt(xml: &str) -> Receipt {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let child = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|c| c.has_tag_name((NS, name)))
            .map(|c| c.text().unwrap_or("").to_owned())
    };
    let mut receipts: Vec<Receipt> = doc
        .descendants()
        .filter(|n| n.has_tag_name((NS, "Receipt")))
        .map(|r| Receipt {
            status: child(r, "Status").unwrap(),
            issues: r
                .children()
                .filter(|c| c.has_tag_name((NS, "Issue")))
                .map(|i| Issue {
                    number: child(i, "IssueNumber"),
                    code: child(i, "Code").unwrap(),
                    severity: child(i, "Severity").unwrap(),
                    state: child(i, "State"),
                })
                .collect(),
        })
        .collect();
    assert_eq!(receipts.len(), 1, "one receipt in {xml}");
    receipts.remove(0)
}

/// Regression: two instances started together on an empty database both ran the migrations,
/// and one died on a duplicate catalog entry. Now one migrates while the other waits.
#[test]
fn two_instances_started_at_once_on_a_fresh_database_both_serve() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    for _ in 0..3 {
        let database = TestDatabase::create(&admin_url);
        let [port_a, port_b] = free_ports();
        let mut a = Server::start("A", port_a, &database.url);
        let mut b = Server::start("B", port_b, &database.url);
        a.wait_until_ready();
        b.wait_until_ready();
    }
}
