//! `uniws`: a wscat-like client on the uniws library. Sends stdin lines as text messages, prints
//! incoming messages, and closes the session when stdin ends.

mod args;
mod echo_server;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use args::{Command, Options};
use tokio::io::{AsyncBufReadExt, BufReader};
use uniws::{
    ClientWebSocketSession, DeflateConfig, Frame, Header, WebSocketClient, WebSocketConfig,
    WebSocketError, WebSocketRequest,
};

#[tokio::main]
async fn main() -> ExitCode {
    match args::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("uniws {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Connect(options)) => match run(options).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("uniws: {error}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("uniws: {message}\n\n{}", args::USAGE);
            ExitCode::from(2)
        }
    }
}

async fn run(options: Options) -> Result<(), WebSocketError> {
    let url = match options.url.clone() {
        Some(url) => url,
        None => {
            let url = echo_server::start()
                .await
                .map_err(|error| WebSocketError::Io {
                    detail: format!("cannot start the embedded echo server: {error}"),
                })?;
            eprintln!("uniws: no URL given; talking to an embedded echo server at {url}");
            url
        }
    };
    let client = WebSocketClient::new(WebSocketConfig {
        ping_interval: options.ping_interval,
        user_agent: Some(format!("uniws-cli/{}", env!("CARGO_PKG_VERSION"))),
        deflate: if options.no_compress {
            DeflateConfig::disabled()
        } else {
            DeflateConfig::default()
        },
        ..Default::default()
    });
    let request = WebSocketRequest {
        headers: options
            .headers
            .iter()
            .map(|(name, value)| Header::new(name, value))
            .collect(),
        subprotocols: options.subprotocols.clone(),
        ..WebSocketRequest::new(url)
    };
    let session = client.web_socket_session(request).await?;
    if options.verbose {
        print_call(&session);
    }
    let printer = tokio::spawn(print_incoming(session.clone()));
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines
        .next_line()
        .await
        .map_err(|error| WebSocketError::Io {
            detail: error.to_string(),
        })?
    {
        if let Err(error) = session.send_text(line).await {
            // The session ended under us; the printer reports why.
            let _ = printer.await;
            return Err(error);
        }
    }
    session.close().await?;
    let failure = printer.await.unwrap_or(None);
    let reason = session.close_reason().await;
    if options.verbose {
        eprintln!("closed: {reason}");
    }
    match failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Prints messages until the session ends; returns the failure, if it did not end normally.
async fn print_incoming(session: Arc<ClientWebSocketSession>) -> Option<WebSocketError> {
    loop {
        let frame = match session.receive().await {
            Ok(frame) => frame,
            Err(WebSocketError::Closed { .. }) => return None,
            Err(error) => return Some(error),
        };
        let mut stdout = std::io::stdout().lock();
        let _ = match frame {
            Frame::Text { text } => writeln!(stdout, "{text}"),
            Frame::Binary { data } => writeln!(
                stdout,
                "<binary, {} bytes: {}>",
                data.len(),
                hex_preview(&data)
            ),
            other => writeln!(stdout, "<{other:?}>"),
        };
        let _ = stdout.flush();
    }
}

fn hex_preview(data: &[u8]) -> String {
    let shown: Vec<String> = data
        .iter()
        .take(32)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let ellipsis = if data.len() > 32 { " …" } else { "" };
    format!("{}{ellipsis}", shown.join(" "))
}

fn print_call(session: &ClientWebSocketSession) {
    let call = session.call();
    eprintln!("> {} {}", call.request.method.as_str(), call.request.url);
    for header in call.request.headers.iter() {
        eprintln!("> {}: {}", header.name, header.value);
    }
    eprintln!(
        "< {} {} {}",
        call.http_version, call.response.status, call.response.reason_phrase
    );
    for header in call.response.headers.iter() {
        eprintln!("< {}: {}", header.name, header.value);
    }
    eprintln!(
        "subprotocol: {}",
        call.subprotocol.as_deref().unwrap_or("none")
    );
    let extensions = call.extensions.join(", ");
    eprintln!(
        "extensions: {}",
        if extensions.is_empty() {
            "none"
        } else {
            &extensions
        }
    );
}
