//! A real PostgreSQL server for a test: a temporary cluster made by `initdb` (Debian's
//! `postgresql` package), listening on a free port of 127.0.0.1, stopped and removed when
//! dropped. Run as root (CI), the server runs as the `postgres` user, as PostgreSQL requires.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running PostgreSQL cluster.
pub struct TestPostgres {
    dir: PathBuf,
    bin: PathBuf,
    /// The connection string of its `postgres` database, as user `bmc`.
    pub url: String,
    /// Its port.
    pub port: u16,
}

/// The folder of PostgreSQL's server programs: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/<version>/bin`.
fn bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect(
        "PostgreSQL's server is not installed (apt-get install postgresql): these tests need it",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program args...`, as the `postgres` user when this process is root.
fn run(bin: &Path, program: &str, args: &[&str]) -> std::process::Output {
    let path = bin.join(program);
    let output = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&path)
            .args(args)
            .output()
    } else {
        Command::new(&path).args(args).output()
    };
    output.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

impl TestPostgres {
    /// Creates and starts a cluster under a fresh folder named for `name`.
    pub fn start(name: &str) -> TestPostgres {
        let bin = bin_dir();
        let dir = std::env::temp_dir().join(format!("bmc-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(status.success(), "chown {}", dir.display());
        }
        let data = dir.join("data");
        let data_arg = data.to_string_lossy().to_string();
        let out = run(
            &bin,
            "initdb",
            &[
                "-D",
                &data_arg,
                "-U",
                "bmc",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            dir.display()
        );
        let log = dir.join("server.log").to_string_lossy().to_string();
        let out = run(
            &bin,
            "pg_ctl",
            &[
                "-D", &data_arg, "-o", &options, "-l", &log, "-w", "-t", "60", "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        TestPostgres {
            url: format!("host=127.0.0.1 port={port} user=bmc dbname=postgres"),
            dir,
            bin,
            port,
        }
    }

    /// Creates database `name` and answers its connection string.
    pub fn database(&self, name: &str) -> String {
        self.client("createdb", &[name]);
        format!("host=127.0.0.1 port={} user=bmc dbname={name}", self.port)
    }

    /// Runs `sql` with `psql` in database `db` and answers what it printed (unaligned, no
    /// headers).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.client(
            "psql",
            &["-d", db, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
        )
    }

    /// Runs `sql` with psql in database `db`; answers what it printed, or its error.
    pub fn try_psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let port = self.port.to_string();
        let args = [
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "bmc",
            "-d",
            db,
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ];
        let out = run(&self.bin, "psql", &args);
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Runs the client program `program` against the server as user `bmc`; answers what it
    /// printed, trimmed.
    fn client(&self, program: &str, args: &[&str]) -> String {
        let port = self.port.to_string();
        let mut all = vec!["-h", "127.0.0.1", "-p", &port, "-U", "bmc"];
        all.extend_from_slice(args);
        let out = run(&self.bin, program, &all);
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// `settings` with state and queues on the database at `url`.
pub fn on_postgres(mut settings: bmc_host::Config, url: String) -> bmc_host::Config {
    settings.backends.state = "postgres".into();
    settings.backends.queue = "postgres".into();
    settings.backends.postgres_url = Some(url);
    settings
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").to_string_lossy().to_string();
        let _ = run(
            &self.bin,
            "pg_ctl",
            &["-D", &data, "-m", "immediate", "-w", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
