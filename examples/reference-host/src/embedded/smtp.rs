//! Mail through an SMTP server (RFC 5321): EHLO, MAIL FROM, RCPT TO, DATA, QUIT, one
//! connection a mail. For a relay on the same network (a local Postfix, SES's SMTP endpoint
//! behind a TLS-terminating relay); the connection itself is not encrypted.

use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

use crate::capability::{CapabilityError, Mail, Mailer};

/// An SMTP client.
#[derive(Debug, Clone)]
pub struct Smtp {
    host: String,
    port: u16,
}

impl Smtp {
    /// A client of the server at `host:port`.
    pub fn new(host: impl Into<String>, port: u16) -> Smtp {
        Smtp {
            host: host.into(),
            port,
        }
    }
}

fn fail(message: impl std::fmt::Display) -> CapabilityError {
    CapabilityError::transient("mailer", format!("smtp: {message}"))
}

/// Reads one reply (all its lines) and checks its code's first digit.
async fn reply(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    expect: u8,
) -> Result<String, CapabilityError> {
    let mut text = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.map_err(fail)? == 0 {
            return Err(fail("the server closed the connection"));
        }
        text.push_str(&line);
        // "250-..." continues; "250 ..." ends.
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            break;
        }
    }
    match text.as_bytes().first() {
        Some(&d) if d == expect => Ok(text),
        Some(b'4') => Err(fail(text.trim())),
        _ => Err(CapabilityError::permanent(
            "mailer",
            format!("smtp: {}", text.trim()),
        )),
    }
}

/// Dot-stuffs the message for DATA.
fn stuffed(message: &str) -> String {
    message
        .split("\r\n")
        .map(|l| {
            if l.starts_with('.') {
                format!(".{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[async_trait]
impl Mailer for Smtp {
    async fn send(&self, mail: &Mail) -> Result<(), CapabilityError> {
        let message = crate::mime::render(mail);
        let session = async {
            let stream = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(fail)?;
            let (read, mut write) = stream.into_split();
            let mut reader = BufReader::new(read);
            reply(&mut reader, b'2').await?;
            let mut say = async |command: String, expect: u8| -> Result<String, CapabilityError> {
                write.write_all(command.as_bytes()).await.map_err(fail)?;
                reply(&mut reader, expect).await
            };
            say("EHLO bmc-host\r\n".into(), b'2').await?;
            say(format!("MAIL FROM:<{}>\r\n", address(&mail.from)), b'2').await?;
            say(format!("RCPT TO:<{}>\r\n", address(&mail.to)), b'2').await?;
            say("DATA\r\n".into(), b'3').await?;
            say(
                format!("{}\r\n.\r\n", stuffed(message.trim_end_matches("\r\n"))),
                b'2',
            )
            .await?;
            let _ = say("QUIT\r\n".into(), b'2').await;
            Ok(())
        };
        tokio::time::timeout(Duration::from_secs(30), session)
            .await
            .map_err(|_| fail("no answer in 30 s"))?
    }
}

/// The address of `Name <address>` or of a bare address.
fn address(text: &str) -> &str {
    match (text.find('<'), text.rfind('>')) {
        (Some(a), Some(b)) if a < b => &text[a + 1..b],
        _ => text.trim(),
    }
}
