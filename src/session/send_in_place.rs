//! Sends whose payload stays in the caller's memory: it is masked straight from there into the
//! outbox, the one copy every client frame needs anyway.
//!
//! A payload handed over as [`Bytes`](bytes::Bytes) from Swift is copied twice before it is masked
//! into the outbox: into a Swift array, then into a buffer of the core's, each freshly allocated.
//! The Swift layer's `send(Data)` and `send(String)` instead pass the address of the payload they
//! hold for the length of the call. (The call's name starts with `unsafe` in the bindings: the
//! caller vouches for the address, as for UniFFI's own `init(unsafeFromHandle:)`.)

use super::ClientWebSocketSession;
use crate::error::{Result, WebSocketError};
use crate::protocol::Borrowed;

impl ClientWebSocketSession {
    /// [`try_send_binary`](Self::try_send_binary) with the payload borrowed: it is masked
    /// straight into the outbox, so the caller keeps its buffer and nothing else is allocated.
    /// `true` when queued; `false` as for `try_send` (then call [`send_binary`](Self::send_binary)).
    pub fn try_send_binary_from(&self, data: &[u8]) -> bool {
        self.try_queue(std::iter::once(Borrowed::Binary(data))) == 1
    }

    /// [`try_send_binary_from`](Self::try_send_binary_from) for a text message.
    pub fn try_send_text_from(&self, text: &str) -> bool {
        self.try_queue(std::iter::once(Borrowed::Text(text))) == 1
    }
}

#[uniffi::export]
impl ClientWebSocketSession {
    /// For the bindings: [`try_send_binary_from`](Self::try_send_binary_from) for the `length`
    /// bytes at `address` in the caller's memory, which must stay readable and unchanged until
    /// the call returns (the Swift layer passes a `Data`'s bytes from inside `withUnsafeBytes`).
    /// Only read during the call. Not part of the Rust API (Rust passes a slice). Unsafe like
    /// UniFFI's own `init(unsafeFromHandle:)`, hence the name: the generated bindings make it
    /// public, and a wrong address crashes the process or sends other memory.
    ///
    /// Errors: `InvalidRequest` for a null address with a non-zero length, or a length no slice
    /// can have.
    fn unsafe_try_send_binary_at(&self, address: u64, length: u64) -> Result<bool> {
        // SAFETY: only foreign code calls this (it is private to this module; UniFFI's scaffolding
        // calls it), and it passes a live buffer of `length` bytes that it does not change during
        // the call, as it passes live object handles and buffers to every other FFI function.
        let data = unsafe { borrowed(address, length)? };
        Ok(self.try_send_binary_from(data))
    }

    /// For the bindings: [`try_send_text_from`](Self::try_send_text_from) for the `length` bytes
    /// of UTF-8 at `address`, under the same terms as
    /// [`unsafe_try_send_binary_at`](Self::unsafe_try_send_binary_at).
    ///
    /// Errors: `InvalidRequest` as there, and for bytes that are not UTF-8 (nothing is sent).
    fn unsafe_try_send_text_at(&self, address: u64, length: u64) -> Result<bool> {
        // SAFETY: as in `unsafe_try_send_binary_at`.
        let bytes = unsafe { borrowed(address, length)? };
        let text = std::str::from_utf8(bytes).map_err(|error| {
            WebSocketError::invalid_request(format!("a text message must be UTF-8: {error}"))
        })?;
        Ok(self.try_send_text_from(text))
    }
}

/// The `length` bytes at `address`, checked as far as they can be: no null address unless empty,
/// no length beyond what a slice may span.
///
/// # Safety
///
/// `address` must point to `length` readable bytes that nothing changes while the slice lives.
unsafe fn borrowed<'a>(address: u64, length: u64) -> Result<&'a [u8]> {
    let too_long = || {
        WebSocketError::invalid_request(format!("a payload of {length} bytes cannot be addressed"))
    };
    let length = usize::try_from(length).map_err(|_| too_long())?;
    if length > isize::MAX as usize {
        return Err(too_long());
    }
    if length == 0 {
        return Ok(&[]);
    }
    let address = usize::try_from(address).map_err(|_| {
        WebSocketError::invalid_request(format!("{address:#x} is not an address on this machine"))
    })?;
    if address == 0 {
        return Err(WebSocketError::invalid_request(format!(
            "a payload of {length} bytes was passed without an address"
        )));
    }
    // SAFETY: the caller vouches for the memory; the address is not null and the length fits.
    Ok(unsafe { std::slice::from_raw_parts(address as *const u8, length) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_payloads_are_checked_before_they_are_read() {
        let payload = *b"payload";
        // SAFETY: the address and length are those of `payload`, alive and unchanged.
        let read = unsafe { borrowed(payload.as_ptr() as u64, payload.len() as u64) };
        assert_eq!(read.unwrap(), b"payload");
        // SAFETY: nothing is read for an empty payload, whatever its address.
        assert_eq!(unsafe { borrowed(0, 0) }.unwrap(), b"");
        // SAFETY: rejected before anything is read.
        let null = unsafe { borrowed(0, 3) };
        assert!(
            matches!(null, Err(WebSocketError::InvalidRequest { .. })),
            "{null:?}"
        );
        // SAFETY: rejected before anything is read.
        let huge = unsafe { borrowed(payload.as_ptr() as u64, u64::MAX) };
        assert!(
            matches!(huge, Err(WebSocketError::InvalidRequest { .. })),
            "{huge:?}"
        );
    }
}
