//! Byte payloads across the FFI as one block copy.
//!
//! UniFFI 0.32 converts a `Vec<u8>` one element at a time (a bounds check and a push per byte),
//! which made 64 KiB messages spend most of their time in conversion. [`Bytes`] travels in exactly
//! the same wire format (an `i32` length, then the bytes), so the generated Swift (`Data`) and
//! Kotlin (`ByteArray`) code is unchanged, but this side copies the block with one `memcpy` and a
//! top-level argument is taken over without any copy.

use bytes::{Buf, BufMut, Bytes};
use uniffi::{check_remaining, metadata, FfiConverter, MetadataBuffer, RustBuffer, TypeId};

/// The length prefix of a serialized byte string.
const LENGTH_PREFIX: usize = 4;

// SAFETY: the wire format and the type metadata are those of UniFFI's own `Vec<u8>` (`bytes` in
// the bindings), which the generated foreign code reads and writes.
unsafe impl FfiConverter<crate::UniFfiTag> for Bytes {
    type FfiType = RustBuffer;

    fn lower(obj: Bytes) -> RustBuffer {
        let mut buffer = Vec::with_capacity(LENGTH_PREFIX + obj.len());
        <Self as FfiConverter<crate::UniFfiTag>>::write(obj, &mut buffer);
        RustBuffer::from_vec(buffer)
    }

    fn try_lift(buffer: RustBuffer) -> uniffi::Result<Bytes> {
        let mut whole = buffer.destroy_into_vec();
        let mut view = whole.as_slice();
        check_remaining(view, LENGTH_PREFIX)?;
        let length = usize::try_from(view.get_i32())?;
        if view.len() != length {
            uniffi::deps::anyhow::bail!(
                "a byte string of {length} bytes arrived with {} bytes",
                view.len()
            );
        }
        // Keep the foreign side's buffer and skip the prefix: no copy.
        whole.truncate(LENGTH_PREFIX + length);
        Ok(Bytes::from(whole).slice(LENGTH_PREFIX..))
    }

    fn write(obj: Bytes, buffer: &mut Vec<u8>) {
        // Received payloads are at most `MESSAGE_SIZE_CEILING`, below 2 GiB: the bindings' arrays
        // are indexed by i32, so a longer one could not be described to them.
        let length = i32::try_from(obj.len()).expect("received payloads are below 2 GiB");
        buffer.reserve(LENGTH_PREFIX + obj.len());
        buffer.put_i32(length);
        buffer.put_slice(&obj);
    }

    fn try_read(buffer: &mut &[u8]) -> uniffi::Result<Bytes> {
        check_remaining(buffer, LENGTH_PREFIX)?;
        let length = usize::try_from(buffer.get_i32())?;
        check_remaining(buffer, length)?;
        let bytes = Bytes::copy_from_slice(&buffer[..length]);
        buffer.advance(length);
        Ok(bytes)
    }

    const TYPE_ID_META: MetadataBuffer = MetadataBuffer::from_code(metadata::codes::TYPE_VEC)
        .concat(<u8 as TypeId<crate::UniFfiTag>>::TYPE_ID_META);
}

uniffi::derive_ffi_traits!(local Bytes);

#[cfg(test)]
mod tests {
    use super::*;
    use uniffi::Lower;

    fn lower(bytes: Bytes) -> RustBuffer {
        <Bytes as FfiConverter<crate::UniFfiTag>>::lower(bytes)
    }

    #[test]
    fn the_wire_format_is_uniffis_vec_u8() {
        let payload: Vec<u8> = (0..=255).collect();
        let ours = lower(Bytes::from(payload.clone())).destroy_into_vec();
        let theirs = <Vec<u8> as Lower<crate::UniFfiTag>>::lower(payload).destroy_into_vec();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn lifting_round_trips_top_level_and_nested() {
        let payload = Bytes::from_static(b"\x00\x01binary\xff");
        let lifted =
            <Bytes as FfiConverter<crate::UniFfiTag>>::try_lift(lower(payload.clone())).unwrap();
        assert_eq!(lifted, payload);
        let mut serialized = Vec::new();
        <Bytes as FfiConverter<crate::UniFfiTag>>::write(payload.clone(), &mut serialized);
        serialized.push(42);
        let mut view = serialized.as_slice();
        let read = <Bytes as FfiConverter<crate::UniFfiTag>>::try_read(&mut view).unwrap();
        assert_eq!(read, payload);
        assert_eq!(view, [42]);
    }

    #[test]
    fn malformed_buffers_are_errors_not_panics() {
        let mut short: &[u8] = &[0, 0, 0, 9, 1, 2];
        assert!(<Bytes as FfiConverter<crate::UniFfiTag>>::try_read(&mut short).is_err());
        let mut negative: &[u8] = &[0xff, 0xff, 0xff, 0xff];
        assert!(<Bytes as FfiConverter<crate::UniFfiTag>>::try_read(&mut negative).is_err());
        let mismatched = RustBuffer::from_vec(vec![0, 0, 0, 5, 1]);
        assert!(<Bytes as FfiConverter<crate::UniFfiTag>>::try_lift(mismatched).is_err());
    }
}
