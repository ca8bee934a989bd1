//! Helpers shared by the benchmarks: processes, ports, memory, wrk.

#![allow(dead_code)] // each benchmark uses its own subset

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sagarr::fakes::plex::{FakeAccount, FakePlex};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A child process killed when dropped, so a failing benchmark leaves nothing running.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the release `sagarr serve` on `port` with exactly `env` and waits until it answers.
pub async fn start_sagarr(port: u16, env: Vec<(&'static str, String)>) -> (Killed, String) {
    let app = Killed(
        Command::new(env!("CARGO_BIN_EXE_sagarr"))
            .arg("serve")
            .env_clear()
            .env("SAGARR_BIND", format!("127.0.0.1:{port}"))
            .envs(env)
            .stdout(Stdio::null())
            .spawn()
            .expect("sagarr starts"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = awc::Client::default();
    for _ in 0..200 {
        if http.get(format!("{base}/api/health")).send().await.is_ok() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    (app, base)
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

/// Signs `account` in as a browser would (PIN, confirmation on fake plex.tv, callback),
/// optionally from its own client address; returns the session cookie.
pub async fn sign_in(
    http: &awc::Client,
    base: &str,
    plex: &FakePlex,
    account: &FakeAccount,
    from: Option<String>,
) -> String {
    let mut start = http.get(format!("{base}/auth/plex"));
    if let Some(address) = from {
        start = start.insert_header(("X-Forwarded-For", address));
    }
    let started = start.send().await.expect("sign-in starts");
    let pending = session_cookie_of(&started).expect("pending sign-in cookie");
    plex.authorize_latest_pin(account);
    let done = http
        .get(format!("{base}/auth/plex/callback"))
        .insert_header(("Cookie", pending))
        .send()
        .await
        .expect("callback");
    session_cookie_of(&done).expect("session cookie")
}

/// Resident memory of a process, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

pub struct Wrk {
    pub rps: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

/// Runs `wrk -t2 -c64 --latency` for `seconds` with `extra` arguments, and reads its report.
pub fn wrk(url: &str, extra: &[String], seconds: u64) -> Wrk {
    let out = Command::new("wrk")
        .args(["-t2", "-c64", &format!("-d{seconds}s"), "--latency"])
        .args(extra)
        .arg(url)
        .output()
        .expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout);
    let number = |line: &str| line.split_whitespace().nth(1).unwrap_or("0").to_owned();
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .map_or(0.0, |l| number(l).parse().unwrap_or(0.0));
    let p99 = text
        .lines()
        .find(|l| l.trim_start().starts_with("99%"))
        .map(|l| number(l.trim_start()))
        .unwrap_or_default();
    let p99_ms = if let Some(us) = p99.strip_suffix("us") {
        us.parse::<f64>().unwrap_or(f64::MAX) / 1000.0
    } else if let Some(ms) = p99.strip_suffix("ms") {
        ms.parse().unwrap_or(f64::MAX)
    } else if let Some(s) = p99.strip_suffix('s') {
        s.parse::<f64>().unwrap_or(f64::MAX) * 1000.0
    } else {
        f64::MAX
    };
    let errors = text
        .lines()
        .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum();
    Wrk {
        rps,
        p99_ms,
        errors,
    }
}
