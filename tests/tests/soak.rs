//! Soak test: a working day's traffic at ten times a busy team's rate,
//! through the real `kefu` binary, reporting lost messages and memory.
//!
//! Not run by `cargo test`; run it with
//! `cargo test -p kefu-tests --test soak -- --ignored --nocapture`.
//! `KEFU_SOAK_MINUTES` sets the length (10 by default) and
//! `KEFU_SOAK_FACTOR` the multiple of a busy team's traffic (10 by
//! default).
//!
//! A busy team is taken to be 20 agents receiving 3,000 messages in an
//! 8-hour day: 1,800 chats, 900 mails and 300 calls. Ten times that is
//! 30,000 a day, about 1.04 messages a second. Chats go to `kefu serve` as
//! Chatwoot webhooks, mails into a drop folder that `kefu watch` reads, and
//! calls arrive as an Asterisk Master.csv imported with `kefu ingest` every
//! [`CDR_INTERVAL`]. All three share one database, with the built-in rule
//! plugin and the example rules, SLA and routing of docs/examples on.
//!
//! Alerts are on. The desktop app runs on the same database under Xvfb,
//! with its own D-Bus session bus, the dunst notification server and an
//! ALSA device that writes to a file. Its alerts.toml sends every tier to
//! the desktop and the sound device. `KEFU_SOAK_ALERTS=0` leaves the app
//! out; so does a machine without Xvfb, dbus-daemon or dunst, unless
//! KEFU_REQUIRE_SERVERS=1.
//!
//! At the end every chat with a 2xx response, every mail moved to `done/`
//! and every imported call must be stored exactly once, and the app must
//! still run. The report gives the alerts raised per tier, the desktop
//! notifications sent and the sound written. For `kefu serve`, `kefu
//! watch` and the app it gives the peak resident memory (VmHWM from /proc)
//! and whether resident memory grew from the second to the last quarter.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kefu_tests::desktop::{self, Desktop};
use kefu_tests::traffic::{self, Contents, Kefu, KefuHome};

/// Messages a busy team receives in an 8-hour day, per channel.
const BUSY_DAY_CHATS: f64 = 1800.0;
const BUSY_DAY_MAILS: f64 = 900.0;
const BUSY_DAY_CALLS: f64 = 300.0;
const WORKING_DAY_SECONDS: f64 = 8.0 * 3600.0;

/// Time between two `kefu ingest` runs of the calls received meanwhile,
/// as a phone system's export job would write them.
const CDR_INTERVAL: Duration = Duration::from_secs(30);

/// Time between two memory samples.
const SAMPLE_INTERVAL: Duration = Duration::from_secs(2);

/// Maximum wait, after the traffic stops, for `kefu watch` to take the
/// last files.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(120);

/// Example configuration that turns the declarative rules, SLA and
/// routing on.
const EXAMPLE_CONFIG: &[&str] = &["rules.toml", "sla.toml", "routing.toml"];

/// The app's alerts.toml. Every tier shows a desktop notification and
/// plays the sound, so the run exercises both outputs. Alerts of a tier
/// within 10 s are grouped, as by default.
const ALERTS_TOML: &str = "group-window-seconds = 10\n\
    [ordinary]\ndesktop = true\nsound = true\n\
    [reminder]\nsound = true\n\
    [sla-warning]\nsound = true\n";

/// Maximum wait for the app to open and start its alerts.
const APP_START_TIMEOUT: Duration = Duration::from_secs(180);

fn env_number(name: &str, default: f64) -> f64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
        Err(_) => default,
    }
}

/// Resident memory samples of one process, in KiB.
#[derive(Debug, Default)]
struct MemoryTrace {
    peak_kib: u64,
    samples_kib: Vec<u64>,
}

impl MemoryTrace {
    fn record(&mut self, pid: u32) {
        if let Some((peak, current)) = traffic::memory_kib(pid) {
            self.peak_kib = self.peak_kib.max(peak);
            self.samples_kib.push(current);
        }
    }

    /// Mean resident memory of the second and of the last quarter of the
    /// samples. The first quarter is left out as warm-up: plugin
    /// compilation and SQLite's page cache filling.
    fn quarters_kib(&self) -> (u64, u64) {
        let quarter = (self.samples_kib.len() / 4).max(1);
        let mean = |samples: &[u64]| {
            if samples.is_empty() {
                0
            } else {
                samples.iter().sum::<u64>() / samples.len() as u64
            }
        };
        let second = &self.samples_kib
            [quarter.min(self.samples_kib.len())..(2 * quarter).min(self.samples_kib.len())];
        let last = &self.samples_kib[self.samples_kib.len().saturating_sub(quarter)..];
        (mean(second), mean(last))
    }

    /// True when the last quarter's mean is more than 10% and 4 MiB above
    /// the second quarter's.
    fn grew(&self) -> bool {
        let (second, last) = self.quarters_kib();
        last > second + second / 10 && last > second + 4096
    }

    fn describe(&self, name: &str) -> String {
        let (second, last) = self.quarters_kib();
        format!(
            "{name}: peak RSS {:.1} MiB; mean RSS {:.1} MiB in the second quarter, \
             {:.1} MiB in the last; grew: {}",
            self.peak_kib as f64 / 1024.0,
            second as f64 / 1024.0,
            last as f64 / 1024.0,
            if self.grew() { "yes" } else { "no" }
        )
    }
}

#[test]
#[ignore = "runs for minutes; see the module documentation"]
fn soak_day_at_ten_times_busy_traffic() {
    let minutes = env_number("KEFU_SOAK_MINUTES", 10.0);
    let factor = env_number("KEFU_SOAK_FACTOR", 10.0);
    let duration = Duration::from_secs_f64(minutes * 60.0);
    let per_second = |busy_day: f64| busy_day * factor / WORKING_DAY_SECONDS;
    let chat_rate = per_second(BUSY_DAY_CHATS);
    let mail_rate = per_second(BUSY_DAY_MAILS);
    let call_rate = per_second(BUSY_DAY_CALLS);
    println!(
        "soak: {minutes} min at {factor}x a busy team: {chat_rate:.3} chats/s, \
         {mail_rate:.3} mails/s, {call_rate:.3} calls/s"
    );

    let binary = traffic::kefu_binary();
    let folder = tempfile::tempdir().expect("creating a temporary folder");
    let root = folder.path();
    let home = KefuHome::new(&binary.path, root);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    for name in EXAMPLE_CONFIG {
        std::fs::copy(examples.join(name), home.config.join(name))
            .unwrap_or_else(|error| panic!("copying docs/examples/{name}: {error}"));
    }
    let port = traffic::free_port();
    home.write_webhook_config(port);
    let address: SocketAddr = ([127, 0, 0, 1], port).into();
    let drop = root.join("drop");
    let calls_folder = root.join("calls");
    std::fs::create_dir_all(&drop).expect("creating the drop folder");
    std::fs::create_dir_all(&calls_folder).expect("creating the calls folder");
    let log = root.join("kefu.log");

    // The largest counts the run can need, generated up front so producing
    // them costs nothing during the run.
    let seconds = duration.as_secs_f64();
    let chats = traffic::chats(7_000_000, (chat_rate * seconds * 1.5) as usize + 10);
    let mails = traffic::mails("soak", (mail_rate * seconds * 1.5) as usize + 10);

    let desktop = alerts_enabled().then(Desktop::start);
    let app_log = root.join("app.log");
    let app = desktop
        .as_ref()
        .map(|desktop| start_app(&home, desktop, &app_log));
    let app_pid = app.as_ref().map(|app| app.child.id());

    let mut serve = home.start(&["serve"], &log);
    serve.wait_for_line("Listening on");
    let watch = home.start(&["watch", drop.to_str().expect("UTF-8 path")], &log);
    let serve_pid = serve.child.id();
    let watch_pid = watch.child.id();

    let started = Instant::now();
    let stop = AtomicBool::new(false);
    let chat_results: Mutex<Vec<(usize, Result<u16, String>)>> = Mutex::new(Vec::new());
    let mails_dropped = Mutex::new(0usize);
    let call_ids: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let serve_memory = Arc::new(Mutex::new(MemoryTrace::default()));
    let watch_memory = Arc::new(Mutex::new(MemoryTrace::default()));
    let app_memory = Arc::new(Mutex::new(MemoryTrace::default()));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            paced(started, duration, chat_rate, |index| {
                let Some(chat) = chats.get(index) else {
                    return;
                };
                let result = traffic::post_json(address, "/chat", &chat.bytes)
                    .map_err(|error| error.to_string());
                chat_results.lock().unwrap().push((index, result));
            });
        });
        scope.spawn(|| {
            paced(started, duration, mail_rate, |index| {
                if let Some(mail) = mails.get(index) {
                    traffic::drop_into(&drop, mail);
                    *mails_dropped.lock().unwrap() += 1;
                }
            });
        });
        scope.spawn(|| {
            let mut batch = 0u64;
            let mut imported = 0usize;
            while started.elapsed() < duration {
                std::thread::sleep(CDR_INTERVAL.min(duration.saturating_sub(started.elapsed())));
                let due = (call_rate * started.elapsed().as_secs_f64()) as usize;
                if due <= imported {
                    continue;
                }
                batch += 1;
                let (file, ids) = traffic::call_records(
                    &format!("Master-{batch}.csv"),
                    1_900_000_000 + batch * 100_000,
                    due - imported,
                );
                let path = calls_folder.join(&file.name);
                std::fs::write(&path, &file.bytes).expect("writing a call record file");
                home.run(&["ingest", path.to_str().expect("UTF-8 path")], &log);
                imported = due;
                call_ids.lock().unwrap().extend(ids);
            }
        });
        scope.spawn(|| {
            while !stop.load(Ordering::SeqCst) {
                serve_memory.lock().unwrap().record(serve_pid);
                watch_memory.lock().unwrap().record(watch_pid);
                if let Some(pid) = app_pid {
                    app_memory.lock().unwrap().record(pid);
                }
                std::thread::sleep(SAMPLE_INTERVAL);
            }
        });
        std::thread::sleep(duration);
        // The producers stop on their own at `duration`; the sampler runs
        // on while the watch takes the last files.
        let dropped = *mails_dropped.lock().unwrap();
        let drained = wait_for_drain(&drop, dropped, &mails, Instant::now() + DRAIN_TIMEOUT);
        stop.store(true, Ordering::SeqCst);
        assert!(
            drained,
            "kefu watch left files in the drop folder {DRAIN_TIMEOUT:?} after the traffic \
             stopped; see {}",
            log.display()
        );
    });
    let elapsed = started.elapsed();
    serve.kill();
    let watch_status = watch.terminate();
    let alerts = app.map(|app| {
        let desktop = desktop
            .as_ref()
            .expect("the app runs on the soak's desktop");
        AlertReport::finish(app, desktop, &app_log)
    });

    let contents = Contents::read(&home.db);
    let chat_results = chat_results.into_inner().unwrap();
    let mails_dropped = mails_dropped.into_inner().unwrap();
    let call_ids = call_ids.into_inner().unwrap();
    let failed_requests: Vec<&(usize, Result<u16, String>)> = chat_results
        .iter()
        .filter(|(_, result)| !matches!(result, Ok(200..=299)))
        .collect();
    let lost_chats = chat_results
        .iter()
        .filter(|(index, result)| {
            matches!(result, Ok(200..=299)) && contents.count(&chats[*index].marker) != 1
        })
        .count();
    let lost_mails = mails[..mails_dropped]
        .iter()
        .filter(|mail| contents.count(&mail.marker) != 1)
        .count();
    let call_counts = call_counts(&contents);
    let lost_calls = call_ids
        .iter()
        .filter(|id| call_counts.get(id.as_str()).copied().unwrap_or(0) != 1)
        .count();
    let duplicates = contents.duplicates();
    let serve_memory = serve_memory.lock().unwrap();
    let watch_memory = watch_memory.lock().unwrap();
    let app_memory = app_memory.lock().unwrap();

    println!(
        "soak: {elapsed:.0?}: {} chats posted ({} failed requests), {mails_dropped} mails \
         dropped, {} calls imported",
        chat_results.len(),
        failed_requests.len(),
        call_ids.len()
    );
    println!(
        "soak: lost {} (chats {lost_chats}, mails {lost_mails}, calls {lost_calls}); \
         duplicated {}; integrity_check {}",
        lost_chats + lost_mails + lost_calls,
        duplicates.len(),
        contents.integrity
    );
    println!("soak: {}", serve_memory.describe("kefu serve"));
    println!("soak: {}", watch_memory.describe("kefu watch"));
    match &alerts {
        Some(alerts) => {
            println!("soak: {}", alerts.describe());
            println!("soak: {}", app_memory.describe("kefu app"));
        }
        None => println!("soak: alerts off, the desktop app did not run"),
    }

    assert_eq!(contents.integrity, "ok", "PRAGMA integrity_check");
    assert!(
        failed_requests.is_empty(),
        "{} webhook requests failed, first: {:?}",
        failed_requests.len(),
        failed_requests.first()
    );
    assert_eq!(lost_chats, 0, "chats answered 2xx but not stored once");
    assert_eq!(lost_mails, 0, "mails moved to done/ but not stored once");
    assert_eq!(lost_calls, 0, "calls imported but not stored once");
    assert!(
        duplicates.is_empty(),
        "duplicated: {:?}",
        duplicates.first()
    );
    assert!(
        watch_status.success(),
        "kefu watch ended with {watch_status}; see {}",
        log.display()
    );
    if let Some(alerts) = &alerts {
        alerts.check(chat_results.len() + mails_dropped, &app_log);
    }
}

/// True unless KEFU_SOAK_ALERTS=0 or the desktop programs are missing.
fn alerts_enabled() -> bool {
    if std::env::var("KEFU_SOAK_ALERTS").as_deref() == Ok("0") {
        return false;
    }
    desktop::binaries_installed("the soak's alerts")
}

/// Starts the desktop app on the soak's database in `desktop`, with every
/// tier's alerts sent to the desktop and the sound device, and waits until
/// its alerts run.
fn start_app(home: &KefuHome, desktop: &Desktop, log: &Path) -> Kefu {
    std::fs::write(home.config.join("alerts.toml"), ALERTS_TOML).expect("writing alerts.toml");
    let desktop_home = desktop.home();
    desktop::write_asoundrc(&desktop_home, &sound_file(desktop));
    let mut app = home.start_with(&["app"], log, |command| {
        desktop
            .enter(command)
            .env("KEFU_AGENT", "soak")
            .env("KEFU_LOG", "warn,kefu_ui::alerts=info");
    });
    let started = desktop::wait_for(APP_START_TIMEOUT, || {
        if let Ok(Some(status)) = app.child.try_wait() {
            panic!(
                "the app ended with {status} before its alerts started; see {}",
                log.display()
            );
        }
        let text = std::fs::read_to_string(log).unwrap_or_default();
        text.contains("alerts started").then_some(())
    });
    assert!(
        started.is_some(),
        "the app did not start its alerts within {APP_START_TIMEOUT:?}; see {}",
        log.display()
    );
    app
}

fn sound_file(desktop: &Desktop) -> std::path::PathBuf {
    desktop.folder.path().join("alsa-out.raw")
}

/// What the app's alerts did during the run.
struct AlertReport {
    /// Alerts raised per tier, in the order first seen, without updates.
    tiers: Vec<(String, usize)>,
    /// Updates of an alert already shown, with a new count.
    updates: usize,
    /// Messages the ordinary and important alerts counted, as first raised.
    messages_counted: usize,
    notify_calls: usize,
    sound_bytes: usize,
    /// How the app ended when it stopped before the run's end.
    ended_early: Option<std::process::ExitStatus>,
}

impl AlertReport {
    /// Lets the last group window end, reads the app's log, the bus
    /// monitor and the sound file, and stops the app.
    fn finish(mut app: Kefu, desktop: &Desktop, log: &Path) -> Self {
        let ended_early = app.child.try_wait().expect("checking the app");
        if ended_early.is_none() {
            std::thread::sleep(Duration::from_secs(12));
        }
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let mut tiers: Vec<(String, usize)> = Vec::new();
        let mut updates = 0;
        let mut messages_counted = 0;
        for line in text.lines().filter(|line| line.contains("alert: ")) {
            // An update replaces an alert already shown with a larger count.
            if field(line, "updates").is_some_and(|value| value != "None") {
                updates += 1;
                continue;
            }
            let tier = field(line, "tier").unwrap_or("unknown").to_string();
            if tier == "ordinary" || tier == "important" {
                messages_counted += field(line, "count")
                    .and_then(|count| count.parse::<usize>().ok())
                    .unwrap_or(0);
            }
            match tiers.iter_mut().find(|(name, _)| *name == tier) {
                Some((_, raised)) => *raised += 1,
                None => tiers.push((tier, 1)),
            }
        }
        app.kill();
        Self {
            tiers,
            updates,
            messages_counted,
            notify_calls: desktop.notify_calls().len(),
            sound_bytes: desktop::nonzero_bytes(&sound_file(desktop)),
            ended_early,
        }
    }

    fn describe(&self) -> String {
        let tiers: Vec<String> = self
            .tiers
            .iter()
            .map(|(tier, raised)| format!("{tier} {raised}"))
            .collect();
        format!(
            "alerts raised: {} ({}), first counting {} messages, then updated {} times; \
             {} desktop notification calls; {} non-zero bytes of sound; app {}",
            self.tiers.iter().map(|(_, raised)| raised).sum::<usize>(),
            if tiers.is_empty() {
                "none".to_string()
            } else {
                tiers.join(", ")
            },
            self.messages_counted,
            self.updates,
            self.notify_calls,
            self.sound_bytes,
            match self.ended_early {
                Some(status) => format!("ended early with {status}"),
                None => "ran to the end".to_string(),
            }
        )
    }

    /// Panics unless the app ran to the end and its alerts reached the
    /// desktop and the sound device, with bursts grouped: fewer alerts
    /// than the `messages` that arrived.
    fn check(&self, messages: usize, log: &Path) {
        assert!(
            self.ended_early.is_none(),
            "the app ended during the run with {:?}; see {}",
            self.ended_early,
            log.display()
        );
        if messages == 0 {
            return;
        }
        let raised: usize = self.tiers.iter().map(|(_, raised)| raised).sum();
        assert!(
            raised > 0,
            "no alert for {messages} messages; see {}",
            log.display()
        );
        assert!(
            self.notify_calls > 0,
            "no desktop notification reached the bus"
        );
        assert!(
            self.sound_bytes > 0,
            "the ALSA file device recorded no sound"
        );
        assert!(
            raised < messages,
            "{raised} alerts for {messages} messages: bursts were not grouped"
        );
    }
}

/// Returns the value of `name=VALUE` in a log line of tracing's default
/// format, without the quotes around text.
fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {name}="))? + name.len() + 2;
    let rest = &line[start..];
    let value = rest.split(' ').next().unwrap_or(rest);
    Some(value.trim_matches('"'))
}

/// Calls `produce(0)`, `produce(1)`, ... at `rate` per second from
/// `started` until `duration` has passed.
fn paced(started: Instant, duration: Duration, rate: f64, mut produce: impl FnMut(usize)) {
    let mut index = 0;
    loop {
        let due = started + Duration::from_secs_f64(index as f64 / rate);
        if due.duration_since(started) >= duration {
            return;
        }
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        produce(index);
        index += 1;
    }
}

/// Waits until every one of the first `dropped` mails is in `done/`, or
/// `deadline` passes, and returns whether they all arrived.
fn wait_for_drain(
    drop: &Path,
    dropped: usize,
    mails: &[traffic::Input],
    deadline: Instant,
) -> bool {
    loop {
        let done = drop.join("done");
        let all_moved = mails[..dropped]
            .iter()
            .all(|mail| done.join(&mail.name).exists());
        if all_moved {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Stored call messages per Asterisk unique id: the external id of a call
/// is `UNIQUEID/SEQUENCE/START`.
fn call_counts(contents: &Contents) -> std::collections::HashMap<&str, usize> {
    let mut counts = std::collections::HashMap::new();
    for (id, count) in &contents.by_external_id {
        if let Some((unique_id, _)) = id.split_once('/') {
            *counts.entry(unique_id).or_insert(0) += count;
        }
    }
    counts
}
