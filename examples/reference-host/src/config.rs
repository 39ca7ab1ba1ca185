//! The host's configuration: one TOML file, then `BMC_HOST_*` variables over it
//! (`BMC_HOST_LISTEN=0.0.0.0:8080`, and `BMC_HOST_WORKERS__INVOICE=4` for `[workers] invoice`).
//! Every setting has a default; `docs/host.md` lists them all.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// What the configuration fails with.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file or a variable is not valid.
    #[error("configuration {origin}: {message}")]
    Invalid {
        /// The file or variable.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// The host's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the API listens.
    pub listen: String,
    /// Where state, queues, documents, certificates, the event log and the mail outbox go.
    pub data_dir: PathBuf,
    /// The catalog CSV, indexed on first use into `catalog_index`.
    pub catalog_csv: PathBuf,
    /// The catalog index (default `<data_dir>/catalog-index`).
    pub catalog_index: Option<PathBuf>,
    /// A rules folder (one subfolder a rule set); the rules built into the library by default.
    pub rules_dir: Option<PathBuf>,
    /// The sellers' numbering-range keys (`nit,prefix,technical_key,software_pin`).
    pub technical_keys: Option<PathBuf>,
    /// The DIAN environment registered for: `test` (habilitación, the samples') or
    /// `production`.
    pub environment: String,
    /// A fixed registration date (`YYYY-MM-DD`); today in Colombia when unset.
    pub registration_date: Option<chrono::NaiveDate>,
    /// The largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Which log lines are written: a level (`info`) or per-module directives
    /// (`warn,bmc_host=debug`), as `tracing`'s `EnvFilter` reads them.
    pub log_filter: String,
    /// How many workers consume each queue.
    pub workers: Workers,
    /// The queues' settings (the seed's by default).
    pub queues: Queues,
    /// Who may call the API.
    pub auth: Auth,
    /// How mail leaves.
    pub mail: MailSettings,
    /// Where state and queues live.
    pub backends: Backends,
    /// The analytics export.
    pub analytics: Analytics,
    /// The AWS backends' settings (a build with the `aws` feature).
    pub aws: AwsSettings,
    /// DIAN's classification and compliance service.
    pub dian: DianSettings,
    /// The SFTP exchange's folders.
    pub exchange: ExchangeSettings,
    /// How long records are kept.
    pub retention: RetentionSettings,
    /// How long a shutdown waits for work in flight, in seconds.
    pub shutdown_grace_seconds: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: "var".into(),
            catalog_csv: "data/sample-catalog.csv.gz".into(),
            catalog_index: None,
            rules_dir: None,
            technical_keys: Some("data/invoices/technical-keys.csv".into()),
            environment: "test".into(),
            registration_date: None,
            max_upload_bytes: 20 * 1024 * 1024,
            log_format: "text".into(),
            log_filter: "info".into(),
            workers: Workers::default(),
            queues: Queues::default(),
            auth: Auth::default(),
            mail: MailSettings::default(),
            backends: Backends::default(),
            analytics: Analytics::default(),
            aws: AwsSettings::default(),
            dian: DianSettings::default(),
            exchange: ExchangeSettings::default(),
            retention: RetentionSettings::default(),
            shutdown_grace_seconds: 30,
        }
    }
}

/// Workers per queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Workers {
    /// Registration workers (`invoice-processing-queue`); four a core by default, as a
    /// registration waits on storage and state about half its time.
    pub invoice: usize,
    /// OCR workers (`ocr-processing-queue`); each runs Tesseract on one scan at a time.
    pub ocr: usize,
    /// Mail workers (`notification-queue`).
    pub notification: usize,
}

impl Default for Workers {
    fn default() -> Workers {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Workers {
            invoice: cores * 4,
            ocr: cores.div_ceil(2),
            notification: 1,
        }
    }
}

/// Overrides of the seed's queue settings (for tests that cannot wait 300 s for a lease).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Queues {
    /// Every queue's visibility timeout, in seconds.
    pub visibility_seconds: Option<u64>,
    /// How long a consumer waits for a message before asking again, in milliseconds.
    pub poll_milliseconds: Option<u64>,
    /// The first retry's delay after a failed attempt, in milliseconds (doubled each time).
    pub retry_milliseconds: Option<u64>,
}

/// Token checking.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Auth {
    /// `hs256`: tokens signed with the host's own secret (`bmc-host token`); `jwks`: RS256
    /// tokens checked against the keys at `jwks_url` (Cognito's, say).
    pub mode: String,
    /// The HS256 secret's file (default `<data_dir>/jwt-secret`, created on first start,
    /// mode 0600).
    pub secret_file: Option<PathBuf>,
    /// The JWKS address, for `jwks`.
    pub jwks_url: Option<String>,
    /// The `iss` tokens must carry, when set.
    pub issuer: Option<String>,
    /// The `aud` (or Cognito's `client_id`) tokens must carry, when set.
    pub audience: Option<String>,
    /// The claim holding the roles (Cognito: `cognito:groups`).
    pub roles_claim: String,
    /// Offer the console's development sign-in (`POST /auth/dev-token`, a token for a chosen
    /// role) on a development machine: only in the `hs256` mode, while the host listens on a
    /// loopback address, and to requests no proxy forwarded. Off by default.
    pub dev_sign_in: bool,
}

impl Default for Auth {
    fn default() -> Auth {
        Auth {
            mode: "hs256".into(),
            secret_file: None,
            jwks_url: None,
            issuer: None,
            audience: None,
            roles_claim: "roles".into(),
            dev_sign_in: false,
        }
    }
}

/// Mail.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// `outbox`: each mail a `.eml` file in `outbox_dir`; `smtp`: sent to `smtp_host`; `ses`:
    /// through Amazon SES (a build with the `aws` feature).
    pub mode: String,
    /// The outbox folder (default `<data_dir>/outbox`).
    pub outbox_dir: Option<PathBuf>,
    /// The SMTP server.
    pub smtp_host: String,
    /// The SMTP port.
    pub smtp_port: u16,
    /// The sender.
    pub from: String,
    /// The SES configuration set mail is sent with (`ses`).
    pub ses_configuration_set: Option<String>,
}

impl Default for MailSettings {
    fn default() -> MailSettings {
        MailSettings {
            mode: "outbox".into(),
            outbox_dir: None,
            smtp_host: "127.0.0.1".into(),
            smtp_port: 25,
            from: "registro@bolsamercantil.example".into(),
            ses_configuration_set: None,
        }
    }
}

/// Which backend each capability runs on: the embedded ones under `data_dir` by default;
/// PostgreSQL (a build with the `postgres` feature) and AWS (the `aws` feature) for hosts
/// sharing them.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Backends {
    /// `sqlite` or `postgres`: invoices, registrations, commissions, certificates, OCR jobs
    /// and the event outbox.
    pub state: String,
    /// `sqlite`, `postgres` or `sqs`: the three queues and their dead-letter queues.
    pub queue: String,
    /// `files` (under `data_dir`) or `s3`: documents, OCR text and certificates.
    pub storage: String,
    /// `embedded` (the seed's rules applied in the host, and `events.jsonl`) or
    /// `eventbridge`: where the outbox's events go.
    pub events: String,
    /// `tesseract` (on this machine) or `textract`: how scans are read.
    pub text: String,
    /// The PostgreSQL database (`postgresql://user:password@host:5432/bmc` or
    /// `host=... user=... dbname=...`), for either on `postgres`.
    pub postgres_url: Option<String>,
    /// The most connections this process opens to PostgreSQL.
    pub postgres_max_connections: usize,
}

impl Default for Backends {
    fn default() -> Backends {
        Backends {
            state: "sqlite".into(),
            queue: "sqlite".into(),
            storage: "files".into(),
            events: "embedded".into(),
            text: "tesseract".into(),
            postgres_url: None,
            postgres_max_connections: 16,
        }
    }
}

/// The AWS backends' settings. Credentials come from the SDK's default chain, and
/// `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_S3`, `_SQS`, ...) points a service elsewhere.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AwsSettings {
    /// The region (the SDK's chain otherwise: `AWS_REGION`, the profile, the instance).
    pub region: Option<String>,
    /// The bucket of documents, text and certificates (`storage = "s3"`), also where
    /// Textract reads PDFs of several pages from.
    pub bucket: Option<String>,
    /// A prefix of every object key (`bmc/`, say), empty by default.
    pub prefix: String,
    /// The KMS key objects are encrypted with (SSE-KMS); the bucket's default otherwise.
    pub kms_key_id: Option<String>,
    /// Bucket in the path rather than the host name; by default, when an endpoint is set.
    pub s3_path_style: Option<bool>,
    /// A prefix of the queues' names (`prod-`, say): `<prefix>invoice-processing-queue.fifo`.
    pub queue_prefix: String,
    /// Create missing queues (with their dead-letter queues and the seed's settings) and the
    /// bucket on start; a deployment's own infrastructure code does it otherwise.
    pub create_resources: bool,
    /// The EventBridge bus (`events = "eventbridge"`).
    pub event_bus: String,
    /// The first wait between checks on an asynchronous Textract job, in milliseconds.
    pub textract_poll_milliseconds: u64,
    /// A published catalog to follow (`s3://bucket/prefix`, where `bmc-host catalog publish`
    /// puts releases): new releases are downloaded and swapped in.
    pub catalog_source: Option<String>,
    /// How often the published catalog's pointer is checked, in seconds.
    pub catalog_poll_seconds: u64,
}

impl Default for AwsSettings {
    fn default() -> AwsSettings {
        AwsSettings {
            region: None,
            bucket: None,
            prefix: String::new(),
            kms_key_id: None,
            s3_path_style: None,
            queue_prefix: String::new(),
            create_resources: false,
            event_bus: "default".into(),
            textract_poll_milliseconds: 1000,
            catalog_source: None,
            catalog_poll_seconds: 60,
        }
    }
}

/// DIAN's service: `offline` answers from the library; `http` asks the service with the
/// seed's behaviours (see `docs/host.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DianSettings {
    /// `offline` or `http`.
    pub mode: String,
    /// The API's base.
    pub base_url: String,
    /// `GET`, `{code}` standing for the subpartida.
    pub classification_path: String,
    /// `GET`, asked with `?code=`.
    pub lookup_path: String,
    /// `POST`, the invoice as JSON.
    pub compliance_path: String,
    /// The OAuth 2.0 token endpoint (client credentials).
    pub token_url: String,
    /// The client's id.
    pub client_id: String,
    /// The client's secret (or `client_secret_file`).
    pub client_secret: Option<Secret>,
    /// A file holding the client's secret.
    pub client_secret_file: Option<PathBuf>,
    /// The scope asked for, when the service wants one.
    pub scope: Option<String>,
    /// Requests an hour for the whole process; calls over it wait their turn.
    pub requests_per_hour: u32,
    /// The longest a call waits for its turn, in seconds.
    pub max_wait_seconds: u64,
    /// One request's timeout, in seconds.
    pub timeout_seconds: u64,
    /// Attempts a call.
    pub attempts: u32,
    /// The first retry's delay in milliseconds, doubled each retry, jittered.
    pub backoff_milliseconds: u64,
    /// Calls failed in a row that open the circuit breaker.
    pub breaker_failures: u32,
    /// How long the breaker stays open before a probe, in seconds.
    pub breaker_open_seconds: u64,
    /// How long before its expiry a token is renewed, in seconds.
    pub renew_before_seconds: u64,
    /// How long answers are kept, in days.
    pub cache_days: u64,
    /// The answers' file (default `<data_dir>/dian-cache.sqlite`).
    pub cache_file: Option<PathBuf>,
}

impl Default for DianSettings {
    fn default() -> DianSettings {
        DianSettings {
            mode: "offline".into(),
            base_url: "https://api.dian.gov.co/v1".into(),
            classification_path: "/classification/validate/{code}".into(),
            lookup_path: "/products/lookup".into(),
            compliance_path: "/compliance/validate".into(),
            token_url: "https://api.dian.gov.co/oauth2/token".into(),
            client_id: String::new(),
            client_secret: None,
            client_secret_file: None,
            scope: None,
            requests_per_hour: 1000,
            max_wait_seconds: 60,
            timeout_seconds: 30,
            attempts: 3,
            backoff_milliseconds: 500,
            breaker_failures: 5,
            breaker_open_seconds: 30,
            renew_before_seconds: 60,
            cache_days: 7,
            cache_file: None,
        }
    }
}

/// The SFTP exchange: a folder a participant, each with the seed's `incoming`, `outgoing`
/// and `archive` folders, that the host watches (see `docs/exchange.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeSettings {
    /// Watch the folders (in one process of a deployment).
    pub enabled: bool,
    /// The participants' folders (default `<data_dir>/exchange`).
    pub root: Option<PathBuf>,
    /// How often the folders are looked at, in milliseconds.
    pub poll_milliseconds: u64,
    /// How long a file must stay unchanged before it is taken, in seconds.
    pub settle_seconds: u64,
    /// How long processed files stay in `archive/processed-files`, in days.
    pub archive_days: u64,
    /// Write each participant's commission report of yesterday once a day.
    pub daily_reports: bool,
    /// The folders on S3 behind Transfer Family (`s3://bucket/prefix`; a build with the
    /// `aws` feature) instead of `root`.
    pub s3: Option<String>,
    /// The SQS queue (its URL) S3's event notifications of arrivals go to.
    pub events_queue: Option<String>,
}

impl Default for ExchangeSettings {
    fn default() -> ExchangeSettings {
        ExchangeSettings {
            enabled: false,
            root: None,
            poll_milliseconds: 2000,
            settle_seconds: 2,
            archive_days: 30,
            daily_reports: true,
            s3: None,
            events_queue: None,
        }
    }
}

/// How long documents, registrations and certificates are kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Years, at least 7.
    pub years: u32,
}

impl Default for RetentionSettings {
    fn default() -> RetentionSettings {
        RetentionSettings {
            years: crate::retention::MINIMUM_YEARS,
        }
    }
}

/// A secret setting: read like a string, never printed.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

/// The daily export of `bmc_analytics.fact_commissions` as gzip CSV.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Analytics {
    /// Export yesterday's facts once a day.
    pub daily: bool,
    /// Where (default `<data_dir>/analytics`).
    pub dir: Option<PathBuf>,
    /// Also to S3 (`s3://bucket/prefix`; a build with the `aws` feature).
    pub s3: Option<String>,
}

impl Default for Analytics {
    fn default() -> Analytics {
        Analytics {
            daily: true,
            dir: None,
            s3: None,
        }
    }
}

impl Config {
    /// Where analytics exports go.
    pub fn analytics_dir(&self) -> PathBuf {
        self.analytics
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("analytics"))
    }

    /// The configuration from `file` (when given) and the `BMC_HOST_*` variables of `vars`.
    pub fn load(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let (mut table, origin) = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                let table: toml::Table =
                    toml::from_str(&text).map_err(|e| ConfigError::Invalid {
                        origin: path.display().to_string(),
                        message: e.to_string(),
                    })?;
                (table, path.display().to_string())
            }
            None => (toml::Table::new(), "defaults".to_string()),
        };
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("BMC_HOST_") else {
                continue;
            };
            let path: Vec<String> = key.split("__").map(str::to_ascii_lowercase).collect();
            set_path(&mut table, &path, parse_value(&value)).map_err(|message| {
                ConfigError::Invalid {
                    origin: name.clone(),
                    message,
                }
            })?;
        }
        let config =
            Config::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Invalid {
                origin,
                message: e.to_string(),
            })?;
        if config.retention.years < crate::retention::MINIMUM_YEARS {
            return Err(ConfigError::Invalid {
                origin: "retention.years".into(),
                message: format!(
                    "{} is fewer than the {} years documents, registrations and certificates must be kept",
                    config.retention.years,
                    crate::retention::MINIMUM_YEARS
                ),
            });
        }
        Ok(config)
    }

    /// The SFTP exchange's root folder.
    pub fn exchange_root(&self) -> PathBuf {
        self.exchange
            .root
            .clone()
            .unwrap_or_else(|| self.data_dir.join("exchange"))
    }

    /// The catalog index folder.
    pub fn catalog_index(&self) -> PathBuf {
        self.catalog_index
            .clone()
            .unwrap_or_else(|| self.data_dir.join("catalog-index"))
    }
}

/// A variable's value: TOML when it reads as a number, boolean or array, a string otherwise.
fn parse_value(text: &str) -> toml::Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .filter(|v| !v.is_str())
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    match path {
        [] => Err("empty setting name".into()),
        [last] => {
            table.insert(last.clone(), value);
            Ok(())
        }
        [first, rest @ ..] => {
            let entry = table
                .entry(first.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            match entry {
                toml::Value::Table(inner) => set_path(inner, rest, value),
                _ => Err(format!("{first} is not a section")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_the_file_and_defaults_fill_the_rest() {
        let vars = [
            ("BMC_HOST_LISTEN".to_string(), "0.0.0.0:9000".to_string()),
            ("BMC_HOST_WORKERS__INVOICE".to_string(), "7".to_string()),
            ("OTHER".to_string(), "x".to_string()),
        ];
        let config = Config::load(None, vars).unwrap();
        assert_eq!(config.listen, "0.0.0.0:9000");
        assert_eq!(config.workers.invoice, 7);
        assert_eq!(config.auth.mode, "hs256");
        assert_eq!(config.catalog_index(), PathBuf::from("var/catalog-index"));
    }

    #[test]
    fn the_example_file_reads_as_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("host.example.toml");
        let example = Config::load(Some(&path), []).unwrap();
        let defaults = Config::default();
        assert_eq!(format!("{example:?}"), format!("{defaults:?}"));
    }

    #[test]
    fn fewer_than_seven_years_of_retention_is_refused() {
        let vars = [("BMC_HOST_RETENTION__YEARS".to_string(), "5".to_string())];
        let e = Config::load(None, vars).unwrap_err().to_string();
        assert!(e.contains("retention.years"), "{e}");
        let vars = [("BMC_HOST_RETENTION__YEARS".to_string(), "10".to_string())];
        assert_eq!(Config::load(None, vars).unwrap().retention.years, 10);
    }

    #[test]
    fn an_unknown_setting_is_named() {
        let vars = [("BMC_HOST_LISTN".to_string(), "x".to_string())];
        let e = Config::load(None, vars).unwrap_err().to_string();
        assert!(e.contains("listn"), "{e}");
    }
}
