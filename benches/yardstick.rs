//! The yardstick measured against itself: nginx serves three 105 KB pages, asked at random, and
//! is measured against itself the way the other benches measure the app against it
//! (`common::in_turns`: 2 s turns, alternating), or the way they did before
//! (`BENCH_PATTERN=halves`: half a run of nginx, a whole run, half a run). Both sides are the
//! same server, so whatever the ratio moves by is the machine's: the error of every "x nginx"
//! figure the other benches print (docs/performance.md "The yardstick measured against itself").
//! Target: each of five runs within 0.9-1.1 x, printed PASS or MISS; any MISS exits 1.
//! Run: `cargo bench --bench yardstick` (needs wrk and nginx; BENCH_SECONDS sets each run's
//! length, default 10).

mod common;

use common::{Wrk, in_turns, start_nginx, target, wrk};

const RUNS: usize = 5;
/// The pages `common::tabs_at_random` asks for.
const PAGES: [&str; 3] = ["movies", "tv", "documentaries"];

fn main() {
    common::main_of(run);
}

async fn run() -> bool {
    let seconds = common::seconds_or(10);
    let halves = std::env::var("BENCH_PATTERN").is_ok_and(|p| p == "halves");
    let dir = tempfile::tempdir().expect("temp dir");
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).expect("www");
    for (n, page) in PAGES.iter().enumerate() {
        // About a dashboard's weight, each page its own bytes.
        let html: String = (0..1_000)
            .map(|i| {
                format!("<article class=\"card\" id=\"{page}-{n}-{i:04}\">{i:090}</article>\n")
            })
            .collect();
        std::fs::write(www.join(format!("{page}.html")), html).expect("page");
    }
    let (_nginx, port) = start_nginx(dir.path(), &www).await;
    let script = common::tabs_at_random(dir.path());
    let nginx = |s: u64| {
        wrk(
            &format!("http://127.0.0.1:{port}/"),
            &["-s".to_owned(), script.display().to_string()],
            s,
        )
    };

    println!(
        "nginx against itself, wrk -t2 -c64, {seconds} s a side a run, {}",
        if halves {
            "half a run before and half after (the benches' pattern before 2026-12-07)"
        } else {
            "in turns of 2 s, alternating (common::in_turns)"
        }
    );
    let mut ok = true;
    let mut ratios = Vec::new();
    for run in 1..=RUNS {
        let (yardstick, measured) = if halves {
            let before = nginx((seconds / 2).max(1));
            let measured = nginx(seconds);
            let after = nginx((seconds / 2).max(1));
            (Wrk::of_turns(&[before, after]), measured)
        } else {
            in_turns(seconds, nginx, nginx)
        };
        let ratio = measured.rps / yardstick.rps;
        ratios.push(ratio);
        println!(
            "run {run}: yardstick {:>7.0} req/s p99 {:>5.2} ms | measured {:>7.0} req/s p99 \
             {:>5.2} ms ({ratio:.2} x)",
            yardstick.rps, yardstick.p99_ms, measured.rps, measured.p99_ms
        );
        ok &= target(
            "the same server against itself",
            format!("{ratio:.2} x"),
            "0.9-1.1 x",
            (0.9..=1.1).contains(&ratio),
        );
    }
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    println!("mean {mean:.3} x over {RUNS} runs");
    println!("{}", if ok { "PASS" } else { "FAIL" });
    ok
}
