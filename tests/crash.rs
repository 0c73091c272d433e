//! SPEC 7.2 (issue 7): "a receipt is sent only after the reading is durably committed; a crash at
//! any moment loses no acknowledged reading and duplicates none".
//!
//! `a_killed_server_loses_no_acknowledged_reading_and_duplicates_none`: eight DMS clients send
//! SubmitReadings without pause (1 to 5 readings each, unique ClientReferences per account, the
//! VINs of a few registered vehicles and of a few unregistered ones, work dates in the past) to a
//! real `carpass serve`, which is killed with SIGKILL at a random moment, again and again, and
//! started again on the same database. A client notes every receipt it gets; a request that got
//! no complete answer is sent again with the same ClientReferences, or left for later. Then, with
//! no server running, the `readings` table must hold every acknowledged reading once, with the
//! ReadingId of its receipt, all of its Work lines, and each batch whole or not at all; and after
//! everything ever sent is sent once more to a fresh server, there must be exactly one row per
//! ClientReference sent, and every acknowledged one must get its original receipt back. On SQLite
//! (a file in a temp dir) and on PostgreSQL (a fresh database) when CARPASS_TEST_POSTGRES_URL is
//! set. SIGKILL ends the process, not the machine: what the kernel was given survives.
//!
//! `postgres_stopped_under_load_gives_server_faults_and_the_service_recovers`: a PostgreSQL
//! cluster of its own (Debian's pg_createcluster, on a free port; the shared one is never
//! touched) is stopped with `-m immediate` under load and started again, twice: for 2 s, and for
//! 12 s, longer than the server's pool waits for a connection (10 s). Every answer comes within
//! 15 s; while the database is down it is a Server fault (SERVER_ERROR), or 503 for /readyz; the
//! server process lives on, and once the database is back the service recovers by itself.
//!
//! The requests are drawn from a fixed seed (printed; CARPASS_CRASH_SEED=N repeats it), the
//! moments of the kills from it too, though where a kill lands in the work still depends on timing.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use carpass::db::{self, DatabaseUrl, Pool};
use carpass::domain::calendar::brussels_date;
use carpass::domain::vehicle::Vehicle;
use carpass::domain::vin::Vin;
use carpass::service::auth::Role;
use carpass::service::register;
use carpass::staff::{self, companies::CompanyKind};
use chrono::{Days, NaiveDate, Utc};
use diesel::{Connection, RunQueryDsl};

mod common;
use common::{dechunk, soap_request, NS, PASSWORD, SOAP11};

const GARAGE_KBO: &str = "0403.170.701";
const OTHER_GARAGE_KBO: &str = "1234.567.894";
/// The two submitting accounts; client threads alternate between them, and the threads of a
/// pair use the same ClientReferences, each on its own account.
const USERS: [&str; 2] = ["garage-one", "garage-two"];

/// Registered passenger cars.
const REGISTERED: [&str; 3] = [
    "WDB2030461E000001",
    "WDB2030461E000002",
    "WDB2030461E000003",
];
/// Valid VINs the register does not know: WaitingForRegistration.
const UNREGISTERED: [&str; 2] = ["ZFA3120000E000001", "ZFA3120000E000002"];
const ACTIVITIES: [&str; 4] = ["MAINTENANCE", "TYRES", "BRAKES", "OIL_SERVICE"];

const DEFAULT_SEED: u64 = 0x7_2C_A5_5E_ED;

/// The kill test, per backend.
const CLIENTS: usize = 8;
const KILLS: usize = 10;
const MIN_KILLS: usize = 5;
/// A kill comes this long after the server answered /readyz and both accounts signed in.
const KILL_AFTER_MS: (u64, u64) = (50, 400);
/// No more kills after this; the checks and the resubmission take the rest of the 30 s.
const KILL_PHASE: Duration = Duration::from_secs(15);
const RESUBMITTERS: usize = 4;

/// The outage test.
const LOAD_CLIENTS: usize = 4;
/// How long PostgreSQL is down, twice: briefly, then longer than the pool waits for a
/// connection (10 s), so that requests fail while it lasts.
const OUTAGES: [Duration; 2] = [Duration::from_secs(2), Duration::from_secs(12)];
/// Every answer, also while the database is down, comes within this.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);
const RECOVERY_WITHIN: Duration = Duration::from_secs(30);

const READY_TIMEOUT: Duration = Duration::from_secs(30);
const HTTP_TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// 1. SIGKILL at random moments

mod a_killed_server_loses_no_acknowledged_reading_and_duplicates_none {
    use super::*;

    #[test]
    fn on_sqlite() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let url = format!("sqlite://{}", dir.path().join("carpass.db").display());
        kill_run("SQLite", &url);
    }

    #[test]
    fn on_postgres() {
        let Some(admin_url) = postgres_admin_url() else {
            return;
        };
        let database = TestDatabase::create(&admin_url);
        kill_run("PostgreSQL", &database.url);
    }
}

/// A reading as sent; its ClientReference is unique within its account.
#[derive(Debug, Clone)]
struct SentReading {
    reference: String,
    vin: &'static str,
    work_date: NaiveDate,
    odometer: u64,
    works: Vec<&'static str>,
}

/// One SubmitReadings request, sent once or more.
#[derive(Debug, Clone)]
struct Batch {
    user: &'static str,
    readings: Vec<SentReading>,
}

impl Batch {
    fn request(&self) -> Vec<u8> {
        let readings: String = self
            .readings
            .iter()
            .map(|r| {
                let works: String = r
                    .works
                    .iter()
                    .map(|code| {
                        format!(
                            "<c:Work><c:ActivityCode>{code}</c:ActivityCode><c:Description>{code} \
                             door de werkplaats</c:Description></c:Work>"
                        )
                    })
                    .collect();
                format!(
                    "<c:Reading><c:ClientReference>{}</c:ClientReference><c:Vin>{}</c:Vin>\
                     <c:WorkDate>{}</c:WorkDate><c:Odometer>{}</c:Odometer>\
                     <c:Subcontracted>false</c:Subcontracted><c:CustomerType>Business\
                     </c:CustomerType><c:InvoiceTotal>240.50</c:InvoiceTotal>{works}</c:Reading>",
                    r.reference, r.vin, r.work_date, r.odometer
                )
            })
            .collect();
        soap_request(
            self.user,
            &format!(r#"<c:SubmitReadings xmlns:c="{NS}">{readings}</c:SubmitReadings>"#),
        )
    }
}

/// What one client thread did.
#[derive(Default)]
struct ClientLog {
    /// Every batch drawn (the last may never have reached a server).
    batches: Vec<Batch>,
    /// The receipts of every 200, with the account.
    acks: Vec<(&'static str, Receipt)>,
    requests: usize,
    /// Nobody listening: the server was killed just before (sent again to the next one).
    refused: usize,
    /// Written, but no complete answer (the kill came in between).
    unanswered: usize,
    /// Sent again after no answer (the rest were left for the final resubmission).
    resent: usize,
    server_faults: usize,
    /// The I/O errors of refused and unanswered requests, by kind.
    errors: BTreeMap<String, usize>,
    /// Anything that breaks the contract: a wrong receipt, a Client fault.
    problems: Vec<String>,
}

fn kill_run(label: &str, url: &str) {
    let seed = seed();
    eprintln!("[{label}] seed {seed:#x} (CARPASS_CRASH_SEED={seed:#x} repeats it)");
    let started = Instant::now();
    let database_url = DatabaseUrl::parse(url).expect("a database URL");
    seed_database(&database_url);

    let run = kill_again_and_again(label, url, seed);
    let mut problems: Vec<String> = Vec::new();
    for (incarnation, log) in run.server_logs.iter().enumerate() {
        if log.contains("panicked") {
            problems.push(format!("server incarnation {incarnation} panicked:\n{log}"));
        }
    }
    let batches: Vec<Batch> = run
        .clients
        .iter()
        .flat_map(|l| l.batches.iter().cloned())
        .collect();
    let sum = |f: fn(&ClientLog) -> usize| run.clients.iter().map(f).sum::<usize>();
    let mut errors: BTreeMap<&str, usize> = BTreeMap::new();
    for log in &run.clients {
        problems.extend(log.problems.iter().cloned());
        for (kind, n) in &log.errors {
            *errors.entry(kind).or_default() += n;
        }
    }
    // Every receipt of a ClientReference, however often it came, is the same receipt.
    let mut acked: HashMap<(&str, String), Receipt> = HashMap::new();
    for (user, receipt) in run.clients.iter().flat_map(|l| l.acks.iter()) {
        let key = (*user, receipt.client_reference.clone());
        match acked.get(&key) {
            Some(earlier) if earlier != receipt => problems.push(format!(
                "{user}/{} acknowledged twice with different receipts (a DUPLICATE): \
                 {earlier:?} / {receipt:?}",
                receipt.client_reference
            )),
            Some(_) => {}
            None => {
                acked.insert(key, receipt.clone());
            }
        }
    }
    // (user, ClientReference) -> how many Work lines.
    let mut sent: HashMap<(&str, String), usize> = HashMap::new();
    for batch in &batches {
        for reading in &batch.readings {
            let key = (batch.user, reading.reference.clone());
            let earlier = sent.insert(key, reading.works.len());
            assert!(
                earlier.is_none(),
                "the test drew {} twice",
                reading.reference
            );
        }
    }
    eprintln!(
        "[{label}] {} kills in {:?} (killed {:?} to {:?} after it was ready; start to ready and \
         signed in {:?} to {:?}); {} requests of {} batches with {} readings: {} readings \
         acknowledged ({} receipts), {} requests unanswered ({} sent again at once), {} refused, \
         {} Server faults; I/O errors {errors:?}",
        run.kills(),
        run.duration,
        run.uptimes.iter().min().unwrap(),
        run.uptimes.iter().max().unwrap(),
        run.startups.iter().min().unwrap(),
        run.startups.iter().max().unwrap(),
        sum(|l| l.requests),
        batches.len(),
        sent.len(),
        acked.len(),
        sum(|l| l.acks.len()),
        sum(|l| l.unanswered),
        sum(|l| l.resent),
        sum(|l| l.refused),
        sum(|l| l.server_faults),
    );
    assert!(
        run.kills() >= MIN_KILLS,
        "[{label}] only {} kills",
        run.kills()
    );
    assert!(
        !acked.is_empty(),
        "[{label}] no reading was ever acknowledged: the test proves nothing"
    );

    // With no server running: what is stored.
    let pool = db::connect(&database_url, 1).expect("the database opens after the kills");
    let before = stored(&pool);
    check_stored(&before, &sent, &mut problems);
    for ((user, reference), receipt) in &acked {
        match before.rows.get(&(user.to_string(), reference.clone())) {
            None => problems.push(format!(
                "LOST: {user}/{reference} was acknowledged with ReadingId {} but is not stored",
                receipt.reading_id
            )),
            Some(row) if row.id != receipt.reading_id => problems.push(format!(
                "{user}/{reference} was acknowledged with ReadingId {} but is stored as {}",
                receipt.reading_id, row.id
            )),
            Some(_) => {}
        }
    }
    // A batch is one transaction: stored whole or not at all.
    for batch in &batches {
        let present = batch
            .readings
            .iter()
            .filter(|r| before.has(batch.user, &r.reference))
            .count();
        if present != 0 && present != batch.readings.len() {
            problems.push(format!(
                "a batch of {} readings of {} is stored in part: {present} of them",
                batch.readings.len(),
                batch.user
            ));
        }
    }
    let stored_unacknowledged = before
        .rows
        .keys()
        .filter(|(user, reference)| !acked.contains_key(&(user.as_str(), reference.clone())))
        .count();
    eprintln!(
        "[{label}] after the kills: {} readings stored ({} acknowledged, {stored_unacknowledged} \
         stored without a receipt having arrived), {} issues",
        before.rows.len(),
        acked.len(),
        before.issues.values().sum::<i64>()
    );

    // Everything ever sent, once more, to a fresh server on the same database: the original
    // receipt for what is stored, one new reading for each of the rest.
    let resubmission = Instant::now();
    let mut server = Server::ready(label, url);
    for (batch, answer) in batches.iter().zip(resubmit(server.port, &batches)) {
        let receipts = match answer {
            Ok(response) if response.status == 200 => match receipts(&response.body) {
                Ok(receipts) => receipts,
                Err(e) => {
                    problems.push(format!("resubmission: {e}"));
                    continue;
                }
            },
            other => {
                problems.push(format!(
                    "resubmission to a running server: not a receipt: {other:?}"
                ));
                continue;
            }
        };
        if let Err(e) = receipts_match(batch, &receipts) {
            problems.push(format!("resubmission: {e}"));
            continue;
        }
        for receipt in receipts {
            let reference = receipt.client_reference.clone();
            if let Some(original) = acked.get(&(batch.user, reference.clone())) {
                if *original != receipt {
                    problems.push(format!(
                        "{}/{reference}: resent, it got another receipt than the original:\n  \
                         original {original:?}\n  now      {receipt:?}",
                        batch.user
                    ));
                }
            }
            if let Some(row) = before.rows.get(&(batch.user.to_owned(), reference.clone())) {
                if row.id != receipt.reading_id {
                    problems.push(format!(
                        "{}/{reference}: stored as {} before, resent it got ReadingId {}",
                        batch.user, row.id, receipt.reading_id
                    ));
                }
            }
        }
    }
    let alive = server.child.try_wait().unwrap().is_none();
    let server_log = server.log_text();
    drop(server);
    if !alive || server_log.contains("panicked") {
        problems.push(format!(
            "the server of the resubmission died or panicked:\n{server_log}"
        ));
    }
    let after = stored(&pool);
    check_stored(&after, &sent, &mut problems);
    if after.rows.len() != sent.len() {
        problems.push(format!(
            "{} readings stored after everything was resent, but {} distinct ClientReferences \
             were sent",
            after.rows.len(),
            sent.len()
        ));
    }
    // A resent reading that was already stored stores nothing: not even an issue.
    for (id, count) in &before.issues {
        let now = after.issues.get(id).copied().unwrap_or(0);
        if now != *count {
            problems.push(format!(
                "reading {id} had {count} issues before the resubmission and {now} after"
            ));
        }
    }
    eprintln!(
        "[{label}] resubmission of {} batches in {:?}: {} readings stored, {} issues; the whole \
         run took {:?}",
        batches.len(),
        resubmission.elapsed(),
        after.rows.len(),
        after.issues.values().sum::<i64>(),
        started.elapsed()
    );
    assert!(
        problems.is_empty(),
        "[{label}] SPEC 7.2 broken (seed {seed:#x}), {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The kills and what the clients did meanwhile.
struct KillRun {
    duration: Duration,
    /// How long each incarnation served before its SIGKILL.
    uptimes: Vec<Duration>,
    /// From spawn to ready and signed in, per incarnation.
    startups: Vec<Duration>,
    server_logs: Vec<String>,
    clients: Vec<ClientLog>,
}

impl KillRun {
    fn kills(&self) -> usize {
        self.uptimes.len()
    }
}

/// Starts the server, waits until it is ready, lets the clients work a random while, SIGKILLs
/// it; again and again, on the same database.
fn kill_again_and_again(label: &str, url: &str, seed: u64) -> KillRun {
    let today = brussels_date(Utc::now());
    let port = Arc::new(AtomicU16::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let stopper = StopOnDrop(Arc::clone(&stop));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|index| {
            let (port, stop) = (Arc::clone(&port), Arc::clone(&stop));
            thread::spawn(move || client(index, seed, today, &port, &stop))
        })
        .collect();

    let mut rng = XorShift::new(seed ^ 0x4B49_4C4C);
    let mut run = KillRun {
        duration: Duration::ZERO,
        uptimes: Vec::new(),
        startups: Vec::new(),
        server_logs: Vec::new(),
        clients: Vec::new(),
    };
    let started = Instant::now();
    while run.kills() < KILLS && (run.kills() < MIN_KILLS || started.elapsed() < KILL_PHASE) {
        let spawned = Instant::now();
        let mut server = Server::ready(label, url);
        // The slow password hash, once per account, before the clients come: otherwise a
        // short-lived server spends its life hashing and acknowledges nothing.
        server.sign_in();
        run.startups.push(spawned.elapsed());
        port.store(server.port, Ordering::SeqCst);
        let ready = Instant::now();
        thread::sleep(Duration::from_millis(
            rng.range(KILL_AFTER_MS.0, KILL_AFTER_MS.1),
        ));
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!(
                "[{label}] the server exited by itself with {status}:\n{}",
                server.log_text()
            );
        }
        // No new request to this port: once the server is gone, it may be another's.
        port.store(0, Ordering::SeqCst);
        // SIGKILL on Unix.
        server.child.kill().expect("SIGKILL");
        server.child.wait().unwrap();
        run.uptimes.push(ready.elapsed());
        run.server_logs.push(server.log_text());
    }
    run.duration = started.elapsed();
    drop(stopper);
    run.clients = clients
        .into_iter()
        .map(|c| c.join().expect("a client thread"))
        .collect();
    run
}

/// Tells the client threads to stop, also when a panic ends the test.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Sends every batch once, from a few threads at once; the answers in the batches' order.
fn resubmit(port: u16, batches: &[Batch]) -> Vec<Result<Response, Failure>> {
    let next = AtomicUsize::new(0);
    let mut answers: Vec<(usize, Result<Response, Failure>)> = thread::scope(|scope| {
        let threads: Vec<_> = (0..RESUBMITTERS)
            .map(|_| {
                scope.spawn(|| {
                    let mut answers = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(batch) = batches.get(i) else {
                            return answers;
                        };
                        answers.push((i, exchange(port, &batch.request())));
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().expect("a resubmitting thread"))
            .collect()
    });
    answers.sort_by_key(|(i, _)| *i);
    answers.into_iter().map(|(_, answer)| answer).collect()
}

/// One DMS: sends batch after batch until told to stop. A request nobody received is sent again;
/// one that got no complete answer is sent again at once or left (the final resubmission covers
/// it), as a DMS would do either.
fn client(
    index: usize,
    seed: u64,
    today: NaiveDate,
    port: &AtomicU16,
    stop: &AtomicBool,
) -> ClientLog {
    let mut rng = XorShift::new(seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let user = USERS[index % 2];
    let mut log = ClientLog::default();
    let mut numbered = 0;
    // An index into log.batches: the batch to send again.
    let mut pending: Option<usize> = None;
    while !stop.load(Ordering::SeqCst) {
        let current = port.load(Ordering::SeqCst);
        if current == 0 {
            thread::sleep(Duration::from_millis(5));
            continue;
        }
        let batch = match pending.take() {
            Some(batch) => batch,
            None => {
                let size = rng.range(1, 5) as usize;
                let readings = (0..size)
                    .map(|_| {
                        numbered += 1;
                        let vin = if rng.below(4) == 0 {
                            UNREGISTERED[rng.below(UNREGISTERED.len() as u64) as usize]
                        } else {
                            REGISTERED[rng.below(REGISTERED.len() as u64) as usize]
                        };
                        let works = (0..rng.range(1, 2))
                            .map(|_| ACTIVITIES[rng.below(ACTIVITIES.len() as u64) as usize])
                            .collect();
                        SentReading {
                            reference: format!("JOB-{}-{numbered:06}", index / 2),
                            vin,
                            work_date: today
                                .checked_sub_days(Days::new(rng.range(1, 700)))
                                .unwrap(),
                            odometer: rng.range(1_000, 250_000),
                            works,
                        }
                    })
                    .collect();
                log.batches.push(Batch { user, readings });
                log.batches.len() - 1
            }
        };
        log.requests += 1;
        match exchange(current, &log.batches[batch].request()) {
            Err(Failure::Connect(e)) => {
                *log.errors
                    .entry(format!("connect: {:?}", e.kind()))
                    .or_default() += 1;
                log.refused += 1;
                pending = Some(batch);
                thread::sleep(Duration::from_millis(20));
            }
            Err(Failure::Exchange(e)) => {
                *log.errors.entry(format!("{:?}", e.kind())).or_default() += 1;
                log.unanswered += 1;
                if rng.below(2) == 0 {
                    log.resent += 1;
                    pending = Some(batch);
                }
            }
            Ok(response) if response.status == 200 => match receipts(&response.body) {
                Ok(receipts) => match receipts_match(&log.batches[batch], &receipts) {
                    Ok(()) => log.acks.extend(receipts.into_iter().map(|r| (user, r))),
                    Err(e) => log.problems.push(e),
                },
                Err(e) => log.problems.push(format!("a 200 without receipts: {e}")),
            },
            Ok(response) => match server_fault(&response) {
                Ok(()) => {
                    log.server_faults += 1;
                    pending = Some(batch);
                }
                Err(e) => log.problems.push(format!("not a receipt: {e}")),
            },
        }
    }
    log
}

/// One receipt per reading, in order.
fn receipts_match(batch: &Batch, receipts: &[Receipt]) -> Result<(), String> {
    let sent: Vec<&str> = batch
        .readings
        .iter()
        .map(|r| r.reference.as_str())
        .collect();
    let got: Vec<&str> = receipts
        .iter()
        .map(|r| r.client_reference.as_str())
        .collect();
    if sent == got {
        Ok(())
    } else {
        Err(format!(
            "{}: receipts for {got:?}, sent {sent:?}",
            batch.user
        ))
    }
}

/// The readings table, by (user name, ClientReference).
struct Stored {
    rows: BTreeMap<(String, String), StoredRow>,
    /// Issues per reading id.
    issues: HashMap<String, i64>,
    /// (user, reference) pairs that occur more than once.
    duplicates: Vec<(String, String, i64)>,
}

impl Stored {
    fn has(&self, user: &str, reference: &str) -> bool {
        self.rows
            .contains_key(&(user.to_owned(), reference.to_owned()))
    }
}

struct StoredRow {
    id: String,
    works: i64,
}

fn stored(pool: &Pool) -> Stored {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        username: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        reference: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        works: i64,
    }
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::Text)]
        key: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = pool.get().expect("a connection");
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT a.username AS username, r.client_reference AS reference, r.id AS id, \
         (SELECT COUNT(*) FROM reading_works w WHERE w.reading_id = r.id) AS works \
         FROM readings r JOIN accounts a ON a.id = r.account_id",
    )
    .load(&mut **conn)
    .expect("the readings");
    let issues: Vec<Count> = diesel::sql_query(
        "SELECT reading_id AS key, COUNT(*) AS n FROM issues GROUP BY reading_id",
    )
    .load(&mut **conn)
    .expect("the issues");
    let mut counted: HashMap<(String, String), i64> = HashMap::new();
    let mut map = BTreeMap::new();
    for row in rows {
        let key = (row.username, row.reference);
        *counted.entry(key.clone()).or_default() += 1;
        map.insert(
            key,
            StoredRow {
                id: row.id,
                works: row.works,
            },
        );
    }
    Stored {
        rows: map,
        issues: issues.into_iter().map(|c| (c.key, c.n)).collect(),
        duplicates: counted
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|((u, r), n)| (u, r, n))
            .collect(),
    }
}

/// No ClientReference twice per account, nothing that was not sent, every Work line of each.
fn check_stored(
    stored: &Stored,
    sent: &HashMap<(&str, String), usize>,
    problems: &mut Vec<String>,
) {
    for (user, reference, n) in &stored.duplicates {
        problems.push(format!("DUPLICATE: {user}/{reference} is stored {n} times"));
    }
    for ((user, reference), row) in &stored.rows {
        match sent.get(&(user.as_str(), reference.clone())) {
            None => problems.push(format!("{user}/{reference} is stored but was never sent")),
            Some(works) if *works as i64 != row.works => problems.push(format!(
                "{user}/{reference} ({}) is stored with {} Work lines of {works}",
                row.id, row.works
            )),
            Some(_) => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. PostgreSQL stopped under load

#[test]
fn postgres_stopped_under_load_gives_server_faults_and_the_service_recovers() {
    if postgres_admin_url().is_none() {
        return;
    }
    let Some(version) = cluster_tools() else {
        return;
    };
    let started = Instant::now();
    drop_stale_clusters(&version);
    // Dropped last: the server goes first.
    let cluster = Cluster::create(&version);
    cluster.start();
    let url = cluster.create_database("carpass_crash");
    let database_url = DatabaseUrl::parse(&url).unwrap();
    seed_database(&database_url);
    let mut server = Server::ready("PostgreSQL outage", &url);
    let setup = started.elapsed();
    let today = brussels_date(Utc::now());

    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let stopper = StopOnDrop(Arc::clone(&stop));
    let outcomes = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let port = server.port;
    let mut loaders: Vec<_> = (0..LOAD_CLIENTS)
        .map(|index| {
            let (stop, outcomes) = (Arc::clone(&stop), Arc::clone(&outcomes));
            thread::spawn(move || {
                let user = USERS[index % 2];
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let readings = (0..1 + n % 3)
                        .map(|k| SentReading {
                            reference: format!("LOAD-{index}-{n:05}-{k}"),
                            vin: REGISTERED[(index + k) % REGISTERED.len()],
                            work_date: today.checked_sub_days(Days::new(10)).unwrap(),
                            odometer: 10_000 + n as u64,
                            works: vec!["MAINTENANCE"],
                        })
                        .collect();
                    let batch = Batch { user, readings };
                    let sent = Instant::now();
                    let answer = exchange(port, &batch.request());
                    let kind = match answer {
                        Ok(r) if r.status == 200 => match receipts(&r.body) {
                            Ok(receipts) => match receipts_match(&batch, &receipts) {
                                Ok(()) => Kind::Receipts(receipts),
                                Err(e) => Kind::Unexpected(e),
                            },
                            Err(e) => Kind::Unexpected(e),
                        },
                        Ok(r) => match server_fault(&r) {
                            Ok(()) => Kind::ServerFault,
                            Err(e) => Kind::Unexpected(e),
                        },
                        Err(e) => {
                            thread::sleep(Duration::from_millis(20));
                            Kind::Io(format!("{e:?}"))
                        }
                    };
                    outcomes.lock().unwrap().push(Outcome {
                        what: What::Submit(batch),
                        sent,
                        answered: Instant::now(),
                        kind,
                    });
                }
            })
        })
        .collect();
    {
        let (stop, outcomes) = (Arc::clone(&stop), Arc::clone(&outcomes));
        loaders.push(thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let sent = Instant::now();
                let request = format!(
                    "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                );
                let kind = match exchange(port, request.as_bytes()) {
                    Ok(r) if r.status == 200 => Kind::Ready,
                    Ok(r) if r.status == 503 => Kind::NotReady,
                    Ok(r) => Kind::Unexpected(format!("/readyz {}: {}", r.status, r.body)),
                    Err(e) => Kind::Io(format!("{e:?}")),
                };
                outcomes.lock().unwrap().push(Outcome {
                    what: What::Readyz,
                    sent,
                    answered: Instant::now(),
                    kind,
                });
                thread::sleep(Duration::from_millis(100));
            }
        }));
    }

    // Stop it, wait, start it, wait until the service is back; twice: a short outage, and one
    // longer than the pool's wait for a connection, so that requests fail while it lasts.
    thread::sleep(Duration::from_secs(1));
    let mut outages: Vec<Outage> = Vec::new();
    let mut alive_while_down = true;
    for length in OUTAGES {
        let stopping = Instant::now();
        cluster.ctl(&["stop", "-m", "immediate"]);
        let down = Instant::now();
        thread::sleep(length);
        alive_while_down &= server.child.try_wait().unwrap().is_none();
        let starting = Instant::now();
        cluster.ctl(&["start"]);
        let up = Instant::now();
        // Recovered: a submission and a /readyz sent after the start both succeed.
        let recovered = loop {
            let recovered = {
                let outcomes = outcomes.lock().unwrap();
                let first = |ok: fn(&Kind) -> bool| {
                    outcomes
                        .iter()
                        .filter(|o| o.sent >= up && ok(&o.kind))
                        .map(|o| o.answered)
                        .min()
                };
                first(|k| matches!(k, Kind::Receipts(_))).zip(first(|k| matches!(k, Kind::Ready)))
            };
            if let Some((submitted, ready)) = recovered {
                break Some(submitted.max(ready) - up);
            }
            if up.elapsed() > RECOVERY_WITHIN || server.child.try_wait().unwrap().is_some() {
                break None;
            }
            thread::sleep(Duration::from_millis(50));
        };
        outages.push(Outage {
            stopping,
            down,
            starting,
            up,
            recovered,
        });
        if recovered.is_none() {
            break;
        }
        thread::sleep(Duration::from_millis(500));
    }
    drop(stopper);
    for loader in loaders {
        loader.join().expect("a load thread");
    }
    let alive = server.child.try_wait().unwrap().is_none();
    let log = server.log_text();

    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    let mut problems: Vec<String> = Vec::new();
    let at = |i: Instant| i.saturating_duration_since(t0);
    let mut slowest = Duration::ZERO;
    let mut counts: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for o in &outcomes {
        let phase = phase(&outages, o.answered);
        *counts
            .entry((phase.to_string(), o.kind.name()))
            .or_default() += 1;
        let took = o.answered - o.sent;
        slowest = slowest.max(took);
        let what = format!(
            "{} sent at {:?}, answered at {:?} ({took:?}, {phase})",
            o.what.name(),
            at(o.sent),
            at(o.answered)
        );
        if took > ANSWER_WITHIN {
            problems.push(format!("{what}: slower than {ANSWER_WITHIN:?}"));
        }
        match &o.kind {
            Kind::Io(e) => problems.push(format!("{what}: no answer: {e}")),
            Kind::Unexpected(e) => problems.push(format!("{what}: {e}")),
            _ => {}
        }
        let success = matches!(o.kind, Kind::Receipts(_) | Kind::Ready);
        if matches!(phase, Phase::Down(_)) && success {
            problems.push(format!("{what}: a success while the database was down"));
        }
        if matches!(phase, Phase::Before) && !success {
            problems.push(format!(
                "{what}: {} before the database was stopped",
                o.kind.name()
            ));
        }
    }
    if !alive_while_down || !alive {
        problems.push(format!("the server process exited:\n{log}"));
    }
    if log.contains("panicked") {
        problems.push(format!("the server panicked:\n{log}"));
    }
    for (i, outage) in outages.iter().enumerate() {
        if outage.recovered.is_none() {
            problems.push(format!(
                "not recovered within {RECOVERY_WITHIN:?} of the database's start after outage {}",
                i + 1
            ));
        }
    }
    let faults = counts
        .iter()
        .filter(|((_, kind), _)| *kind == "Server fault" || *kind == "503")
        .map(|(_, n)| n)
        .sum::<usize>();
    if faults == 0 {
        problems.push(
            "no Server fault and no 503 at all: the outage was not seen, the test proves nothing"
                .into(),
        );
    }

    // What was acknowledged is stored, whatever happened around it.
    let acked: Vec<(&str, &Receipt)> = outcomes
        .iter()
        .filter_map(|o| match (&o.what, &o.kind) {
            (What::Submit(batch), Kind::Receipts(receipts)) => Some((batch.user, receipts)),
            _ => None,
        })
        .flat_map(|(user, receipts)| receipts.iter().map(move |r| (user, r)))
        .collect();
    let pool = db::connect(&database_url, 1).expect("the database after the outage");
    let after = stored(&pool);
    for (user, receipt) in &acked {
        let row = after
            .rows
            .get(&(user.to_string(), receipt.client_reference.clone()));
        if row.map(|r| &r.id) != Some(&receipt.reading_id) {
            problems.push(format!(
                "LOST: {user}/{} acknowledged as {} during the outage test",
                receipt.client_reference, receipt.reading_id
            ));
        }
    }
    // A Server fault says "nothing was stored": true unless the commit got through and only its
    // acknowledgement was lost with the connection. Counted, not asserted: a resend is idempotent.
    let faulted_but_stored = outcomes
        .iter()
        .filter_map(|o| match (&o.what, &o.kind) {
            (What::Submit(batch), Kind::ServerFault) => Some(batch),
            _ => None,
        })
        .filter(|batch| {
            batch.readings.iter().any(|r| {
                after
                    .rows
                    .contains_key(&(batch.user.to_owned(), r.reference.clone()))
            })
        })
        .count();
    for (user, reference, n) in &after.duplicates {
        problems.push(format!("DUPLICATE: {user}/{reference} is stored {n} times"));
    }
    drop(pool);
    drop(server);

    for (i, o) in outages.iter().enumerate() {
        eprintln!(
            "PostgreSQL outage {}: stop issued at {:?} (took {:?}), down for {:?}, start issued \
             at {:?} (took {:?}), service back {:?} after",
            i + 1,
            at(o.stopping),
            o.down - o.stopping,
            o.starting - o.down,
            at(o.starting),
            o.up - o.starting,
            o.recovered
        );
    }
    eprintln!(
        "PostgreSQL outages: set up in {setup:?}; answers by phase: {counts:?}; slowest answer \
         {slowest:?}; {} readings acknowledged, {faulted_but_stored} batches with a Server fault \
         were stored nonetheless; whole test {:?}",
        acked.len(),
        started.elapsed()
    );
    assert!(
        problems.is_empty(),
        "{} problems while PostgreSQL was stopped and started:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The moments of one outage: `pg_ctlcluster stop` issued and returned, `start` issued and
/// returned, and how long after that the service was back.
struct Outage {
    stopping: Instant,
    down: Instant,
    starting: Instant,
    up: Instant,
    recovered: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Before,
    /// The outage's number, from 1.
    Stopping(usize),
    Down(usize),
    Starting(usize),
    After(usize),
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Phase::Before => write!(f, "0 before"),
            Phase::Stopping(i) => write!(f, "{i} stopping"),
            Phase::Down(i) => write!(f, "{i} down"),
            Phase::Starting(i) => write!(f, "{i} starting"),
            Phase::After(i) => write!(f, "{i} after"),
        }
    }
}

/// Where a moment falls among the outages.
fn phase(outages: &[Outage], moment: Instant) -> Phase {
    let mut phase = Phase::Before;
    for (i, outage) in outages.iter().enumerate() {
        let n = i + 1;
        if moment >= outage.up {
            phase = Phase::After(n);
        } else if moment >= outage.starting {
            return Phase::Starting(n);
        } else if moment >= outage.down {
            return Phase::Down(n);
        } else if moment >= outage.stopping {
            return Phase::Stopping(n);
        } else {
            break;
        }
    }
    phase
}

struct Outcome {
    what: What,
    sent: Instant,
    answered: Instant,
    kind: Kind,
}

enum What {
    Submit(Batch),
    Readyz,
}

impl What {
    fn name(&self) -> &'static str {
        match self {
            What::Submit(_) => "SubmitReadings",
            What::Readyz => "GET /readyz",
        }
    }
}

enum Kind {
    Receipts(Vec<Receipt>),
    ServerFault,
    Ready,
    NotReady,
    Unexpected(String),
    Io(String),
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::Receipts(_) => "receipts",
            Kind::ServerFault => "Server fault",
            Kind::Ready => "200",
            Kind::NotReady => "503",
            Kind::Unexpected(_) => "unexpected",
            Kind::Io(_) => "no answer",
        }
    }
}

/// The PostgreSQL version whose Debian cluster tools are installed, if any. With
/// CARPASS_REQUIRE_POSTGRES=1 their absence fails the test.
fn cluster_tools() -> Option<String> {
    let tools = [
        "pg_createcluster",
        "pg_ctlcluster",
        "pg_dropcluster",
        "pg_lsclusters",
    ];
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|tool| {
            !std::env::var_os("PATH")
                .map(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
                .unwrap_or(false)
        })
        .collect();
    let version = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join("bin/initdb").is_file())
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .max();
    // Creating a cluster takes root or the postgres user (the owner of /var/lib/postgresql).
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("Uid:"))?;
            line.split_whitespace().nth(2)?.parse::<u32>().ok()
        });
    let owner = std::fs::metadata("/var/lib/postgresql")
        .ok()
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m));
    let may_create = uid == Some(0) || (uid.is_some() && uid == owner);
    match version {
        Some(version) if missing.is_empty() && may_create => Some(version.to_string()),
        Some(_) if missing.is_empty() => {
            let why = "creating a PostgreSQL cluster takes root or the postgres user";
            if std::env::var("CARPASS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("CARPASS_REQUIRE_POSTGRES=1 but {why}");
            }
            eprintln!("SKIPPED the PostgreSQL outage test: {why}");
            None
        }
        _ => {
            let why = format!(
                "Debian's PostgreSQL cluster tools are missing ({}; initdb under \
                 /usr/lib/postgresql/VERSION/bin: {})",
                if missing.is_empty() {
                    "all on PATH".to_owned()
                } else {
                    format!("not on PATH: {}", missing.join(", "))
                },
                if version.is_some() {
                    "found"
                } else {
                    "not found"
                }
            );
            if std::env::var("CARPASS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("CARPASS_REQUIRE_POSTGRES=1 but {why}");
            }
            eprintln!("SKIPPED the PostgreSQL outage test: {why} (apt-get install postgresql)");
            None
        }
    }
}

/// A cluster of this test's own, on a free port, dropped (stopped first) when the test ends, also
/// on failure.
struct Cluster {
    version: String,
    name: String,
    port: u16,
}

impl Cluster {
    fn create(version: &str) -> Cluster {
        let name = format!("carpass_crash_{}", std::process::id());
        let port = free_port();
        let cluster = Cluster {
            version: version.to_owned(),
            name,
            port,
        };
        run(
            "pg_createcluster",
            &[
                version,
                &cluster.name,
                "--port",
                &port.to_string(),
                "--start-conf=manual",
                // Not what is tested here, and it makes the recovery after an immediate stop
                // (which first syncs the whole data directory) take seconds.
                "-o",
                "fsync=off",
                "--",
                "--auth=trust",
                "--no-sync",
            ],
        );
        cluster
    }

    fn ctl(&self, args: &[&str]) {
        let mut all = vec![self.version.as_str(), self.name.as_str()];
        all.extend_from_slice(args);
        run("pg_ctlcluster", &all);
    }

    fn start(&self) {
        self.ctl(&["start"]);
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn create_database(&self, name: &str) -> String {
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut conn = loop {
            match diesel::pg::PgConnection::establish(&self.url("postgres")) {
                Ok(conn) => break conn,
                Err(e) if Instant::now() > deadline => {
                    panic!("the test's cluster {} does not answer: {e}", self.name)
                }
                Err(_) => thread::sleep(Duration::from_millis(100)),
            }
        };
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("CREATE DATABASE");
        self.url(name)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let out = Command::new("pg_dropcluster")
            .args([&self.version, &self.name, "--stop"])
            .output();
        match out {
            Ok(out) if out.status.success() => {}
            other => eprintln!(
                "could not drop the test's cluster {} {}: {other:?}",
                self.version, self.name
            ),
        }
    }
}

/// Clusters an earlier run of this test left behind when it was killed (its process is gone).
fn drop_stale_clusters(version: &str) {
    let Ok(out) = Command::new("pg_lsclusters").arg("--no-header").output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(&v), Some(&name)) = (fields.first(), fields.get(1)) else {
            continue;
        };
        let Some(pid) = name.strip_prefix("carpass_crash_") else {
            continue;
        };
        let stale = v == version
            && pid.parse::<u32>().is_ok()
            && !PathBuf::from(format!("/proc/{pid}")).exists();
        if stale {
            eprintln!("dropping the cluster {v} {name} a killed run left behind");
            let _ = Command::new("pg_dropcluster")
                .args([v, name, "--stop"])
                .output();
        }
    }
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {}: {}\n{}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// The databases

fn seed() -> u64 {
    match std::env::var("CARPASS_CRASH_SEED") {
        Ok(raw) if !raw.is_empty() => {
            let raw = raw.trim();
            let parsed = match raw.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => raw.parse(),
            };
            parsed.unwrap_or_else(|e| panic!("CARPASS_CRASH_SEED={raw}: {e}"))
        }
        _ => DEFAULT_SEED,
    }
}

/// xorshift64*: enough randomness for test data, and no crate for it.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        // splitmix64 of the seed, so that neighbouring seeds differ and none is zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        XorShift((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// lo..=hi
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

fn postgres_admin_url() -> Option<String> {
    match std::env::var("CARPASS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CARPASS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("CARPASS_REQUIRE_POSTGRES=1 but CARPASS_TEST_POSTGRES_URL is not set");
            }
            eprintln!(
                "SKIPPED a PostgreSQL crash test: set CARPASS_TEST_POSTGRES_URL=\
                 postgres://USER:PASSWORD@HOST/postgres (a role that may CREATE DATABASE) to run it"
            );
            None
        }
    }
}

/// A fresh database on the shared server, dropped (even with connections left) at the end.
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    fn create(admin_url: &str) -> TestDatabase {
        let name = format!("carpass_crash_{}", uuid::Uuid::new_v4().simple());
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

/// Migrates, then adds two garages with one submitting account each, and the registered cars.
fn seed_database(url: &DatabaseUrl) {
    let pool = db::connect(url, 1).expect("the test database migrates");
    let mut conn = pool.get().unwrap();
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, None).unwrap();
    let at = Utc::now();
    for ((kbo, name, nace), user) in [
        (GARAGE_KBO, "Garage Janssens BV", "45201"),
        (OTHER_GARAGE_KBO, "Bandencentrale Peeters", "45320"),
    ]
    .into_iter()
    .zip(USERS)
    {
        staff::companies::add(&mut conn, &actor, kbo, name, nace, CompanyKind::Garage, at).unwrap();
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
    let first = NaiveDate::from_ymd_opt(2019, 3, 1).unwrap();
    let vehicles: Vec<Vehicle> = REGISTERED
        .iter()
        .map(|vin| Vehicle {
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
        })
        .collect();
    register::import(&mut conn, &vehicles, at).unwrap();
}

// ---------------------------------------------------------------------------------------------
// The server

/// A port the OS just gave out, and never before to this process: the tests of this file run
/// at once, and a port one of them just released must not reach another.
fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// Whether process `pid` holds a socket that listens on `port`; None where /proc cannot tell.
fn listens_on(pid: u32, port: u16) -> Option<bool> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let sockets: Vec<String> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (_, local_port) = fields.get(1)?.rsplit_once(':')?;
            let listening = *fields.get(3)? == "0A";
            (u16::from_str_radix(local_port, 16).ok()? == port && listening)
                .then(|| format!("socket:[{}]", fields.get(9).unwrap_or(&"")))
        })
        .collect();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| sockets.iter().any(|s| target.as_os_str() == s.as_str()))
    }))
}

/// A `carpass serve` process, killed when dropped (also on failure).
struct Server {
    label: String,
    port: u16,
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Server {
    fn start(label: &str, port: u16, database_url: &str) -> Server {
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
            label: label.to_owned(),
            port,
            child,
            log,
        }
    }

    /// A server on a free port, ready. A port taken meanwhile (by a client's connection, say)
    /// costs a retry on another.
    fn ready(label: &str, database_url: &str) -> Server {
        for _ in 0..5 {
            let mut server = Server::start(label, free_port(), database_url);
            match server.wait_until_ready() {
                Ok(()) => return server,
                Err(log) if log.contains("cannot listen") => {
                    eprintln!("[{label}] port {} taken, another one: {log}", server.port);
                }
                Err(log) => panic!("[{label}] the server exited:\n{log}"),
            }
        }
        panic!("[{label}] no free port in five attempts");
    }

    /// Waits until /readyz answers 200 from this process (not from another that listens on the
    /// port); the log if the process exits.
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let request = format!(
            "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("exit {status}: {}", self.log_text()));
            }
            if exchange(self.port, request.as_bytes()).is_ok_and(|r| r.status == 200)
                && listens_on(self.child.id(), self.port) != Some(false)
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                panic!(
                    "[{}] the server is not ready on port {} within {READY_TIMEOUT:?}:\n{}",
                    self.label,
                    self.port,
                    self.log_text()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// A ListActivities of each account: the server verifies and remembers their passwords.
    fn sign_in(&self) {
        for user in USERS {
            let request = soap_request(user, &format!(r#"<c:ListActivities xmlns:c="{NS}"/>"#));
            match exchange(self.port, &request) {
                Ok(r) if r.status == 200 => {}
                other => panic!(
                    "[{}] ListActivities as {user}: {other:?}\n{}",
                    self.label,
                    self.log_text()
                ),
            }
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

#[derive(Debug)]
enum Failure {
    /// Nobody listens: the request was never sent.
    Connect(std::io::Error),
    /// Sent, or partly: no complete answer.
    Exchange(std::io::Error),
}

fn exchange(port: u16, request: &[u8]) -> Result<Response, Failure> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(Failure::Connect)?;
    let mut talk = || {
        stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
        stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
        stream.set_nodelay(true)?;
        stream.write_all(request)?;
        read_response(&mut stream)
    };
    talk().map_err(Failure::Exchange)
}

/// Reads until the server closes (`Connection: close`); a body shorter than its Content-Length
/// (the server died while writing it) is no answer.
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
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_ascii_lowercase())
        })
    };
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        body = dechunk(&body).ok_or_else(|| invalid("a cut or bad chunked body"))?;
    } else if let Some(length) = header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| invalid("a bad Content-Length"))?;
        if body.len() != length {
            return Err(invalid("a body of another length than its Content-Length"));
        }
    }
    Ok(Response {
        status,
        body: String::from_utf8(body).map_err(|_| invalid("a body that is not UTF-8"))?,
    })
}

// ---------------------------------------------------------------------------------------------
// SOAP

/// A receipt as the wire shows it, every element of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Receipt {
    client_reference: String,
    reading_id: String,
    status: String,
    /// (IssueNumber, Code, Severity, Message, State) of each issue, in order.
    issues: Vec<[Option<String>; 5]>,
}

fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name((NS, name)))
        .map(|c| c.text().unwrap_or("").to_owned())
}

fn receipts(xml: &str) -> Result<Vec<Receipt>, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| format!("{e}: {xml}"))?;
    doc.descendants()
        .find(|n| n.has_tag_name((NS, "SubmitReadingsResponse")))
        .ok_or_else(|| format!("no SubmitReadingsResponse: {xml}"))?;
    doc.descendants()
        .filter(|n| n.has_tag_name((NS, "Receipt")))
        .map(|r| {
            Ok(Receipt {
                client_reference: child_text(r, "ClientReference")
                    .ok_or_else(|| format!("a Receipt without ClientReference: {xml}"))?,
                reading_id: child_text(r, "ReadingId")
                    .ok_or_else(|| format!("a Receipt without ReadingId: {xml}"))?,
                status: child_text(r, "Status")
                    .ok_or_else(|| format!("a Receipt without Status: {xml}"))?,
                issues: r
                    .children()
                    .filter(|c| c.has_tag_name((NS, "Issue")))
                    .map(|i| {
                        ["IssueNumber", "Code", "Severity", "Message", "State"]
                            .map(|name| child_text(i, name))
                    })
                    .collect(),
            })
        })
        .collect()
}

/// HTTP 500 with a SOAP 1.1 Server fault whose FaultDetail Code is SERVER_ERROR.
fn server_fault(response: &Response) -> Result<(), String> {
    let doc = roxmltree::Document::parse(&response.body)
        .map_err(|e| format!("HTTP {}, not XML ({e}): {}", response.status, response.body))?;
    let faultcode = doc
        .descendants()
        .find(|n| n.tag_name().name() == "faultcode" && n.tag_name().namespace().is_none())
        .and_then(|n| {
            let text = n.text()?.trim();
            let (prefix, local) = text.split_once(':')?;
            let namespace = n.lookup_namespace_uri(Some(prefix))?;
            Some((namespace.to_owned(), local.to_owned()))
        });
    let detail = doc
        .descendants()
        .find(|n| n.has_tag_name((NS, "FaultDetail")))
        .and_then(|d| child_text(d, "Code"));
    if response.status == 500
        && faultcode == Some((SOAP11.to_owned(), "Server".to_owned()))
        && detail.as_deref() == Some("SERVER_ERROR")
    {
        Ok(())
    } else {
        Err(format!(
            "HTTP {}, faultcode {faultcode:?}, FaultDetail Code {detail:?}, not a Server fault \
             SERVER_ERROR: {}",
            response.status, response.body
        ))
    }
}
