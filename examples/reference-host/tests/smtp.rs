//! Mail through a real SMTP server: Python's aiosmtpd on 127.0.0.1, storing what it
//! receives in a maildir.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{TestHost, config, scratch, wait_until};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_certificate_is_mailed_through_an_smtp_server() {
    let python = common::python();
    let probe = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .status();
    assert!(
        probe.is_ok_and(|s| s.success()),
        "{} has no aiosmtpd: run scripts/test-all.sh (it makes target/venv) or set BMC_TEST_PYTHON",
        python.display()
    );
    let data = scratch("smtp");
    let maildir = data.join("maildir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        Command::new(&python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until(Duration::from_secs(30), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });

    let mut settings = config(&data);
    settings.mail.mode = "smtp".into();
    settings.mail.smtp_port = port;
    let host = TestHost::start(settings);
    let xml = std::fs::read(common::root().join("data/invoices/FEV-0005.xml")).unwrap();
    let (status, answer) = host.post(
        "/invoices/upload?email=contabilidad@example.com",
        "application/xml",
        &xml,
    );
    assert_eq!(status, 202, "{answer}");
    let done = host.final_status(answer["invoice_id"].as_str().unwrap());
    assert_eq!(done["status"], "REGISTERED", "{done}");
    let certificate = done["certificate_id"].as_str().unwrap();

    let new = maildir.join("new");
    wait_until(Duration::from_secs(30), || {
        std::fs::read_dir(&new).is_ok_and(|d| d.count() == 1)
    });
    let path = std::fs::read_dir(&new)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mail = std::fs::read_to_string(path).unwrap();
    assert!(mail.contains("To: contabilidad@example.com"), "{mail}");
    assert!(
        mail.contains(&format!("Message-ID: <{certificate}.")),
        "{mail}"
    );
    assert!(mail.contains(&format!("filename=\"{certificate}.pdf\"")));
    // The PDF arrives whole.
    let encoded: String = mail
        .split("Content-Disposition: attachment")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.starts_with("--"))
        .collect();
    use base64::Engine as _;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}
