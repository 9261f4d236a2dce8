//! A real `tracetop serve` on a free 127.0.0.1 port, for the tests that
//! talk to it over HTTP; killed when dropped, so a failing test leaves no
//! server behind. It can be stopped and restarted on the same port (the
//! resume tests), and its stderr kept in a file (the tests that read its
//! log).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running (or stopped, until restarted) `tracetop serve`.
pub struct ServeProcess {
    child: Option<Child>,
    pub port: u16,
    db_url: String,
    tokens: PathBuf,
    args: Vec<String>,
    stderr_file: Option<PathBuf>,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl ServeProcess {
    /// Start `serve` on `db_url` with `tokens` (and `extra` flags), and
    /// wait until it listens.
    pub async fn start(db_url: &str, tokens: &Path, extra: &[&str]) -> ServeProcess {
        let server = ServeProcess::spawn(db_url, tokens, extra, None);
        server.wait_ready().await;
        server
    }

    /// Start `serve` without waiting for it (see [`Self::wait_ready`]);
    /// with `stderr_file`, its stderr goes there ([`Self::stderr`]).
    pub fn spawn(
        db_url: &str,
        tokens: &Path,
        extra: &[&str],
        stderr_file: Option<&Path>,
    ) -> ServeProcess {
        let mut server = ServeProcess {
            child: None,
            port: free_port(),
            db_url: db_url.to_string(),
            tokens: tokens.to_path_buf(),
            args: extra.iter().map(|a| a.to_string()).collect(),
            stderr_file: stderr_file.map(Path::to_path_buf),
        };
        server.launch();
        server
    }

    fn launch(&mut self) {
        let stderr = match &self.stderr_file {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("serve's stderr file")),
            None => Stdio::null(),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_tracetop"))
            .args(["serve", "--database-url", &self.db_url, "--listen"])
            .arg(self.addr())
            .arg("--token-file")
            .arg(&self.tokens)
            .args(&self.args)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start tracetop serve");
        self.child = Some(child);
    }

    /// Wait until it listens: its log says so when it is kept (no probe
    /// connection then), else a TCP connect succeeds.
    pub async fn wait_ready(&self) {
        for _ in 0..400 {
            let ready = match &self.stderr_file {
                Some(_) => self.stderr().contains("listening on"),
                None => tokio::net::TcpStream::connect(self.addr()).await.is_ok(),
            };
            if ready {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "tracetop serve did not start listening on {}: {}",
            self.addr(),
            self.stderr()
        );
    }

    /// Stop it (a kill, as a crash or a restart would).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stop it and start it again on the same port, with the same flags
    /// (not waiting: see [`Self::wait_ready`]).
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    /// What it wrote on stderr so far (empty unless kept in a file).
    pub fn stderr(&self) -> String {
        self.stderr_file
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default()
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The live stream's URL (window queries share its base).
    pub fn stream_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/stream", self.port)
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
