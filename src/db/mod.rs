//! Storage: the only layer that knows SQL. SQLite (embedded default) and PostgreSQL run the
//! same queries through diesel's MultiConnection; what must differ per backend stays in this
//! folder and is matched on `DbConnection` explicitly.

/// Runs a query on the concrete connection, for the SQL that diesel's `MultiBackend` cannot
/// express (upserts, multi-row inserts, RETURNING): the same query, typed for each backend.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

pub mod account_events;
pub mod accounts;
pub mod approvals;
pub mod audit;
pub mod car_passes;
pub mod certification;
pub mod clerk;
pub mod companies;
pub mod dates;
pub mod feeds;
pub mod foreign_readings;
pub mod foreign_refusals;
pub mod issues;
pub mod labels;
pub mod nonces;
pub mod post_accidents;
pub mod rdw;
pub mod readings;
pub mod recalls;
pub mod review_notes;
pub mod schema;
pub mod staff_sessions;
pub mod trusted_providers;
pub mod vehicles;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const CERTIFICATION_SQLITE_MIGRATIONS: EmbeddedMigrations =
    embed_migrations!("migrations/certification/sqlite");
const CERTIFICATION_POSTGRES_MIGRATIONS: EmbeddedMigrations =
    embed_migrations!("migrations/certification/postgres");

/// The PostgreSQL schema of the certification database (SPEC 5.5), beside production's.
const CERTIFICATION_SCHEMA: &str = "certification";

/// Rows or values per multi-row statement or list: a thousand readings at 22 parameters each
/// stay well below SQLite's limit of 32,766 parameters a statement and PostgreSQL's 65,535.
const ROWS_PER_STATEMENT: usize = 1_000;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// A pooled connection and when a round trip last showed it alive. A PostgreSQL connection
/// dies with its server, and diesel cannot tell without a query: the pool sends `SELECT 1`
/// before handing one out, but at most once per `RECHECK` per connection, not per request
/// (two of the five round trips a ValidateReading made). After a restart a connection fails
/// its requests (Server faults, the client retries) for at most that long, then is replaced.
pub struct Checked {
    conn: DbConnection,
    checked: Instant,
}

const RECHECK: Duration = Duration::from_secs(1);

impl std::ops::Deref for Checked {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Checked {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// Where the data lives, parsed from `--database-url`. A URL with any other scheme is refused,
/// so that a typo never silently creates an empty SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL scheme '{0}': use sqlite://PATH, a plain file path, or postgres://...")]
    UnsupportedScheme(String),
    #[error("the SQLite database URL has no file path")]
    EmptySqlitePath,
    #[error("could not open the database: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("could not run the database migrations: {0}")]
    Migrations(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("could not connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("the storage work panicked")]
    Panicked,
    #[error("could not connect to {url}: {cause}")]
    Unreachable { url: String, cause: String },
    #[error("no carpass {what} at {path}: create it with `carpass init` (or by starting `carpass serve`) with the same --database-url, or correct --database-url / CARPASS_DATABASE_URL")]
    Missing { path: String, what: &'static str },
    #[error("{url} holds no carpass {what} (its migrations were never run there): create it with `carpass init` (or by starting `carpass serve`) with the same --database-url, or correct --database-url / CARPASS_DATABASE_URL")]
    NotCarpass { url: String, what: &'static str },
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<DatabaseUrl, DbError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        let path = if let Some(rest) = raw.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = raw.strip_prefix("sqlite:") {
            rest
        } else if let Some(scheme) = scheme_of(raw) {
            return Err(DbError::UnsupportedScheme(scheme.to_owned()));
        } else {
            raw
        };
        if path.is_empty() {
            return Err(DbError::EmptySqlitePath);
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, DatabaseUrl::Postgres(_))
    }
}

/// Which of the two databases a pool opens. Certification traffic (SPEC 5.5) lives in a
/// database of its own, with its own copy of the production tables: a SQLite file beside
/// production's (`carpass.db` -> `carpass-certification.db`), or the schema `certification`
/// of the same PostgreSQL database. Nothing a certification session does can reach production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Production,
    Certification,
}

impl Database {
    /// Where this database lives, given production's URL.
    pub fn url(self, production: &DatabaseUrl) -> DatabaseUrl {
        match (self, production) {
            (Database::Production, url)
            | (Database::Certification, url @ DatabaseUrl::Postgres(_)) => url.clone(),
            (Database::Certification, DatabaseUrl::Sqlite(path)) => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let name = match path.extension() {
                    Some(ext) => format!("{stem}-certification.{}", ext.to_string_lossy()),
                    None => format!("{stem}-certification"),
                };
                DatabaseUrl::Sqlite(path.with_file_name(name))
            }
        }
    }

    /// What the errors call it.
    fn what(self) -> &'static str {
        match self {
            Database::Production => "database",
            Database::Certification => "certification database",
        }
    }

    fn schema(self) -> Option<&'static str> {
        match self {
            Database::Production => None,
            Database::Certification => Some(CERTIFICATION_SCHEMA),
        }
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            // The password stays out of logs.
            DatabaseUrl::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(start), Some(at)) if at > start => {
                    write!(f, "{}://***{}", &url[..start], &url[at..])
                }
                _ => f.write_str(url),
            },
        }
    }
}

/// A URL scheme at the start (`mysql:`, `postgress://`), not a drive letter (`C:\\`).
fn scheme_of(raw: &str) -> Option<&str> {
    let (scheme, _) = raw.split_once(':')?;
    let looks_like_scheme = scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    looks_like_scheme.then_some(scheme)
}

/// Opens connections of the backend the URL names.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
    /// The PostgreSQL schema every query of this pool resolves to, when not the default.
    schema: Option<&'static str>,
}

impl ManageConnection for Manager {
    type Connection = Checked;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Checked, r2d2::Error> {
        Ok(Checked {
            conn: self.open()?,
            checked: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut Checked) -> Result<(), r2d2::Error> {
        // A SQLite connection is a file handle: it cannot break.
        if matches!(conn.conn, DbConnection::Sqlite(_)) || conn.checked.elapsed() < RECHECK {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)?;
        conn.checked = Instant::now();
        Ok(())
    }

    fn has_broken(&self, _conn: &mut Checked) -> bool {
        false
    }
}

impl Manager {
    fn open(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                SqliteConnection::establish(&path)
                    .map(DbConnection::Sqlite)
                    .map_err(r2d2::Error::ConnectionError)
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn =
                    PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                if let Some(schema) = self.schema {
                    conn.batch_execute(&format!("SET search_path TO {schema}"))
                        .map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConnection::Postgres(conn))
            }
        }
    }
}

/// Per-connection settings. SPEC 7.2: a receipt is sent only after a durable commit, so SQLite
/// runs with synchronous=FULL; WAL lets readers proceed while one writer commits.
#[derive(Debug)]
struct ConnectionSettings;

impl CustomizeConnection<Checked, r2d2::Error> for ConnectionSettings {
    fn on_acquire(&self, conn: &mut Checked) -> Result<(), r2d2::Error> {
        if let DbConnection::Sqlite(sqlite) = &mut conn.conn {
            sqlite
                .batch_execute(
                    "PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
                )
                .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens the production pool and runs the embedded migrations before anything is served.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Pool, DbError> {
    open(Database::Production, url, max_size)
}

/// Opens a pool on one of the two databases (given production's URL), migrated; creates it
/// (its SQLite file and directories, or its tables) when it does not exist: `serve` and `init`.
pub fn open(database: Database, production: &DatabaseUrl, max_size: u32) -> Result<Pool, DbError> {
    open_with(database, production, max_size, Creating::Allowed)
}

/// Opens the production database only if it exists and holds carpass's tables: the staff,
/// import and certify commands, which must never answer from an empty database that a typo in
/// `--database-url` created.
pub fn connect_existing(url: &DatabaseUrl, max_size: u32) -> Result<Pool, DbError> {
    open_existing(Database::Production, url, max_size)
}

/// `open` for a database that must exist already: a SQLite file that is not there is refused
/// before anything is created; a database whose carpass migrations never ran (an empty or
/// someone else's PostgreSQL database) is refused before anything is written to it. A carpass
/// database that lacks only the newer migrations gets them, as `serve` would give them.
pub fn open_existing(
    database: Database,
    production: &DatabaseUrl,
    max_size: u32,
) -> Result<Pool, DbError> {
    open_with(database, production, max_size, Creating::Refused)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Creating {
    Allowed,
    Refused,
}

fn open_with(
    database: Database,
    production: &DatabaseUrl,
    max_size: u32,
    creating: Creating,
) -> Result<Pool, DbError> {
    let url = &database.url(production);
    if let DatabaseUrl::Sqlite(path) = url {
        if creating == Creating::Refused && !path.is_file() {
            return Err(DbError::Missing {
                path: path.display().to_string(),
                what: database.what(),
            });
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                DbError::Migrations(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
    }
    let manager = Manager {
        url: url.clone(),
        schema: database.schema(),
    };
    // Migrations and WAL first, on a connection of their own, before the pool opens several.
    let mut conn = manager.open().map_err(|e| DbError::Unreachable {
        url: url.to_string(),
        cause: e.to_string().trim_end().to_owned(),
    })?;
    if creating == Creating::Refused && !holds_carpass(&mut conn)? {
        return Err(DbError::NotCarpass {
            url: url.to_string(),
            what: database.what(),
        });
    }
    migrate(&mut conn, database)?;
    drop(conn);
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        // The certification pool is idle most of the time: open its connections on demand.
        .min_idle((database == Database::Certification).then_some(1))
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(true)
        .connection_customizer(Box::new(ConnectionSettings))
        .build(manager)?;
    Ok(pool)
}

/// Read-only SQLite connections for work that runs on the request's own thread instead of
/// the blocking pool (`AppState::read`): a WAL reader never waits for the writer, and its few
/// indexed lookups take less time than the hop to another thread and back. PostgreSQL has
/// none: its queries wait on the network, which a request's thread must not.
pub struct Readers {
    path: PathBuf,
    idle: std::sync::Mutex<Vec<DbConnection>>,
}

/// Connections kept for reuse: one per worker thread is what inline reads ever use at once.
const IDLE_READERS: usize = 8;

impl Readers {
    /// The readers of one of the two databases (migrated by `open`), given production's URL;
    /// none on PostgreSQL.
    pub fn of(database: Database, production: &DatabaseUrl) -> Option<Readers> {
        match database.url(production) {
            DatabaseUrl::Sqlite(path) => Some(Readers {
                path,
                idle: std::sync::Mutex::new(Vec::new()),
            }),
            DatabaseUrl::Postgres(_) => None,
        }
    }

    /// Runs `work` on a read-only connection on this thread. A write through it fails
    /// ("attempt to write a readonly database") instead of bypassing the writer.
    pub fn run<T>(&self, work: impl FnOnce(&mut DbConnection) -> T) -> Result<T, DbError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => {
                let mut sqlite = SqliteConnection::establish(&self.path.to_string_lossy())?;
                sqlite.batch_execute("PRAGMA busy_timeout = 15000; PRAGMA query_only = ON;")?;
                DbConnection::Sqlite(sqlite)
            }
        };
        // A panic must cost this request only, as it would on the blocking pool, and not the
        // worker thread with every connection it serves; the connection, maybe still inside
        // its transaction, is dropped with it.
        // One read transaction: its queries see one snapshot, and SQLite takes its WAL read
        // lock once instead of once per statement. Not diesel's `transaction`, which parses
        // BEGIN and COMMIT again each time (a measurable share of a ValidateReading, see
        // bench/PROFILE.md): work that only reads has nothing to roll back, so it is a
        // prepared BEGIN and COMMIT.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            diesel::RunQueryDsl::execute(Begin, sqlite(&mut conn))?;
            let result = work(&mut conn);
            diesel::RunQueryDsl::execute(Commit, sqlite(&mut conn)).map(|_| result)
        }))
        .map_err(|_| DbError::Panicked)??;
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        Ok(result)
    }
}

/// A reader's connection, which `Readers::run` opens on SQLite only.
fn sqlite(conn: &mut DbConnection) -> &mut SqliteConnection {
    match conn {
        DbConnection::Sqlite(sqlite) => sqlite,
        DbConnection::Postgres(_) => unreachable!("readers are SQLite connections"),
    }
}

/// Statements without parameters that diesel prepares once per connection and finds again
/// by type.
macro_rules! fixed_sqlite_statement {
    ($name:ident, $sql:literal) => {
        #[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
        struct $name;

        impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for $name {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
            ) -> diesel::QueryResult<()> {
                out.push_sql($sql);
                Ok(())
            }
        }

        impl diesel::RunQueryDsl<SqliteConnection> for $name {}
    };
}

fixed_sqlite_statement!(Begin, "BEGIN");
fixed_sqlite_statement!(Commit, "COMMIT");

/// Whether a write failed because a unique key holds the value already: what that means (a
/// resend, a race, a name taken) is the caller's to decide, but only here is SQL's error known.
pub fn is_duplicate(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// A transaction that reads before it writes. SQLite runs it with the write lock taken first:
/// a WAL transaction that has read cannot wait for the lock when another writer commits in
/// between, and fails with "database is locked" instead. PostgreSQL needs nothing of the kind.
pub fn writing<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if let DbConnection::Sqlite(sqlite) = conn {
            // A write statement takes the lock when it starts, whether or not it changes a row;
            // the busy timeout applies while it waits.
            sqlite.batch_execute("DELETE FROM vin_locks WHERE 0")?;
        }
        work(conn)
    })
}

/// The row a unique key names, if any. Not diesel's `first`: SQLite (since 3.47) plans a bound
/// `LIMIT ?` by its value, so the bind that diesel repeats on every execution expires the cached
/// statement and SQLite prepares it again each time (a fifth of ValidateReading's CPU). A
/// unique key needs no limit. On any connection: the hot lookups pass the concrete one (see
/// `on_backend!`), whose statement cache finds the query by type, where the multi-backend one
/// renders its SQL on every call to look it up.
pub fn unique<'q, Q, U, C>(query: Q, conn: &mut C) -> diesel::QueryResult<Option<U>>
where
    C: Connection,
    Q: diesel::query_dsl::LoadQuery<'q, C, U>,
{
    Ok(diesel::RunQueryDsl::load(query, conn)?.into_iter().next())
}

/// A round trip to the database, for readiness.
pub fn ping(conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
    conn.batch_execute("SELECT 1")
}

/// Whether carpass's first migration ran on this connection's database (in its schema, on
/// PostgreSQL): diesel's own table of migrations records it. Read from the catalog first, as
/// diesel would create that table on a mere question.
fn holds_carpass(conn: &mut DbConnection) -> Result<bool, DbError> {
    use diesel::sql_types::{BigInt, Text};
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    match conn {
        DbConnection::Sqlite(c) => {
            let table = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '__diesel_schema_migrations'",
            )
            .get_result::<Count>(c)?;
            if table.n == 0 {
                return Ok(false);
            }
            let version = first_version::<diesel::sqlite::Sqlite>(&SQLITE_MIGRATIONS)?;
            let found = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM __diesel_schema_migrations WHERE version = ?",
            )
            .bind::<Text, _>(version)
            .get_result::<Count>(c)?;
            Ok(found.n > 0)
        }
        DbConnection::Postgres(c) => {
            let table = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '__diesel_schema_migrations'",
            )
            .get_result::<Count>(c)?;
            if table.n == 0 {
                return Ok(false);
            }
            let version = first_version::<diesel::pg::Pg>(&POSTGRES_MIGRATIONS)?;
            let found = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM __diesel_schema_migrations WHERE version = $1",
            )
            .bind::<Text, _>(version)
            .get_result::<Count>(c)?;
            Ok(found.n > 0)
        }
    }
}

/// The version diesel records for the first of the embedded migrations.
fn first_version<DB: diesel::backend::Backend>(
    migrations: &EmbeddedMigrations,
) -> Result<String, DbError>
where
    EmbeddedMigrations: diesel::migration::MigrationSource<DB>,
{
    diesel::migration::MigrationSource::<DB>::migrations(migrations)
        .map_err(|e| DbError::Migrations(e.to_string()))?
        .iter()
        .map(|m| m.name().version().to_string())
        .min()
        .ok_or_else(|| DbError::Migrations("no migrations are embedded".into()))
}

/// Key of the PostgreSQL advisory lock that lets one instance migrate while the others wait.
const MIGRATION_LOCK: i64 = 0x0063_6172_7061_7373;

/// Several instances may start at once on one database (SPEC 7.1): one migrates, the others
/// wait for it and then find nothing left to do.
fn migrate(conn: &mut DbConnection, database: Database) -> Result<(), DbError> {
    let certification = database == Database::Certification;
    let result = match conn {
        DbConnection::Sqlite(c) => {
            // Foreign keys off, as SQLite asks while a migration rebuilds a referenced table.
            c.batch_execute(
                "PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF;",
            )?;
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|_| ())
                .and_then(|()| {
                    if certification {
                        c.run_pending_migrations(CERTIFICATION_SQLITE_MIGRATIONS)
                            .map(|_| ())
                    } else {
                        Ok(())
                    }
                })
        }
        DbConnection::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let result = (|| -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
                if let Some(schema) = database.schema() {
                    c.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))?;
                }
                c.run_pending_migrations(POSTGRES_MIGRATIONS)?;
                if certification {
                    c.run_pending_migrations(CERTIFICATION_POSTGRES_MIGRATIONS)?;
                }
                Ok(())
            })();
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            result
        }
    };
    result.map_err(|e| DbError::Migrations(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_and_the_sqlite_scheme_both_mean_sqlite() {
        assert_eq!(
            DatabaseUrl::parse("carpass.db").unwrap(),
            DatabaseUrl::Sqlite("carpass.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/carpass.db").unwrap(),
            DatabaseUrl::Sqlite("/var/lib/carpass.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/carpass.db").unwrap(),
            DatabaseUrl::Sqlite("data/carpass.db".into())
        );
    }

    #[test]
    fn a_postgres_url_is_recognised_and_its_password_hidden_when_shown() {
        let url = DatabaseUrl::parse("postgres://carpass:secret@db:5432/carpass").unwrap();
        assert!(url.is_postgres());
        assert_eq!(url.to_string(), "postgres://***@db:5432/carpass");
    }

    #[test]
    fn a_mistyped_scheme_is_refused_instead_of_creating_a_file() {
        let err = DatabaseUrl::parse("postgress://db/carpass").unwrap_err();
        assert!(err.to_string().contains("postgress"), "{err}");
        assert!(DatabaseUrl::parse("mysql://db").is_err());
        assert!(DatabaseUrl::parse("postgres:carpass").is_err());
        assert!(DatabaseUrl::parse("postgresql:/db/carpass").is_err());
        assert_eq!(
            DatabaseUrl::parse("data/run:1.db").unwrap(),
            DatabaseUrl::Sqlite("data/run:1.db".into())
        );
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn the_certification_database_lives_beside_production() {
        let sqlite = DatabaseUrl::parse("data/carpass.db").unwrap();
        assert_eq!(
            Database::Certification.url(&sqlite),
            DatabaseUrl::Sqlite("data/carpass-certification.db".into())
        );
        assert_eq!(Database::Production.url(&sqlite), sqlite);
        let bare = DatabaseUrl::parse("carpass").unwrap();
        assert_eq!(
            Database::Certification.url(&bare),
            DatabaseUrl::Sqlite("carpass-certification".into())
        );
        let pg = DatabaseUrl::parse("postgres://u:p@h/db").unwrap();
        assert_eq!(Database::Certification.url(&pg), pg);
        assert_eq!(Database::Certification.schema(), Some("certification"));
    }

    #[test]
    fn a_reader_sees_what_was_committed_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("carpass.db"));
        let pool = connect(&url, 2).unwrap();
        let readers = Readers::of(Database::Production, &url).expect("SQLite has readers");
        let vin = crate::domain::vin::Vin::parse("WDB2030461B000001").unwrap();
        let row = vehicles::VehicleRow {
            vin: vin.as_str().to_owned(),
            make: Some("Mercedes-Benz".into()),
            model: None,
            category: None,
            mass_kg: None,
            first_registration: None,
            first_registration_be: None,
            imported_used: None,
            five_digit_odometer: None,
            euro_norm: None,
            co2_g_km: None,
            fuel: None,
            imported_at: chrono::NaiveDateTime::default(),
        };
        let found = |readers: &Readers| readers.run(|c| vehicles::find(c, &vin)).unwrap().unwrap();
        assert!(found(&readers).is_none());
        vehicles::upsert(&mut pool.get().unwrap(), &row).unwrap();
        // The same (reused) connection, a new transaction: the commit is seen.
        assert_eq!(
            found(&readers).unwrap().make.as_deref(),
            Some("Mercedes-Benz")
        );
        let written = readers.run(|c| vehicles::upsert(c, &row)).unwrap();
        let refused = written.unwrap_err().to_string();
        assert!(refused.contains("readonly"), "{refused}");
        assert!(Readers::of(
            Database::Production,
            &DatabaseUrl::parse("postgres://u@h/db").unwrap()
        )
        .is_none());
    }

    #[test]
    fn the_two_backends_have_the_same_migrations() {
        let names = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let root = env!("CARGO_MANIFEST_DIR");
        assert_eq!(
            names(&format!("{root}/migrations/sqlite")),
            names(&format!("{root}/migrations/postgres"))
        );
        assert_eq!(
            names(&format!("{root}/migrations/certification/sqlite")),
            names(&format!("{root}/migrations/certification/postgres"))
        );
    }
}
