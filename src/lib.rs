//! # uniws
//!
//! A WebSocket client written once in Rust and used from Swift, Kotlin/JVM and Rust, modelled on the
//! Ktor client WebSockets plugin: a [`WebSocketClient`] built from a [`WebSocketConfig`] opens
//! [`ClientWebSocketSession`]s from a [`WebSocketRequest`]; a session sends and receives
//! [`Frame`]s, answers pings, runs a pinger, and reports a [`CloseReason`] when it ends. Every
//! failure is a typed [`WebSocketError`].
//!
//! It runs on tokio, rustls (ring) and tungstenite's frame types, on a runtime the library owns, and
//! is exported through UniFFI so the Swift and Kotlin bindings share this one protocol engine.
//!
//! ```no_run
//! # async fn demo() -> uniws::Result<()> {
//! use futures_util::StreamExt;
//! use uniws::{Frame, WebSocketClient};
//!
//! let client = WebSocketClient::default();
//! let session = client.connect("ws://127.0.0.1:8080/echo").await?;
//! session.send_text("Hello!".into()).await?;
//! let mut incoming = Box::pin(session.incoming());
//! if let Some(Frame::Text { text }) = incoming.next().await.transpose()? {
//!     println!("{text}");
//! }
//! session.close().await?;
//! println!("closed: {}", session.close_reason().await);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod buffer_pool;
mod call;
mod client;
pub mod config;
mod connect;
mod error;
mod extensions;
mod ffi;
mod frame;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod headers;
mod protocol;
mod request;
mod runtime;
mod session;

pub use bytes::Bytes;
pub use call::{HttpCall, HttpRequest, HttpResponse};
pub use client::WebSocketClient;
pub use config::{
    CertificatePin, DeflateConfig, TlsConfig, TlsVersion, WebSocketConfig, MESSAGE_SIZE_CEILING,
};
pub use error::{Result, WebSocketError};
pub use extensions::PERMESSAGE_DEFLATE;
pub use frame::{close_code_from_value, close_code_value, CloseCode, CloseReason, Frame};
pub use headers::{Header, Headers};
pub use request::{HttpMethod, WebSocketRequest};
pub use session::ClientWebSocketSession;
pub use url::Url;

uniffi::setup_scaffolding!();

// Lets the unit tests share the integration tests' peers, which name the crate.
#[cfg(test)]
extern crate self as uniws;

/// The README's examples, compiled as doc tests so they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
