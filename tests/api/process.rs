//! The real `sagarr` binary as a child process: started on a chosen port, awaited until
//! `/api/health` answers, killed (SIGKILL) when dropped so no test leaves a server behind. Its
//! `TMPDIR` is a directory of its own, removed with it: a killed `sagarr demo` cannot throw its
//! data away itself.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use awc::http::StatusCode;

pub struct RunningBinary {
    pub child: Child,
    pub base: String,
    /// The binary's `TMPDIR`; dropped after the binary is.
    pub temp: tempfile::TempDir,
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Runs `sagarr <subcommand>` with exactly `env` (plus the bind address) and waits until it
/// serves; returns even if it never does, so the test's own assertions name the failure.
pub async fn start_binary(
    subcommand: &str,
    port: u16,
    env: Vec<(&'static str, String)>,
) -> RunningBinary {
    let temp = tempfile::tempdir().expect("a temp dir");
    let child = Command::new(env!("CARGO_BIN_EXE_sagarr"))
        .arg(subcommand)
        .env_clear()
        .env("TMPDIR", temp.path())
        .envs(env)
        .env("SAGARR_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .expect("sagarr starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = awc::Client::default();
    for _ in 0..200 {
        if http
            .get(format!("{base}/api/health"))
            .send()
            .await
            .is_ok_and(|r| r.status() == StatusCode::OK)
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    RunningBinary { child, base, temp }
}

/// The `sagarr_session=…` pair a response sets, ready to send back as a Cookie header.
pub fn session_cookie_of<S>(res: &awc::ClientResponse<S>) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix("sagarr_session=")
                .map(|rest| format!("sagarr_session={}", rest.split(';').next().unwrap_or("")))
        })
}
