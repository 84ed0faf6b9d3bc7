//! A real Dovecot IMAP server on 127.0.0.1, started by a test in its own
//! temporary folder: passwd-file login, one Maildir user, and TLS (IMAPS
//! and STARTTLS) when the test gives it a certificate.

use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Environment variable that turns a missing server binary into a test
/// failure instead of a skipped test. CI sets it.
pub const REQUIRE_SERVERS_ENV: &str = "KEFU_REQUIRE_SERVERS";

/// The Dovecot user the tests log in as, and its password.
pub const USER: &str = "kefu";
pub const PASSWORD: &str = "imap-test-secret";

/// How a test's Dovecot is set up.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Certificate and key files: with them the plain port offers
    /// STARTTLS and [`Dovecot::tls_port`] speaks TLS from the first byte.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Leaves IDLE out of the capabilities the server lists after login.
    pub without_idle: bool,
}

/// A running Dovecot, stopped when dropped.
pub struct Dovecot {
    folder: TempDir,
    binary: PathBuf,
    /// The master process, or `None` while [`Dovecot::stop`] has stopped it.
    child: Option<Child>,
    /// Port of plain IMAP, which offers STARTTLS when TLS is set up.
    pub port: u16,
    /// Port of IMAPS, or 0 without TLS.
    pub tls_port: u16,
    /// Owner of the Maildir files the server reads and writes.
    mail_owner: (u32, u32),
}

/// Returns the path of the `dovecot` binary, or `None` when it is not
/// installed.
fn find_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|folder| folder.join("dovecot"))
        .find(|candidate| candidate.is_file())
}

/// Returns the user and group name and ids for `uid` from /etc/passwd and
/// /etc/group.
fn account_of(uid: u32) -> (String, u32, String) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("reading /etc/passwd");
    let fields: Vec<&str> = passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.len() > 3 && fields[2] == uid.to_string())
        .unwrap_or_else(|| panic!("no /etc/passwd entry for uid {uid}"));
    let gid: u32 = fields[3].parse().expect("a numeric gid in /etc/passwd");
    let group = std::fs::read_to_string("/etc/group").expect("reading /etc/group");
    let group_name = group
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.len() > 2 && fields[2] == gid.to_string())
        .map(|fields| fields[0].to_string())
        .unwrap_or_else(|| panic!("no /etc/group entry for gid {gid}"));
    (fields[0].to_string(), gid, group_name)
}

fn uid_of(name: &str) -> u32 {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("reading /etc/passwd");
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.len() > 3 && fields[0] == name)
        .and_then(|fields| fields[2].parse().ok())
        .unwrap_or_else(|| panic!("no user {name} in /etc/passwd"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("finding a free port on 127.0.0.1")
        .port()
}

impl Dovecot {
    /// Starts Dovecot without TLS. When the binary is missing, returns
    /// `None` after printing why, or panics when [`REQUIRE_SERVERS_ENV`] is
    /// set.
    pub fn start() -> Option<Self> {
        Self::start_with(Options::default())
    }

    /// Starts Dovecot configured by `options`, as [`Dovecot::start`] does.
    pub fn start_with(options: Options) -> Option<Self> {
        let Some(binary) = find_binary() else {
            let reason = "dovecot is not installed (Debian package dovecot-imapd)";
            if std::env::var_os(REQUIRE_SERVERS_ENV).is_some() {
                panic!("{reason}, and {REQUIRE_SERVERS_ENV} is set");
            }
            eprintln!("skipping: {reason}");
            return None;
        };
        let folder = tempfile::tempdir().expect("creating the server folder");
        let root = folder.path();
        let current_uid = std::fs::metadata(root).expect("reading the folder").uid();
        // Dovecot runs neither its login process nor mail processes as
        // root, so under root both run as nobody, which must reach the
        // folder.
        let (mail_user, login_user) = if current_uid == 0 {
            std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755))
                .expect("opening the server folder to nobody");
            ("nobody".to_string(), "nobody".to_string())
        } else {
            let (name, _, _) = account_of(current_uid);
            (name.clone(), name)
        };
        let mail_uid = uid_of(&mail_user);
        let (_, mail_gid, mail_group) = account_of(mail_uid);
        let (internal_user, _, internal_group) = account_of(current_uid);

        for sub in ["run", "state", "home"] {
            std::fs::create_dir(root.join(sub)).expect("creating a server folder");
        }
        std::fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n"))
            .expect("writing the passwd file");
        let port = free_port();
        let tls_port = if options.tls.is_some() {
            free_port()
        } else {
            0
        };
        let ssl = match &options.tls {
            Some((certificate, key)) => format!(
                "ssl = yes\nssl_cert = <{}\nssl_key = <{}\nssl_min_protocol = TLSv1.2\n",
                certificate.display(),
                key.display()
            ),
            None => "ssl = no\n".to_string(),
        };
        // A short capability list without IDLE, which Dovecot then lists
        // after login in place of its own.
        let capability = if options.without_idle {
            "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS \
             MOVE\n"
        } else {
            ""
        };
        let root_text = root.display();
        let config = format!(
            r#"protocols = imap
listen = 127.0.0.1
base_dir = {root_text}/run
state_dir = {root_text}/state
instance_name = kefu-test-{port}
log_path = {root_text}/dovecot.log
{ssl}{capability}disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root_text}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root_text}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
# Mail processes run as another user than the master, and still report
# their statistics.
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"#
        );
        let config_path = root.join("dovecot.conf");
        std::fs::write(&config_path, config).expect("writing dovecot.conf");
        let mut server = Self {
            folder,
            binary,
            child: None,
            port,
            tls_port,
            mail_owner: (mail_uid, mail_gid),
        };
        std::fs::create_dir_all(server.maildir().join("tmp")).unwrap();
        std::fs::create_dir_all(server.maildir().join("new")).unwrap();
        std::fs::create_dir_all(server.maildir().join("cur")).unwrap();
        server.chown_tree(&server.folder.path().join("home"));
        server.spawn();
        Some(server)
    }

    /// Starts the master process on the configuration file and waits until
    /// it listens.
    fn spawn(&mut self) {
        let child = Command::new(&self.binary)
            .arg("-F")
            .arg("-c")
            .arg(self.folder.path().join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting dovecot");
        self.child = Some(child);
        self.wait_until_ready();
    }

    /// Stops the server as an administrator's restart or a crash would:
    /// every connection is closed and the ports refuse new ones. The
    /// Maildir stays.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // SIGTERM lets the master stop its child processes too.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts the server again after [`Dovecot::stop`], on the same ports
    /// and Maildir.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "dovecot is already running");
        self.spawn();
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let ports = [self.port, self.tls_port];
        let mut waiting: Vec<u16> = ports.into_iter().filter(|port| *port != 0).collect();
        while Instant::now() < deadline {
            waiting.retain(|port| TcpStream::connect(("127.0.0.1", *port)).is_err());
            if waiting.is_empty() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "dovecot did not listen on 127.0.0.1 ports {waiting:?} within 15 s; its log:\n{}",
            self.log()
        );
    }

    /// Returns the server's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Returns the Maildir of [`USER`].
    pub fn maildir(&self) -> PathBuf {
        self.folder.path().join("home").join(USER).join("Maildir")
    }

    /// Delivers a mail into the user's Maildir as a delivery agent does:
    /// written in `tmp/`, then renamed into `new/`.
    pub fn deliver(&self, unique_name: &str, bytes: &[u8]) {
        let temporary = self.maildir().join("tmp").join(unique_name);
        std::fs::write(&temporary, bytes).expect("writing a mail into tmp/");
        self.chown_tree(&temporary);
        std::fs::rename(&temporary, self.maildir().join("new").join(unique_name))
            .expect("moving a mail into new/");
    }

    /// Gives `path` and everything under it to the mail owner, when this
    /// process may.
    fn chown_tree(&self, path: &Path) {
        let (uid, gid) = self.mail_owner;
        if std::fs::metadata(path).is_ok_and(|metadata| metadata.uid() == uid) {
            return;
        }
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("changing a file's owner");
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                self.chown_tree(&entry.unwrap().path());
            }
        }
    }

    /// Logs in as [`USER`] over plain IMAP, for checks on the server side.
    pub fn client(&self) -> imap::Session<imap::Connection> {
        imap::ClientBuilder::new("127.0.0.1", self.port)
            .mode(imap::ConnectionMode::Plaintext)
            .connect()
            .expect("connecting to dovecot")
            .login(USER, PASSWORD)
            .map_err(|(error, _)| error)
            .expect("logging in to dovecot")
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}
