//! Local stand-ins for AWS: moto's server (PyPI `moto[server]`) for S3, SQS, EventBridge and
//! SES, and a small fake of Textract's JSON protocol replaying a committed Textract response.
//! Both listen on free ports of 127.0.0.1 and stop when dropped.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::{free_port, python, request, wait_until};

/// The fake credentials and region every stand-in takes.
pub const REGION: &str = "us-east-1";

/// moto's server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:port`.
    pub endpoint: String,
}

impl Moto {
    /// Starts moto's server and waits until it answers.
    pub fn start() -> Moto {
        let python = python();
        assert!(
            Command::new(&python)
                .args(["-c", "import moto.server, flask"])
                .status()
                .is_ok_and(|s| s.success()),
            "{} has no moto[server]: run scripts/test-all.sh (it makes target/venv) or set \
             BMC_TEST_PYTHON",
            python.display()
        );
        let port = free_port();
        let child = Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let endpoint = format!("http://127.0.0.1:{port}");
        wait_until(Duration::from_secs(60), || {
            request(&endpoint, "GET", "/moto-api/", None, None, b"").0 == 200
        });
        Moto { child, endpoint }
    }

    /// The variables a child process reaches moto with (the fake credentials, the region and
    /// the endpoint), Textract pointed at `textract` when given.
    pub fn env(&self, textract: Option<&FakeTextract>) -> Vec<(String, String)> {
        let mut env = vec![
            ("AWS_ENDPOINT_URL".to_string(), self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID".to_string(), "test".to_string()),
            ("AWS_SECRET_ACCESS_KEY".to_string(), "test".to_string()),
            ("AWS_REGION".to_string(), REGION.to_string()),
            ("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string()),
        ];
        if let Some(textract) = textract {
            env.push((
                "AWS_ENDPOINT_URL_TEXTRACT".to_string(),
                textract.endpoint.clone(),
            ));
        }
        env
    }

    /// The SDK's configuration for moto (in this process).
    pub async fn sdk(&self) -> aws_config::SdkConfig {
        sdk_at(&self.endpoint).await
    }

    /// Runs `script` with boto3 clients of moto (`client("logs")`, `json` imported) and
    /// answers what it printed.
    pub fn boto(&self, script: &str) -> String {
        let prelude = format!(
            "import boto3, json\n\
             def client(name):\n    \
             return boto3.client(name, endpoint_url={:?}, region_name={REGION:?}, \
             aws_access_key_id='test', aws_secret_access_key='test')\n",
            self.endpoint
        );
        let out = Command::new(python())
            .args(["-c", &format!("{prelude}{script}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Everything moto holds of `service`'s `model` (its `/moto-api/data.json`).
    pub fn models(&self, service: &str, model: &str) -> Vec<Value> {
        let (_, body) = request(
            &self.endpoint,
            "GET",
            "/moto-api/data.json",
            None,
            None,
            b"",
        );
        let data: Value = serde_json::from_slice(&body).unwrap();
        data[service][model].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SDK's configuration for a stand-in at `endpoint`.
pub async fn sdk_at(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(REGION))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}

/// A call the fake Textract took: the operation and its request.
#[derive(Debug, Clone)]
pub struct TextractCall {
    /// `DetectDocumentText`, `StartDocumentTextDetection`, `GetDocumentTextDetection`.
    pub operation: String,
    /// The request's JSON.
    pub request: Value,
}

/// A fake of Textract's JSON protocol: every document reads as the committed response
/// `data/invoices/ocr/FEV-0004.textract.json`. An asynchronous job is in progress at its first
/// check and then answers its blocks over two pages of results (a `NextToken`).
pub struct FakeTextract {
    /// `http://127.0.0.1:port`.
    pub endpoint: String,
    /// The calls taken, in order.
    pub calls: Arc<Mutex<Vec<TextractCall>>>,
    /// While true, every call fails with a 500 (Textract's InternalServerError).
    pub failing: Arc<std::sync::atomic::AtomicBool>,
    _runtime: tokio::runtime::Runtime,
}

impl FakeTextract {
    /// Starts the fake on a free port.
    pub fn start() -> FakeTextract {
        let response: Value = serde_json::from_str(
            &std::fs::read_to_string(
                super::root().join("data/invoices/ocr/FEV-0004.textract.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let calls: Arc<Mutex<Vec<TextractCall>>> = Arc::default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let failing: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let state = (Arc::new(response), Arc::clone(&calls), Arc::clone(&failing));
        let app = axum::Router::new()
            .route("/", axum::routing::post(answer))
            .with_state(state);
        runtime.spawn(async move { axum::serve(listener, app).await });
        FakeTextract {
            endpoint,
            calls,
            failing,
            _runtime: runtime,
        }
    }

    /// The operations called, in order.
    pub fn operations(&self) -> Vec<String> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.operation.clone())
            .collect()
    }
}

type FakeState = (
    Arc<Value>,
    Arc<Mutex<Vec<TextractCall>>>,
    Arc<std::sync::atomic::AtomicBool>,
);

async fn answer(
    axum::extract::State((response, calls, failing)): axum::extract::State<FakeState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let operation = target.trim_start_matches("Textract.").to_string();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let earlier = {
        let mut calls = calls.lock().unwrap();
        calls.push(TextractCall {
            operation: operation.clone(),
            request: request.clone(),
        });
        calls.iter().filter(|c| c.operation == operation).count() - 1
    };
    if failing.load(std::sync::atomic::Ordering::SeqCst) {
        return error_with(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "the fake is failing",
        );
    }
    let blocks = response["Blocks"].as_array().cloned().unwrap_or_default();
    let (first, second) = blocks.split_at(blocks.len() / 2);
    let body = match operation.as_str() {
        "DetectDocumentText" => {
            if request["Document"]["Bytes"].as_str().is_none() {
                return error("InvalidParameterException", "Document.Bytes is missing");
            }
            (*response).clone()
        }
        "StartDocumentTextDetection" => {
            if request["DocumentLocation"]["S3Object"]["Name"]
                .as_str()
                .is_none()
            {
                return error("InvalidParameterException", "DocumentLocation is missing");
            }
            json!({"JobId": "job-1"})
        }
        "GetDocumentTextDetection" => match (earlier, request["NextToken"].as_str()) {
            (0, _) => json!({"JobStatus": "IN_PROGRESS"}),
            (_, None) => json!({
                "JobStatus": "SUCCEEDED",
                "DocumentMetadata": {"Pages": 1},
                "Blocks": first,
                "NextToken": "page-2",
            }),
            (_, Some(_)) => json!({
                "JobStatus": "SUCCEEDED",
                "DocumentMetadata": {"Pages": 1},
                "Blocks": second,
            }),
        },
        other => return error("UnknownOperationException", other),
    };
    (
        [("content-type", "application/x-amz-json-1.1")],
        body.to_string(),
    )
        .into_response()
}

fn error(code: &str, message: &str) -> axum::response::Response {
    error_with(axum::http::StatusCode::BAD_REQUEST, code, message)
}

fn error_with(
    status: axum::http::StatusCode,
    code: &str,
    message: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    (
        status,
        [("content-type", "application/x-amz-json-1.1")],
        json!({"__type": code, "message": message}).to_string(),
    )
        .into_response()
}

/// An SQS queue `name` receiving every `bmc.*` event of the EventBridge bus `bus` (a rule of
/// the seed's rules' shape, created with the bus unless it is `default`), and its URL.
pub async fn tap(sdk: &aws_config::SdkConfig, bus: &str, name: &str) -> String {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let events = aws_sdk_eventbridge::Client::new(sdk);
    if bus != "default" {
        events.create_event_bus().name(bus).send().await.unwrap();
    }
    events
        .put_rule()
        .name(format!("{name}-rule"))
        .event_bus_name(bus)
        .event_pattern(json!({"source": [{"prefix": "bmc."}]}).to_string())
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule(format!("{name}-rule"))
        .event_bus_name(bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("tap")
                .arn(format!("arn:aws:sqs:{REGION}:123456789012:{name}"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    url
}

/// Every message of the queue at `url` (as JSON), deleted as read.
pub async fn drain(sdk: &aws_config::SdkConfig, url: &str) -> Vec<Value> {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let mut bodies = Vec::new();
    loop {
        let got = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let messages = got.messages.unwrap_or_default();
        if messages.is_empty() {
            return bodies;
        }
        for m in messages {
            bodies.push(serde_json::from_str(m.body().unwrap()).unwrap());
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
}

/// A CloudWatch Logs group `group` receiving every `bmc.*` event of the EventBridge bus
/// `bus` (created with the bus unless it is `default`): moto appends to a log group in constant
/// time, where a queue holding thousands of messages slows every call down.
pub fn log_tap(moto: &Moto, bus: &str, group: &str) {
    moto.boto(&format!(
        r#"
logs = client("logs")
events = client("events")
logs.create_log_group(logGroupName={group:?})
if {bus:?} != "default":
    events.create_event_bus(Name={bus:?})
events.put_rule(Name="log-tap", EventBusName={bus:?},
                EventPattern=json.dumps({{"source": [{{"prefix": "bmc."}}]}}))
events.put_targets(Rule="log-tap", EventBusName={bus:?}, Targets=[{{
    "Id": "log", "Arn": "arn:aws:logs:{REGION}:123456789012:log-group:{group}"}}])
"#
    ));
}

/// The events logged in `group` (see [`log_tap`]), as the outbox wrote them (`name`, `id`,
/// `detail`), for [`super::child::check_nothing_lost`].
pub fn logged_events<'a>(moto: &'a Moto, group: &'a str) -> impl FnMut() -> Vec<Value> + 'a {
    move || {
        let out = moto.boto(&format!(
            r#"
logs = client("logs")
kwargs = {{"logGroupName": {group:?}}}
while True:
    page = logs.filter_log_events(**kwargs)
    for event in page["events"]:
        print(event["message"])
    if not page.get("nextToken"):
        break
    kwargs["nextToken"] = page["nextToken"]
"#
        ));
        out.lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap()["detail"].clone())
            .collect()
    }
}
