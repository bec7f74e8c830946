//! The Autobahn|Testsuite client driver, written against uniws's public API only.
//!
//! Reads the case count from `$AUTOBAHN_URL/getCaseCount`, runs every case echoing each text and
//! binary message back until the server closes, then asks for the reports. Set `AUTOBAHN_URL`
//! (default `ws://127.0.0.1:9001`) and `AGENT` (default `uniws`); `run-client.sh` sets both.
//! Written as application code is: a session is let go as soon as `receive` fails, without
//! waiting for its close reason, so the close code on the wire is whatever letting go sends.
//!
//! ```text
//! cargo run --release --example autobahn_client
//! ```

use uniws::{Frame, WebSocketClient, WebSocketConfig, WebSocketError};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), WebSocketError> {
    let base = std::env::var("AUTOBAHN_URL").unwrap_or_else(|_| "ws://127.0.0.1:9001".into());
    let agent = std::env::var("AGENT").unwrap_or_else(|_| "uniws".into());
    let client = WebSocketClient::new(WebSocketConfig::default());

    let count_session = client.connect(&format!("{base}/getCaseCount")).await?;
    let count: u32 = match count_session.receive().await? {
        Frame::Text { text } => text.trim().parse().map_err(|_| WebSocketError::Io {
            detail: format!("getCaseCount answered {text:?}"),
        })?,
        other => panic!("getCaseCount answered {other:?}"),
    };
    count_session.close_reason().await;
    eprintln!("running {count} cases as agent {agent}");

    for case in 1..=count {
        let url = format!("{base}/runCase?case={case}&agent={agent}");
        match client.connect(&url).await {
            Ok(session) => {
                let ended = loop {
                    match session.receive().await {
                        Ok(frame @ (Frame::Text { .. } | Frame::Binary { .. })) => {
                            if let Err(error) = session.send(frame).await {
                                break error;
                            }
                        }
                        Ok(_) => {}
                        Err(error) => break error,
                    }
                };
                drop(session);
                if case % 50 == 0 || case == count {
                    eprintln!("case {case}/{count} done (ended with: {ended})");
                }
            }
            Err(error) => eprintln!("case {case}: could not open: {error}"),
        }
    }

    let reports = client
        .connect(&format!("{base}/updateReports?agent={agent}"))
        .await?;
    reports.close_reason().await;
    eprintln!("reports updated");
    Ok(())
}
