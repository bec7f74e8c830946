//! Memory the foreign caller lends for the length of one call.

use crate::error::{Result, WebSocketError};

/// The `length` bytes at `address`, checked as far as they can be: no null address unless empty,
/// no length beyond what a slice may span.
///
/// # Safety
///
/// `address` must point to `length` readable bytes that nothing changes while the slice lives.
pub(super) unsafe fn borrowed<'a>(address: u64, length: u64) -> Result<&'a [u8]> {
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
