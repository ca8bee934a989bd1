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

/// A child process stopped when dropped, so a failing benchmark leaves nothing running: asked
/// with SIGTERM first, because nginx's master stops its workers only then (killed outright, it
/// left them running, one pair per bench run), and killed if it has not exited in 3 s.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let asked = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        for _ in 0..if asked { 60 } else { 0 } {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a bench's `run` on an actix System, then exits 1 if it missed a target (only after
/// `run` returned, so its app and nginx guards have stopped them).
pub fn main_of<F: std::future::Future<Output = bool>>(run: impl FnOnce() -> F) {
    let ok = actix_web::rt::System::new().block_on(run());
    if !ok {
        std::process::exit(1);
    }
}

/// `BENCH_SECONDS`, or `default`.
pub fn seconds_or(default: u64) -> u64 {
    std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The release app for a page bench: data in `dir`, plex.tv faked with one owner account,
/// TMDb and Tautulli unreachable (the rows are stored by the bench), errors-only logs.
pub async fn page_bench_app(dir: &std::path::Path) -> (FakePlex, FakeAccount, Killed, String) {
    let plex = FakePlex::start().expect("fake plex");
    let owner = FakeAccount::new(1, "Owner");
    plex.add_account(owner.clone());
    let (app, base) = start_sagarr(
        free_port(),
        vec![
            ("SAGARR_DATA_DIR", dir.display().to_string()),
            ("PLEX_TV_URL", plex.url.clone()),
            ("TMDB_API_KEY", "unused".into()),
            ("TAUTULLI_URL", "http://127.0.0.1:9".into()),
            ("TAUTULLI_API_KEY", "unused".into()),
            ("SAGARR_LOG", "error".into()),
        ],
    )
    .await;
    (plex, owner, app, base)
}

/// Starts the release `sagarr serve` on `port` with exactly `env` (plus any `MIMALLOC_*` and
/// `MALLOC_*` allocator settings the bench itself was given) and waits until it answers.
pub async fn start_sagarr(port: u16, env: Vec<(&'static str, String)>) -> (Killed, String) {
    let allocator_settings = std::env::vars()
        .filter(|(name, _)| name.starts_with("MIMALLOC_") || name.starts_with("MALLOC_"));
    let app = Killed(
        Command::new(env!("CARGO_BIN_EXE_sagarr"))
            .arg("serve")
            .env_clear()
            .env("SAGARR_BIND", format!("127.0.0.1:{port}"))
            .envs(allocator_settings)
            .envs(env)
            .stdout(Stdio::null())
            .spawn()
            .expect("sagarr starts"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = awc::Client::default();
    for _ in 0..400 {
        if http.get(format!("{base}/api/health")).send().await.is_ok() {
            return (app, base);
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("sagarr did not answer on {base} within 10 s");
}

/// The benches' own client: no redirects followed (sign-in reads them), a 10 s timeout.
/// Make a new one after a wrk run: wrk blocks this thread, and the old client's pooled
/// connections are dead by then (awc answers Connect(Disconnected)).
pub fn http_client() -> awc::Client {
    awc::Client::builder()
        .disable_redirects()
        .timeout(Duration::from_secs(10))
        .finish()
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

/// The fake catalogue's full dashboard (6 rows of 8 cards on each tab) stored for `user_id`.
pub fn store_full_dashboard(pool: &sagarr::db::DbPool, user_id: i32) {
    let tabs = sagarr::fakes::catalog::full_dashboard_tabs().expect("json");
    let mut conn = pool.get().expect("connection");
    sagarr::db::recommendations::replace(&mut conn, user_id, &tabs, sagarr::db::now())
        .expect("rows");
}

/// Signs in `count` more viewers (plex ids from `first_plex_id`), each from his own address.
/// Tautulli is down in the benches, so only admins get in: each account is made an admin
/// before it signs in. Returns their session cookies and user ids.
pub async fn sign_in_viewers(
    http: &awc::Client,
    base: &str,
    plex: &FakePlex,
    pool: &sagarr::db::DbPool,
    first_plex_id: i64,
    count: i64,
) -> Vec<(String, i32)> {
    use sagarr::db::users;
    let mut viewers = Vec::new();
    for n in 0..count {
        let account = FakeAccount::new(first_plex_id + n, &format!("viewer{}", first_plex_id + n));
        plex.add_account(account.clone());
        let signed = users::SignedInAccount {
            plex_id: account.id,
            username: account.username.clone(),
            email: None,
            avatar_url: None,
            plex_token: account.token.clone().into(),
        };
        let user_id = {
            let mut conn = pool.get().expect("connection");
            let user = users::record_sign_in(&mut conn, &signed, sagarr::db::now()).expect("user");
            users::set_role(&mut conn, user.id, sagarr::domain::Role::Admin).expect("role");
            user.id
        };
        let from = Some(format!("10.{}.{}.1", n / 250, n % 250));
        viewers.push((sign_in(http, base, plex, &account, from).await, user_id));
    }
    viewers
}

/// nginx serving the files in `www` (under the bench's temporary `dir`) on a free port, as the
/// static-file yardstick; killed when dropped.
pub async fn start_nginx(dir: &std::path::Path, www: &std::path::Path) -> (Killed, u16) {
    let port = free_port();
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "daemon off; worker_processes auto; pid {0}/nginx.pid; error_log {0}/nginx.err;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ access_log off; server {{ listen 127.0.0.1:{port}; root {1}; }} }}\n",
            dir.display(),
            www.display()
        ),
    )
    .expect("nginx.conf");
    let nginx = Killed(
        Command::new("nginx")
            .arg("-c")
            .arg(&conf)
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (apt-get install nginx-light)"),
    );
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    (nginx, port)
}

/// Writes a wrk script into `dir` that asks for the three tabs' static pages
/// (`movies.html`, `tv.html`, `documentaries.html`) at random; returns its path.
pub fn tabs_at_random(dir: &std::path::Path) -> std::path::PathBuf {
    let script = dir.join("tabs.lua");
    std::fs::write(
        &script,
        r#"local tabs = { "movies", "tv", "documentaries" }
request = function()
  return wrk.format("GET", "/" .. tabs[math.random(#tabs)] .. ".html")
end
"#,
    )
    .expect("lua script");
    script
}

/// Samples a process's resident memory every 100 ms while `work` runs; returns the peak, KiB.
pub fn peak_rss_during<T>(pid: u32, work: impl FnOnce() -> T) -> (T, u64) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let result = work();
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    (result, peak.load(Ordering::Relaxed))
}

/// One target line: what was measured, the goal, and PASS or MISS.
pub fn target(name: &str, measured: String, goal: &str, met: bool) -> bool {
    println!(
        "  {:<4} {name}: {measured} (target {goal})",
        if met { "PASS" } else { "MISS" }
    );
    met
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

impl Wrk {
    /// The figures of equal-length runs taken as one: the mean of their requests a second (so
    /// their total over their time) and of their p99s, and all their errors.
    pub fn of_turns(turns: &[Wrk]) -> Wrk {
        let n = turns.len().max(1) as f64;
        Wrk {
            rps: turns.iter().map(|t| t.rps).sum::<f64>() / n,
            p99_ms: turns.iter().map(|t| t.p99_ms).sum::<f64>() / n,
            errors: turns.iter().map(|t| t.errors).sum(),
        }
    }
}

/// How long one turn of [`in_turns`] lasts, in seconds.
pub const TURN: u64 = 2;

/// The app and its yardstick (nginx serving the same bytes) measured in turns of [`TURN`]
/// seconds, about `seconds` of each: pairs of equal turns whose order alternates (yardstick
/// then app, app then yardstick, ...), each side's figures the mean of its turns
/// ([`Wrk::of_turns`]). Why (docs/performance.md "The yardstick measured against itself"):
/// this shared machine's speed moves by up to a quarter within tens of seconds, so nginx
/// measured against itself as the benches did before (half a run before the app's, half after)
/// scored 0.83-1.04 x, about 3 % against the measured side; in turns this short 0.93-1.07 x in
/// a quiet hour (`cargo bench --bench yardstick` measures both). Returns (yardstick, app).
pub fn in_turns(
    seconds: u64,
    mut yardstick: impl FnMut(u64) -> Wrk,
    mut app: impl FnMut(u64) -> Wrk,
) -> (Wrk, Wrk) {
    let length = seconds.clamp(1, TURN);
    let (mut theirs, mut ours) = (Vec::new(), Vec::new());
    for pair in 0..(seconds / length).max(1) {
        if pair % 2 == 0 {
            theirs.push(yardstick(length));
            ours.push(app(length));
        } else {
            ours.push(app(length));
            theirs.push(yardstick(length));
        }
    }
    (Wrk::of_turns(&theirs), Wrk::of_turns(&ours))
}

/// What [`app_in_turns`] measured: the yardstick, the app, the app's CPU time a request over
/// its turns (µs), and its peak resident memory over the whole (KiB).
pub struct SideBySide {
    pub yardstick: Wrk,
    pub app: Wrk,
    pub cpu_us: f64,
    pub peak_kib: u64,
}

/// [`in_turns`] with the app's CPU time a request (counted in its turns only) and its peak
/// resident memory.
pub fn app_in_turns(
    pid: u32,
    seconds: u64,
    yardstick: impl FnMut(u64) -> Wrk,
    mut app: impl FnMut(u64) -> Wrk,
) -> SideBySide {
    let (mut cpu, mut requests) = (0.0, 0.0);
    let ((theirs, ours), peak_kib) = peak_rss_during(pid, || {
        in_turns(seconds, yardstick, |length| {
            let before = cpu_seconds(pid);
            let run = app(length);
            cpu += cpu_seconds(pid) - before;
            requests += run.rps * length as f64;
            run
        })
    });
    SideBySide {
        yardstick: theirs,
        app: ours,
        cpu_us: cpu * 1e6 / requests.max(1.0),
        peak_kib,
    }
}

/// The CPU time (user and system) process `pid` has used so far, in seconds (Linux counts it
/// in ticks of 1/100 s).
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command's closing parenthesis start at the third; utime and
    // stime are the 14th and 15th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// wrk on the app at `url` (`extra` its arguments) for `seconds`, with the app's CPU time a
/// request and its peak resident memory meanwhile.
pub fn app_run(pid: u32, url: &str, extra: &[String], seconds: u64) -> ((Wrk, f64), u64) {
    peak_rss_during(pid, || {
        cpu_per_request(pid, seconds, || wrk(url, extra, seconds))
    })
}

/// Runs `work` (a wrk run of `seconds`) and returns it with the CPU time process `pid` spent
/// per request meanwhile, in µs: a figure that does not move with the yardstick's run.
pub fn cpu_per_request(pid: u32, seconds: u64, work: impl FnOnce() -> Wrk) -> (Wrk, f64) {
    let before = cpu_seconds(pid);
    let result = work();
    let spent = cpu_seconds(pid) - before;
    let requests = (result.rps * seconds as f64).max(1.0);
    (result, spent * 1e6 / requests)
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
