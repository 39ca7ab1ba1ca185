//! DIAN's service behind the HTTP client, against a fake on 127.0.0.1: the token cached,
//! renewed before expiry and fetched again when refused; retries with backoff on 429, 500 and
//! timeouts; the breaker opening and probing; answers cached and standing in when the service
//! is down; the rate limit queueing; and, end to end, an invoice the service cannot check goes
//! to review with the reason, never registered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bmc_host::dian::{
    AnswerCache, Authority, AuthorityError, BreakerState, ComplianceRequest, HttpAuthority,
    HttpSettings, Source,
};
use common::fake_dian::{CLIENT_ID, CLIENT_SECRET, FakeDian, Mode};
use common::{TestHost, config, scratch};
use serde_json::json;

/// Settings for `fake`: quick retries, a breaker that opens after two failed calls.
fn settings(fake: &FakeDian) -> HttpSettings {
    HttpSettings {
        base_url: fake.api(),
        classification_path: "/classification/validate/{code}".into(),
        lookup_path: "/products/lookup".into(),
        compliance_path: "/compliance/validate".into(),
        token_url: fake.token_url(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        scope: None,
        requests_per_hour: 1000,
        rate_window: Duration::from_secs(3600),
        max_wait: Duration::from_secs(30),
        timeout: Duration::from_secs(2),
        attempts: 3,
        backoff: Duration::from_millis(20),
        breaker_failures: 2,
        breaker_open: Duration::from_secs(1),
        renew_before: Duration::from_secs(60),
    }
}

fn authority(settings: HttpSettings, cache: &Path) -> HttpAuthority {
    HttpAuthority::new(
        settings,
        AnswerCache::open(cache, Duration::from_secs(7 * 86_400)).unwrap(),
    )
}

fn compliance_request(cufe: &str) -> ComplianceRequest {
    ComplianceRequest {
        body: json!({"cufe": cufe, "number": "SETP990000005", "lines": []}),
        key: cufe.into(),
        library_errors: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_kept_renewed_before_it_expires_and_fetched_again_when_refused() {
    let fake = FakeDian::start();
    let data = scratch("dian-token");
    let dian = authority(settings(&fake), &data.join("cache.sqlite"));

    for code in ["0901110000", "0901120000", "1006300000"] {
        let answer = dian.validate_classification(code).await.unwrap();
        assert!(answer.value.valid);
        assert_eq!(answer.source, Source::Live);
    }
    assert_eq!(fake.tokens_issued(), 1, "one token for every call");

    // The service stops taking the token: a fresh one, and the call goes through.
    fake.expire_tokens();
    let answer = dian.validate_classification("0803901100").await.unwrap();
    assert!(answer.value.valid);
    assert_eq!(fake.tokens_issued(), 2);
    let refused = fake.seen().iter().filter(|s| s.status == 401).count();
    assert_eq!(refused, 1);

    // A token good for 2 s is renewed 1 s before it expires, without a refusal.
    let mut short = settings(&fake);
    short.renew_before = Duration::from_secs(1);
    let dian = authority(short, &data.join("cache-2.sqlite"));
    fake.set_token_lifetime(2);
    dian.validate_classification("0901110000").await.unwrap();
    let issued = fake.tokens_issued();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    dian.validate_classification("0901120000").await.unwrap();
    assert_eq!(
        fake.tokens_issued(),
        issued + 1,
        "renewed ahead of its expiry"
    );
    assert_eq!(fake.seen().iter().filter(|s| s.status == 401).count(), 1);

    // Wrong credentials: named, not retried, and the breaker stays closed.
    let mut wrong = settings(&fake);
    wrong.client_secret = "not-it".into();
    let dian = authority(wrong, &data.join("cache-3.sqlite"));
    let before = fake.seen().len();
    let e = dian
        .validate_classification("0901110000")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "DIAN_CREDENTIALS", "{e}");
    assert_eq!(fake.seen().len(), before);
    assert_eq!(dian.stats().breaker, BreakerState::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_then_open_the_breaker_which_lets_one_probe_through() {
    let fake = FakeDian::start();
    let data = scratch("dian-breaker");
    let dian = authority(settings(&fake), &data.join("cache.sqlite"));

    // A 500 and a 429 (Retry-After: 1) are retried, the 429 after the second it asked for.
    fake.then(&[Mode::Failing, Mode::TooMany]);
    let answer = dian.validate_classification("0901110000").await.unwrap();
    assert!(answer.value.valid);
    let seen = fake.seen();
    assert_eq!(
        seen.iter().map(|s| s.status).collect::<Vec<_>>(),
        [500, 429, 200]
    );
    assert!(seen[2].at - seen[1].at >= Duration::from_millis(900));

    // No answer within the timeout is a failed attempt too.
    fake.then(&[Mode::Slow(Duration::from_secs(5))]);
    let answer = dian.validate_classification("0901120000").await.unwrap();
    assert_eq!(answer.source, Source::Live);

    // Failing throughout: three attempts a call, and two such calls open the breaker.
    fake.set_mode(Mode::Failing);
    let before = fake.seen().len();
    for code in ["1006300000", "0803901100"] {
        let e = dian.validate_classification(code).await.unwrap_err();
        assert_eq!(e.code(), "DIAN_UNAVAILABLE", "{e}");
        assert!(matches!(e, AuthorityError::Unavailable { attempts: 3, .. }));
    }
    assert_eq!(fake.seen().len(), before + 6);
    assert_eq!(dian.stats().breaker, BreakerState::Open);
    let e = dian
        .validate_classification("1801001000")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "DIAN_BREAKER_OPEN");
    assert_eq!(
        fake.seen().len(),
        before + 6,
        "an open breaker sends nothing"
    );

    // After its time it lets one probe through; a failed probe opens it again at once.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(dian.stats().breaker, BreakerState::HalfOpen);
    let e = dian
        .validate_classification("1801001000")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "DIAN_UNAVAILABLE");
    assert_eq!(dian.stats().breaker, BreakerState::Open);

    // A probe that succeeds closes it.
    fake.set_mode(Mode::Ok);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    dian.validate_classification("1801001000").await.unwrap();
    assert_eq!(dian.stats().breaker, BreakerState::Closed);
    let stats = dian.stats();
    assert_eq!(stats.failures, 2 + 1 + 6 + 3);
    assert_eq!(stats.requests, stats.failures + 3, "three answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_cached_for_seven_days_and_stand_in_while_the_service_is_down() {
    let fake = FakeDian::start();
    let data = scratch("dian-cache");
    let cache = data.join("cache.sqlite");
    let dian = authority(settings(&fake), &cache);

    let live = dian.validate_classification("9999000000").await.unwrap();
    assert_eq!(live.source, Source::Live);
    assert!(!live.value.valid, "the fake refuses 99");
    let cached = dian.validate_classification("9999000000").await.unwrap();
    assert_eq!(cached.source, Source::Cache);
    assert_eq!(cached.value, live.value);
    assert_eq!(fake.seen().len(), 1);
    assert_eq!(dian.stats().cache_hits, 1);

    let product = dian.lookup_product("7702001000001").await.unwrap();
    assert_eq!(product.value.unwrap()["name"], "Café verde en almendra");
    let unknown = dian.lookup_product("7700000000000").await.unwrap();
    assert_eq!(unknown.value, None, "a 404 is an answer: no such product");

    let complies = dian
        .validate_compliance(&compliance_request("cufe-1"))
        .await
        .unwrap();
    assert!(complies.value.compliant);
    assert_eq!(complies.source, Source::Live);
    let refused = dian
        .validate_compliance(&compliance_request("incumple"))
        .await
        .unwrap();
    assert!(!refused.value.compliant);
    assert_eq!(refused.value.reasons, ["RUT_SUSPENDIDO"]);

    // The service goes down; a restarted host still has the answers.
    fake.set_mode(Mode::Failing);
    drop(dian);
    let dian = authority(settings(&fake), &cache);
    let cached = dian.validate_classification("9999000000").await.unwrap();
    assert_eq!(cached.source, Source::Cache);
    let fallback = dian
        .validate_compliance(&compliance_request("cufe-1"))
        .await
        .unwrap();
    assert_eq!(fallback.source, Source::Fallback);
    assert!(fallback.value.compliant);
    assert!(fallback.answered_at <= bmc_host::ids::now_rfc3339());
    assert_eq!(dian.stats().fallbacks, 1);
    // Never asked before: nothing stands in.
    let e = dian
        .validate_compliance(&compliance_request("cufe-2"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "DIAN_UNAVAILABLE");

    // Answers older than the cache's time are not used.
    let stale = HttpAuthority::new(
        settings(&fake),
        AnswerCache::open(&cache, Duration::ZERO).unwrap(),
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    let e = stale
        .validate_classification("9999000000")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "DIAN_UNAVAILABLE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_rate_limit_calls_wait_their_turn_rather_than_fail() {
    let fake = FakeDian::start();
    let data = scratch("dian-rate");
    let mut limited = settings(&fake);
    limited.requests_per_hour = 2;
    limited.rate_window = Duration::from_secs(1);
    let dian = Arc::new(authority(limited.clone(), &data.join("cache.sqlite")));

    let calls: Vec<_> = [
        "0901110000",
        "0901120000",
        "1006300000",
        "0803901100",
        "1801001000",
    ]
    .into_iter()
    .map(|code| {
        let dian = Arc::clone(&dian);
        tokio::spawn(async move { dian.validate_classification(code).await })
    })
    .collect();
    for call in calls {
        assert!(call.await.unwrap().unwrap().value.valid);
    }
    let seen = fake.seen();
    assert_eq!(seen.len(), 5);
    for three in seen.windows(3) {
        assert!(
            three[2].at - three[0].at >= Duration::from_millis(900),
            "no more than two requests a second"
        );
    }

    // A caller that cannot wait is told so.
    limited.max_wait = Duration::ZERO;
    let impatient = authority(limited, &data.join("cache-2.sqlite"));
    impatient
        .validate_classification("0901110000")
        .await
        .unwrap();
    impatient
        .validate_classification("0901120000")
        .await
        .unwrap();
    let e = impatient
        .validate_classification("1006300000")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "DIAN_RATE_LIMITED", "{e}");
    assert_eq!(impatient.stats().breaker, BreakerState::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_state_share_the_rate_limit() {
    let fake = FakeDian::start();
    let data = scratch("dian-shared-rate");
    let mut limited = settings(&fake);
    limited.requests_per_hour = 2;
    limited.rate_window = Duration::from_secs(1);
    // Two processes' clients on one state (each with its own connection to the file).
    let open = |n: u32| {
        let state: Arc<dyn bmc_host::capability::State> =
            Arc::new(bmc_host::embedded::SqliteState::open(&data.join("state.sqlite")).unwrap());
        Arc::new(
            authority(limited.clone(), &data.join(format!("cache-{n}.sqlite")))
                .sharing_limit(state),
        )
    };
    let (one, two) = (open(1), open(2));
    let codes = [
        "0901110000",
        "0901120000",
        "1006300000",
        "0803901100",
        "1801001000",
        "0901210000",
    ];
    let calls: Vec<_> = codes
        .into_iter()
        .enumerate()
        .map(|(i, code)| {
            let dian = Arc::clone(if i % 2 == 0 { &one } else { &two });
            tokio::spawn(async move { dian.validate_classification(code).await })
        })
        .collect();
    for call in calls {
        assert!(call.await.unwrap().unwrap().value.valid);
    }
    let mut seen: Vec<_> = fake.seen().into_iter().map(|s| s.at).collect();
    seen.sort();
    assert_eq!(seen.len(), 6);
    for three in seen.windows(3) {
        assert!(
            three[2] - three[0] >= Duration::from_millis(900),
            "no more than two requests a second between both processes"
        );
    }
}

/// The host's configuration asking DIAN's service at `fake` (or nowhere).
fn http_config(data: &Path, api: &str, token_url: &str) -> bmc_host::Config {
    let mut config = config(data);
    config.dian.mode = "http".into();
    config.dian.base_url = api.into();
    config.dian.token_url = token_url.into();
    config.dian.client_id = CLIENT_ID.into();
    config.dian.client_secret = Some(bmc_host::config::Secret(CLIENT_SECRET.into()));
    config.dian.timeout_seconds = 2;
    config.dian.attempts = 2;
    config.dian.backoff_milliseconds = 10;
    config
}

#[test]
fn an_invoice_dian_cannot_check_goes_to_review_with_the_reason_never_registered() {
    let xml = std::fs::read(common::root().join("data/invoices/FEV-0005.xml")).unwrap();

    // Nothing listens where DIAN's service should be.
    let nowhere = format!("http://127.0.0.1:{}", common::free_port());
    let data = scratch("dian-down");
    let host = TestHost::start(http_config(
        &data,
        &format!("{nowhere}/v1"),
        &format!("{nowhere}/oauth2/token"),
    ));
    let (_, uploaded) = host.upload(&xml);
    let id = uploaded["invoice_id"].as_str().unwrap().to_string();
    let done = host.final_status(&id);
    assert_eq!(done["status"], "NEEDS_REVIEW", "{done}");
    assert!(done["certificate_id"].is_null());
    let error = done["error"].as_str().unwrap();
    assert!(error.starts_with("DIAN_UNAVAILABLE: "), "{error}");
    let (_, details) = host.get_json(&format!("/invoices/{id}/details"));
    let dian = &details["registration"]["dian"];
    assert_eq!(dian["verdict"], "unverified", "{dian}");
    assert_eq!(dian["mode"], "http");
    let (_, review) = host.get_json("/invoices?status=NEEDS_REVIEW");
    assert!(review.to_string().contains(&id), "in the review queue");
    let (_, metrics) = host.get("/metrics", None);
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("bmc_dian_review_total{verdict=\"unverified\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("# TYPE bmc_dian_breaker_state gauge"));
    assert!(metrics.contains("bmc_dian_failures_total{mode=\"http\"} 2"));
    let (_, status) = host.get_json("/admin/dian");
    assert_eq!(status["mode"], "http");
    assert_eq!(status["stats"]["failures"], 2);
    assert_eq!(status["stats"]["breaker"], "closed");

    // A person settles it: a recheck while DIAN is still down sends it back to review; an
    // approval registers it and keeps who approved it and why.
    let review = |body: &str| {
        host.post(
            &format!("/invoices/{id}/review"),
            "application/json",
            body.as_bytes(),
        )
    };
    let (status, problem) = review(r#"{"decision":"approve"}"#);
    assert_eq!(status, 400, "an approval needs a reason: {problem}");
    let (status, answer) = review(r#"{"decision":"recheck"}"#);
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["status"], "PENDING");
    let done = host.final_status(&id);
    assert_eq!(done["status"], "NEEDS_REVIEW", "{done}");
    let (status, _) =
        review(r#"{"decision":"approve","reason":"DIAN caído; subpartidas verificadas a mano"}"#);
    assert_eq!(status, 202);
    let done = host.final_status(&id);
    assert_eq!(done["status"], "REGISTERED", "{done}");
    assert!(done["certificate_id"].is_string());
    let (_, details) = host.get_json(&format!("/invoices/{id}/details"));
    let registration = &details["registration"];
    assert_eq!(registration["review"]["approved_by"], "test");
    assert_eq!(registration["review"]["role"], "admin");
    assert_eq!(registration["dian"]["verdict"], "unverified");
    let (status, problem) = review(r#"{"decision":"reject","reason":"x"}"#);
    assert_eq!(status, 409, "only NEEDS_REVIEW is reviewed: {problem}");

    // Another is rejected, with the reason.
    let other = std::fs::read(common::root().join("data/invoices/FEV-0001.xml")).unwrap();
    let (_, uploaded) = host.upload(&other);
    let other_id = uploaded["invoice_id"].as_str().unwrap().to_string();
    assert_eq!(host.final_status(&other_id)["status"], "NEEDS_REVIEW");
    let (status, _) = host.post(
        &format!("/invoices/{other_id}/review"),
        "application/json",
        br#"{"decision":"reject","reason":"vendedor no habilitado"}"#,
    );
    assert_eq!(status, 202);
    let done = host.final_status(&other_id);
    assert_eq!(done["status"], "REJECTED");
    assert_eq!(done["error"], "REVIEW_REJECTED: vendedor no habilitado");
    let (_, audit) = host.get_json(&format!("/admin/audit?subject={other_id}"));
    let last = audit["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["who"], "test", "{last}");
    host.stop();

    // With the service up, the same invoice is confirmed and registered; its answers are kept.
    let fake = FakeDian::start();
    let up = scratch("dian-up");
    let cache = up.join("dian-cache.sqlite");
    let host = TestHost::start(http_config(&up, &fake.api(), &fake.token_url()));
    let (_, uploaded) = host.upload(&xml);
    let id = uploaded["invoice_id"].as_str().unwrap().to_string();
    let done = host.final_status(&id);
    assert_eq!(done["status"], "REGISTERED", "{done}");
    let (_, details) = host.get_json(&format!("/invoices/{id}/details"));
    let dian = &details["registration"]["dian"];
    assert_eq!(dian["verdict"], "confirmed", "{dian}");
    assert_eq!(dian["source"], "live");
    assert!(!dian["codes"].as_array().unwrap().is_empty());
    assert!(fake.seen().iter().any(|s| s.path == "/compliance/validate"));
    host.stop();

    // The service fails; a host with those answers registers the invoice on them, and says so.
    fake.set_mode(Mode::Failing);
    let fallback = scratch("dian-fallback");
    let mut config = http_config(&fallback, &fake.api(), &fake.token_url());
    config.dian.cache_file = Some(cache);
    let host = TestHost::start(config);
    let (_, uploaded) = host.upload(&xml);
    let id = uploaded["invoice_id"].as_str().unwrap().to_string();
    let done = host.final_status(&id);
    assert_eq!(done["status"], "REGISTERED", "{done}");
    let (_, details) = host.get_json(&format!("/invoices/{id}/details"));
    assert_eq!(details["registration"]["dian"]["source"], "fallback");
    host.stop();

    for dir in [data, up, fallback] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
