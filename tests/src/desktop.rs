//! A desktop session of its own for tests of the app's alerts: Xvfb, a
//! D-Bus session bus, the dunst notification server, a bus monitor and an
//! ALSA configuration whose default device writes to a file.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Binaries a desktop session needs, with the Debian package of each.
pub const BINARIES: [(&str, &str); 5] = [
    ("Xvfb", "xvfb"),
    ("dbus-daemon", "dbus-daemon"),
    ("dbus-monitor", "dbus-bin"),
    ("dunst", "dunst"),
    ("dunstctl", "dunst"),
];

/// Returns false after printing that `test` is skipped and why when a
/// binary is missing, or panics when KEFU_REQUIRE_SERVERS=1.
pub fn binaries_installed(test: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let missing: Vec<String> = BINARIES
        .iter()
        .filter(|(binary, _)| {
            !std::env::split_paths(&path).any(|folder| folder.join(binary).is_file())
        })
        .map(|(binary, package)| format!("{binary} (Debian package {package})"))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("not installed: {}", missing.join(", "));
    if std::env::var("KEFU_REQUIRE_SERVERS").as_deref() == Ok("1") {
        panic!("{message}, and KEFU_REQUIRE_SERVERS=1 requires them");
    }
    eprintln!("skipping {test}: {message}");
    false
}

/// Waits up to `limit` for `check` to return `Some`, polling every 100 ms.
pub fn wait_for<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads the first line a child writes to its standard output.
fn first_line(child: &mut Child, what: &str) -> String {
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("{what} has no standard output"));
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|error| panic!("reading the output of {what}: {error}"));
    assert!(!line.trim().is_empty(), "{what} wrote nothing");
    line.trim().to_string()
}

/// A desktop session of its own: Xvfb, a session bus, dunst and a bus
/// monitor, in a temporary folder that is also the session's home.
pub struct Desktop {
    pub folder: TempDir,
    pub display: String,
    pub bus: String,
    // Dropped in reverse order of start: the monitor, dunst, the bus, X.
    _children: Vec<Running>,
}

impl Desktop {
    pub fn start() -> Self {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let home = folder.path().join("home");
        // dunst keeps every notification on screen until closed, so the
        // test can count and click them at its own pace.
        let dunst_config = home.join(".config/dunst");
        std::fs::create_dir_all(&dunst_config).expect("create the dunst configuration folder");
        std::fs::write(
            dunst_config.join("dunstrc"),
            "[global]\n    idle_threshold = 0\n\
             [urgency_low]\n    timeout = 0\n\
             [urgency_normal]\n    timeout = 0\n\
             [urgency_critical]\n    timeout = 0\n",
        )
        .expect("write dunstrc");
        let mut children = Vec::new();

        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let display = format!(":{}", first_line(&mut xvfb, "Xvfb"));
        children.push(Running(xvfb));

        let socket = folder.path().join("bus");
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let bus = first_line(&mut daemon, "dbus-daemon");
        children.push(Running(daemon));

        let dunst = Command::new("dunst")
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("HOME", &home)
            .env_remove("XDG_CONFIG_HOME")
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(folder.path().join("dunst.log")).expect("create dunst.log"),
            )
            .spawn()
            .expect("start dunst");
        children.push(Running(dunst));

        let monitor_log = folder.path().join("monitor.log");
        let monitor = Command::new("dbus-monitor")
            .args(["--address", &bus, "interface=org.freedesktop.Notifications"])
            .stdout(std::fs::File::create(&monitor_log).expect("create monitor.log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-monitor");
        children.push(Running(monitor));

        let desktop = Self {
            folder,
            display,
            bus,
            _children: children,
        };
        let ready = wait_for(Duration::from_secs(15), || {
            let dunst_up = desktop.dunstctl(&["count"]).is_ok();
            let monitor_up = std::fs::metadata(desktop.monitor_log()).is_ok_and(|m| m.len() > 0);
            (dunst_up && monitor_up).then_some(())
        });
        assert!(
            ready.is_some(),
            "dunst or dbus-monitor did not start within 15 s"
        );
        desktop
    }

    /// Points `command` at this session: its display, bus and home, with
    /// iced's software renderer and no Wayland display or XDG
    /// configuration folder of the machine.
    pub fn enter<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        command
            .env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOME", self.home())
            .env("ICED_BACKEND", "tiny-skia")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("XDG_CONFIG_HOME")
    }

    pub fn home(&self) -> PathBuf {
        self.folder.path().join("home")
    }

    pub fn monitor_log(&self) -> PathBuf {
        self.folder.path().join("monitor.log")
    }

    /// Runs dunstctl on this session and returns its output.
    pub fn dunstctl(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new("dunstctl")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .map_err(|error| format!("running dunstctl: {error}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Notifications dunst shows and keeps in its history: (displayed,
    /// history). Waiting ones count as displayed.
    pub fn counts(&self) -> (usize, usize) {
        let output = self.dunstctl(&["count"]).expect("dunstctl count");
        let number = |label: &str| -> usize {
            output
                .lines()
                .find(|line| line.trim_start().starts_with(label))
                .and_then(|line| line.rsplit(':').next())
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {label:?} in dunstctl count output:\n{output}"))
        };
        (
            number("Waiting") + number("Currently displayed"),
            number("History"),
        )
    }

    /// Summary and body of each notification in dunst's history, newest
    /// first.
    pub fn history(&self) -> Vec<(String, String)> {
        let output = self.dunstctl(&["history"]).expect("dunstctl history");
        let json: serde_json::Value =
            serde_json::from_str(&output).unwrap_or_else(|error| panic!("{error}: {output}"));
        let entries = json["data"][0].as_array().cloned().unwrap_or_default();
        entries
            .iter()
            .map(|entry| {
                let field = |name: &str| entry[name]["data"].as_str().unwrap_or("").to_string();
                (field("summary"), field("body"))
            })
            .collect()
    }

    /// Returns the `Notify` calls the monitor recorded, each as the text
    /// dbus-monitor printed for it: the app name, the id it replaces, the
    /// icon, the summary, the body, the actions and the hints.
    pub fn notify_calls(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.monitor_log()).expect("read monitor.log");
        log.split("member=Notify")
            .skip(1)
            .map(|call| {
                // A call's text ends where dbus-monitor starts the next
                // message.
                let end = ["\nmethod ", "\nsignal ", "\nerror "]
                    .iter()
                    .filter_map(|start| call.find(start))
                    .min()
                    .unwrap_or(call.len());
                call[..end].to_string()
            })
            .collect()
    }
}

/// Writes an ALSA configuration into `home` whose default device records
/// what is played into `output`, as raw samples.
pub fn write_asoundrc(home: &Path, output: &Path) {
    std::fs::write(
        home.join(".asoundrc"),
        format!(
            "pcm.!default {{\n  type file\n  slave.pcm \"null\"\n  file \"{}\"\n  format \"raw\"\n}}\n",
            output.display()
        ),
    )
    .expect("write .asoundrc");
}

/// Bytes of the file that are not zero: silence is all zeros, so these
/// are the sound.
pub fn nonzero_bytes(path: &Path) -> usize {
    std::fs::read(path)
        .map(|bytes| bytes.iter().filter(|byte| **byte != 0).count())
        .unwrap_or(0)
}
