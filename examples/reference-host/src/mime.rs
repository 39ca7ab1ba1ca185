//! A mail as an RFC 5322 message with MIME parts (text, then base64 attachments).

use base64::Engine as _;

use crate::capability::Mail;

/// The message's text, lines ending in CRLF.
pub fn render(mail: &Mail) -> String {
    let boundary = format!(
        "=_bmc_{}",
        crate::ids::sha256_hex(mail.message_id.as_bytes())
            .get(..24)
            .unwrap_or("b")
    );
    let date = chrono::Utc::now().to_rfc2822();
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push_str("\r\n");
    };
    line(&format!("Message-ID: <{}>", mail.message_id));
    line(&format!("Date: {date}"));
    line(&format!("From: {}", mail.from));
    line(&format!("To: {}", mail.to));
    line(&format!("Subject: {}", encode_header(&mail.subject)));
    line("MIME-Version: 1.0");
    line(&format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\""
    ));
    line("");
    line(&format!("--{boundary}"));
    line("Content-Type: text/plain; charset=utf-8");
    line("Content-Transfer-Encoding: base64");
    line("");
    wrap_base64(mail.body.as_bytes(), &mut line);
    for attachment in &mail.attachments {
        line(&format!("--{boundary}"));
        line(&format!(
            "Content-Type: {}; name=\"{}\"",
            attachment.content_type, attachment.filename
        ));
        line("Content-Transfer-Encoding: base64");
        line(&format!(
            "Content-Disposition: attachment; filename=\"{}\"",
            attachment.filename
        ));
        line("");
        wrap_base64(&attachment.bytes, &mut line);
    }
    line(&format!("--{boundary}--"));
    out
}

/// A header value, RFC 2047-encoded when it is not plain ASCII.
fn encode_header(text: &str) -> String {
    if text.is_ascii() {
        text.to_string()
    } else {
        format!(
            "=?utf-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(text)
        )
    }
}

fn wrap_base64(bytes: &[u8], line: &mut impl FnMut(&str)) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    for chunk in encoded.as_bytes().chunks(76) {
        line(std::str::from_utf8(chunk).unwrap_or_default());
    }
}
