//! Test harness: a real Postgres cluster and one freshly migrated database
//! per test.
//!
//! `scripts/test` starts a throwaway cluster and exports
//! `TRACETOP_TEST_ADMIN_URL`; without it (a plain `cargo test`), the harness
//! starts or reuses a private development cluster under the temp dir. Each
//! test gets `CREATE DATABASE … TEMPLATE` of a template migrated once per
//! migration set, so a test costs ~50 ms of setup and never sees another's
//! rows.
//!
//! Two shapes of database: [`Shape::Ours`] (tracetop's own migrations on an
//! empty database) and [`Shape::Real`] (the audited tables as a
//! systemprompt-core v0.34.0 deployment has them, `tests/shapes/`, then
//! `tracetop migrate`, as an operator would set it up). A test written as
//! `async fn name(shape: Shape)` runs on both with [`both_shapes!`].
#![allow(dead_code)]

pub mod serve;

use sqlx::Connection;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

static ADMIN_URL: OnceLock<String> = OnceLock::new();

/// A migrated database of its own for one test.
pub struct TestDb {
    pub url: String,
    pub name: String,
}

impl TestDb {
    /// A read-write connection for inserting fixtures.
    pub async fn writer(&self) -> sqlx::PgConnection {
        sqlx::PgConnection::connect(&self.url)
            .await
            .expect("connect to test database")
    }

    /// Run one SQL statement (fixtures).
    pub async fn exec(&self, sql: &str) {
        let mut c = self.writer().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("fixture SQL failed: {e}\n{sql}"));
        let _ = c.close().await;
    }
}

/// A test database is dropped when the test is done with it (in the
/// background, so no test waits; `WITH (FORCE)` ends what a test left
/// connected, e.g. a `serve` child). The sweep catches what a killed run
/// leaves behind.
impl Drop for TestDb {
    fn drop(&mut self) {
        let Ok(bin) = tracetop::pg::cluster::find_bin_dir() else {
            return;
        };
        let drop_sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let child = Command::new(bin.join("psql"))
            .args(["-X", "-q", "-d", &admin_url(), "-c", &drop_sql])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Ok(mut child) = child {
            std::thread::spawn(move || child.wait());
        }
    }
}

fn url_for(admin: &str, db: &str) -> String {
    let (base, _) = admin.rsplit_once('/').expect("admin url has a database");
    format!("{base}/{db}")
}

/// The admin (superuser) URL of the test cluster, starting one if needed.
pub fn admin_url() -> String {
    ADMIN_URL
        .get_or_init(|| {
            if let Ok(url) = std::env::var("TRACETOP_TEST_ADMIN_URL") {
                return url;
            }
            dev_cluster()
        })
        .clone()
}

/// Start (or reuse) a development cluster in `$TMPDIR/tracetop-dev-cluster`.
fn dev_cluster() -> String {
    let bin = tracetop::pg::cluster::find_bin_dir().expect("postgres binaries");
    let dir = std::env::temp_dir().join("tracetop-dev-cluster");
    let data = dir.join("data");
    let port = 25432;
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    let run = |program: &str, args: &[&str]| {
        let path: PathBuf = bin.join(program);
        let mut c = if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        c.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c.status().map(|s| s.success()).unwrap_or(false)
    };
    let data_s = data.display().to_string();
    if !data.join("PG_VERSION").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        if root {
            Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()
                .unwrap();
        }
        assert!(
            run(
                "initdb",
                &[
                    "-D",
                    &data_s,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync"
                ]
            ),
            "initdb of the dev cluster failed"
        );
    }
    if !run("pg_ctl", &["-D", &data_s, "status"]) {
        let opts = format!(
            "-k {} -p {port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c max_connections=300",
            dir.display()
        );
        let log = dir.join("server.log").display().to_string();
        assert!(
            run(
                "pg_ctl",
                &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"]
            ),
            "starting the dev cluster failed, see {log}"
        );
    }
    let socket = dir.display().to_string().replace('/', "%2F");
    format!("postgres://postgres@{socket}:{port}/postgres")
}

/// Which schema a test database has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// tracetop's migrations on an empty database.
    Ours,
    /// A systemprompt-core v0.34.0 deployment's audited tables (integer
    /// token counts, text metadata, text UUID ids, varchar ids, NOT NULL
    /// actor columns, UNIQUE names and emails, foreign keys), plus
    /// `tracetop migrate`.
    Real,
}

impl Shape {
    /// Both shapes, ours first.
    pub const ALL: [Shape; 2] = [Shape::Ours, Shape::Real];

    fn tag(self) -> &'static str {
        match self {
            Shape::Ours => "ours",
            Shape::Real => "real",
        }
    }
}

/// The real deployment's DDL (hand-written from the schema reference).
pub const REAL_SHAPE_DDL: &str = include_str!("../../shapes/systemprompt_v034.sql");

/// Generate a `#[tokio::test]` per shape for each `async fn NAME(shape:
/// Shape)` listed: `NAME::ours` and `NAME::real`.
#[macro_export]
macro_rules! both_shapes {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn ours() {
                    super::$name($crate::support::Shape::Ours).await
                }
                #[tokio::test]
                async fn real() {
                    super::$name($crate::support::Shape::Real).await
                }
            }
        )*
    };
}

fn migrations_hash(shape: Shape) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if shape == Shape::Real {
        REAL_SHAPE_DDL.hash(&mut h);
    }
    let mut entries: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        p.file_name().hash(&mut h);
        std::fs::read(&p).unwrap().hash(&mut h);
    }
    format!("{:x}", h.finish())
}

/// Seconds since the Unix epoch, in each per-test database's name.
fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Per-test databases are dropped when their `TestDb` goes; a killed run
/// leaves its own behind: drop those more than 20 minutes old, so
/// a long-lived development cluster does not fill the disk. Names carry
/// their creation time (`t_SECS_UUID`); names of the older form are swept
/// when nobody is connected to them.
async fn sweep_old_databases(c: &mut sqlx::PgConnection) {
    let old: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database d
          WHERE (datname ~ '^[te]_[0-9]+_[0-9a-f]{32}$'
                 AND split_part(datname, '_', 2)::bigint < extract(epoch FROM now()) - 1200)
             OR (datname ~ '^[te]_[0-9a-f]{32}$'
                 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname))",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap_or_default();
    for name in old {
        // a database still in use stays (the drop fails); nothing else to do
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\""
        )))
        .execute(&mut *c)
        .await;
    }
}

async fn ensure_template(admin: &str, shape: Shape) -> String {
    let name = format!("tracetop_tpl_{}_{}", shape.tag(), migrations_hash(shape));
    let mut c = sqlx::PgConnection::connect(admin)
        .await
        .expect("connect to test cluster");
    // One creator at a time across parallel test processes.
    sqlx::query("SELECT pg_advisory_lock(7215)")
        .execute(&mut c)
        .await
        .unwrap();
    sweep_old_databases(&mut c).await;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut c)
            .await
            .unwrap();
    if !exists {
        let building = format!("{name}_building");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{building}\""
        )))
        .execute(&mut c)
        .await
        .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE \"{building}\""
        )))
        .execute(&mut c)
        .await
        .unwrap();
        let url = url_for(admin, &building);
        if shape == Shape::Real {
            let mut b = sqlx::PgConnection::connect(&url)
                .await
                .expect("connect to the template being built");
            sqlx::raw_sql(REAL_SHAPE_DDL)
                .execute(&mut b)
                .await
                .unwrap_or_else(|e| panic!("real-shape DDL failed: {e}"));
            let _ = b.close().await;
        }
        tracetop::pg::migrate::run(&url)
            .await
            .expect("migrate template");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
        )))
        .execute(&mut c)
        .await
        .unwrap();
    }
    sqlx::query("SELECT pg_advisory_unlock(7215)")
        .execute(&mut c)
        .await
        .unwrap();
    let _ = c.close().await;
    name
}

/// A fresh, migrated, empty database for this test (our shape).
pub async fn fresh_db() -> TestDb {
    fresh_db_shaped(Shape::Ours).await
}

/// A fresh, empty database in the real deployment's shape, migrated by
/// `tracetop migrate`.
pub async fn fresh_real_db() -> TestDb {
    fresh_db_shaped(Shape::Real).await
}

/// A fresh, empty, migrated database of the given shape.
pub async fn fresh_db_shaped(shape: Shape) -> TestDb {
    let admin = admin_url();
    let template = ensure_template(&admin, shape).await;
    let name = format!("t_{}_{}", unix_secs(), uuid::Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to test cluster");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
    )))
    .execute(&mut c)
    .await
    .expect("create test database");
    let _ = c.close().await;
    TestDb {
        url: url_for(&admin, &name),
        name,
    }
}

/// A fresh database with no tables at all (for missing-schema tests).
pub async fn empty_db() -> TestDb {
    let admin = admin_url();
    let name = format!("e_{}_{}", unix_secs(), uuid::Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to test cluster");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut c)
        .await
        .expect("create empty database");
    let _ = c.close().await;
    TestDb {
        url: url_for(&admin, &name),
        name,
    }
}
