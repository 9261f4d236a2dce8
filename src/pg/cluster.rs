//! A throwaway Postgres cluster: `initdb` into a temp dir, listen only on a
//! unix socket inside it, remove everything on drop.
//!
//! Used by the test harness (one cluster per test binary, one database per
//! test) and by `tracetop demo --postgres`. As root, `initdb` and the server
//! run as the `postgres` user (initdb refuses root).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A running private cluster; stopped and deleted on drop.
#[derive(Debug)]
pub struct TempCluster {
    dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<String>,
    port: u16,
    stopped: bool,
}

/// Find the Postgres server binaries (`TRACETOP_PG_BINDIR`, `pg_config
/// --bindir`, then the newest `/usr/lib/postgresql/*/bin`).
pub fn find_bin_dir() -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("TRACETOP_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        if dir.join("initdb").exists() && dir.join("pg_ctl").exists() {
            return Ok(dir);
        }
        return Err(Error::other(format!(
            "no Postgres server binaries (initdb, pg_ctl) in TRACETOP_PG_BINDIR={}: \
             install postgresql (apt-get install -y postgresql) or fix TRACETOP_PG_BINDIR",
            dir.display()
        )));
    }
    let mut candidates = Vec::new();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    }
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        versions.reverse();
        candidates.extend(versions);
    }
    candidates
        .into_iter()
        .find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
        .ok_or_else(|| {
            Error::other(
                "Postgres server binaries (initdb, pg_ctl) not found: install postgresql \
                 (apt-get install -y postgresql) or set TRACETOP_PG_BINDIR",
            )
        })
}

fn is_root() -> bool {
    // SAFETY-free check: /proc/self/status Uid line, avoiding a libc dependency.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

impl TempCluster {
    /// Create and start a cluster under a fresh directory in the system temp
    /// dir. Takes about a second.
    pub fn start() -> Result<TempCluster> {
        let bin_dir = find_bin_dir()?;
        let base = std::env::temp_dir().join(format!(
            "tracetop-pg-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&base).map_err(|e| {
            Error::io(format!("cannot create {}: {e}", base.display())).caused_by(e)
        })?;
        let run_as = if is_root() {
            Some("postgres".to_string())
        } else {
            None
        };
        if let Some(user) = &run_as {
            let status = Command::new("chown")
                .args(["-R", user])
                .arg(&base)
                .status()
                .map_err(|e| Error::io(format!("chown {}: {e}", base.display())).caused_by(e))?;
            if !status.success() {
                return Err(Error::io(format!(
                    "chown {} to {user} failed",
                    base.display()
                )));
            }
        }
        // A port number is still used to name the socket file; pick one from
        // the pid so parallel clusters in separate dirs never clash anyway.
        let port = 20000 + (std::process::id() % 20000) as u16;
        let mut cluster = TempCluster {
            dir: base,
            bin_dir,
            run_as,
            port,
            stopped: true,
        };
        cluster.init_and_start()?;
        cluster.stopped = false;
        Ok(cluster)
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn run_quiet(&self, mut cmd: Command, what: &str) -> Result<()> {
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::other(format!("{what}: {e}")).caused_by(e))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::other(format!(
                "{what} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The cluster's directory (data, unix socket, server log); removed on
    /// drop.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory holding the unix socket.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    fn init_and_start(&mut self) -> Result<()> {
        let mut initdb = self.command("initdb");
        initdb.arg("-D").arg(self.data_dir()).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        self.run_quiet(initdb, "initdb")?;
        self.launch()
    }

    fn launch(&self) -> Result<()> {
        let options = format!(
            "-k {} -p {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB",
            self.dir.display(),
            self.port
        );
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data_dir())
            .args(["-o", &options, "-l"])
            .arg(self.dir.join("server.log"))
            .args(["-w", "-t", "30", "start"]);
        self.run_quiet(pg_ctl, "pg_ctl start")
    }

    /// Stop the server (fast shutdown), keeping the data: for restart tests.
    pub fn stop_server(&self) -> Result<()> {
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "fast", "-w", "stop"]);
        self.run_quiet(pg_ctl, "pg_ctl stop")
    }

    /// Start the server again after [`Self::stop_server`].
    pub fn restart_server(&self) -> Result<()> {
        self.launch()
    }

    /// Connection URL for `database` as the superuser `postgres`.
    pub fn url(&self, database: &str) -> String {
        let socket = self.dir.display().to_string().replace('/', "%2F");
        format!("postgres://postgres@{socket}:{}/{database}", self.port)
    }

    /// Create a database, optionally as a copy of `template`.
    pub async fn create_database(&self, name: &str, template: Option<&str>) -> Result<String> {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .map_err(|e| {
                Error::database(format!("cannot reach the temp cluster: {e}")).caused_by(e)
            })?;
        let sql = match template {
            Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
            .map_err(|e| Error::database(format!("create database {name}: {e}")).caused_by(e))?;
        let _ = admin.close().await;
        Ok(self.url(name))
    }

    /// Wait until the server accepts connections (after a restart).
    pub async fn wait_ready(&self, timeout: Duration) -> Result<()> {
        use sqlx::Connection;
        let deadline = Instant::now() + timeout;
        loop {
            match sqlx::PgConnection::connect(&self.url("postgres")).await {
                Ok(c) => {
                    let _ = c.close().await;
                    return Ok(());
                }
                Err(e) if Instant::now() > deadline => {
                    return Err(
                        Error::database(format!("temp cluster not ready: {e}")).caused_by(e)
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        if !self.stopped {
            let mut pg_ctl = self.command("pg_ctl");
            pg_ctl
                .arg("-D")
                .arg(self.data_dir())
                .args(["-m", "immediate", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let _ = pg_ctl.status();
            self.stopped = true;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
