//! OpenSSH's server (Debian's `openssh-server`) on a free port of 127.0.0.1, serving SFTP
//! only to one user chrooted to a folder, with key authentication; and its client.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The Unix user the exchange's participant logs in as.
pub const USER: &str = "bmc-external";

/// True when this process may start sshd with a chroot (it must be root).
pub fn possible() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        && Path::new("/usr/sbin/sshd").exists()
}

/// The user, made when missing: no home, no shell, no password (keys only).
pub fn ensure_user() {
    let exists = Command::new("id")
        .arg(USER)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    if !exists {
        let made = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
            ])
            .args(["--password", "*", USER])
            .status()
            .unwrap();
        assert!(made.success(), "useradd {USER}");
    }
}

/// The user's uid and gid.
pub fn ids() -> (u32, u32) {
    let id = |flag: &str| {
        let out = Command::new("id").args([flag, USER]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    (id("-u"), id("-g"))
}

/// A running sshd.
pub struct Sftp {
    /// Its port.
    pub port: u16,
    /// The client's private key.
    pub key: PathBuf,
    /// The server's log.
    pub log: PathBuf,
    child: Child,
}

impl Sftp {
    /// Starts sshd, chrooting [`USER`] to `chroot` (root-owned, like every folder above
    /// it), with its keys and configuration in `dir`.
    pub fn start(dir: &Path, chroot: &Path) -> Sftp {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::create_dir_all("/run/sshd").unwrap();
        let keygen = |path: &Path| {
            let _ = std::fs::remove_file(path);
            let ok = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(path)
                .status()
                .unwrap()
                .success();
            assert!(ok, "ssh-keygen");
        };
        let host_key = dir.join("host_key");
        let key = dir.join("participant_key");
        keygen(&host_key);
        keygen(&key);
        let authorized = dir.join("authorized");
        std::fs::create_dir_all(&authorized).unwrap();
        std::fs::copy(dir.join("participant_key.pub"), authorized.join(USER)).unwrap();
        let port = super::free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\n\
                 AuthorizedKeysFile {}/%u\nStrictModes no\nUsePAM no\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\nPermitRootLogin no\nLogLevel VERBOSE\n\
                 Subsystem sftp internal-sftp\nAllowUsers {USER}\n\
                 Match User {USER}\n  ChrootDirectory {}\n  ForceCommand internal-sftp\n\
                 \x20 AllowTcpForwarding no\n  X11Forwarding no\n",
                host_key.display(),
                dir.join("sshd.pid").display(),
                authorized.display(),
                chroot.display(),
            ),
        )
        .unwrap();
        let log = dir.join("sshd.log");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-f"])
            .arg(&config)
            .arg("-E")
            .arg(&log)
            .spawn()
            .unwrap();
        super::wait_until(Duration::from_secs(20), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Sftp {
            port,
            key,
            log,
            child,
        }
    }

    /// Runs the `sftp` client's `batch` as [`USER`]: success, and what it printed.
    pub fn run(&self, batch: &str) -> (bool, String) {
        let file = self.key.with_file_name(format!(
            "batch-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::write(&file, batch).unwrap();
        let out = Command::new("sftp")
            .arg("-b")
            .arg(&file)
            .arg("-i")
            .arg(&self.key)
            .args(["-P", &self.port.to_string()])
            .args([
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "LogLevel=ERROR",
            ])
            .arg(format!("{USER}@127.0.0.1"))
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&file);
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Sftp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
