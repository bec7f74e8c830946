//! Client-to-server masking (RFC 6455 section 5.3).

/// A fresh mask from a CSPRNG (rand's thread-local ChaCha generator, seeded by the OS).
pub(crate) fn random_mask() -> [u8; 4] {
    rand::random()
}

/// The mask repeated over a word.
fn wide(mask: [u8; 4]) -> u64 {
    u64::from_ne_bytes([
        mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3],
    ])
}

/// XORs `data` with `mask`, where `data` starts at payload offset 0.
#[cfg(test)]
pub(crate) fn apply_mask(data: &mut [u8], mask: [u8; 4]) {
    let wide = wide(mask);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let word = u64::from_ne_bytes(chunk.try_into().expect("chunks are 8 bytes")) ^ wide;
        chunk.copy_from_slice(&word.to_ne_bytes());
    }
    for (index, byte) in chunks.into_remainder().iter_mut().enumerate() {
        *byte ^= mask[index & 3];
    }
}

/// Appends `payload` to `out`, masked with `mask`: one pass that reads each byte once and writes it
/// once, where copying and then masking in place would go over the copy twice (for a 64 KiB payload
/// that second pass cost as much as the copy).
pub(crate) fn extend_masked(out: &mut Vec<u8>, payload: &[u8], mask: [u8; 4]) {
    let wide = wide(mask);
    out.reserve(payload.len());
    let start = out.len();
    let room = &mut out.spare_capacity_mut()[..payload.len()];
    let mut targets = room.chunks_exact_mut(8);
    let mut sources = payload.chunks_exact(8);
    for (target, source) in (&mut targets).zip(&mut sources) {
        let word = u64::from_ne_bytes(source.try_into().expect("chunks are 8 bytes")) ^ wide;
        for (byte, value) in target.iter_mut().zip(word.to_ne_bytes()) {
            byte.write(value);
        }
    }
    let tail = targets.into_remainder().iter_mut().zip(sources.remainder());
    for (index, (byte, value)) in tail.enumerate() {
        byte.write(value ^ mask[index & 3]);
    }
    // SAFETY: the loops above wrote every one of the `payload.len()` bytes after `start` (the
    // chunks and their remainders cover `room`, which is exactly that long), and `reserve` made
    // room for them.
    unsafe { out.set_len(start + payload.len()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_masking_matches_the_bytewise_definition() {
        let mask = [0x12, 0x34, 0x56, 0x78];
        for length in 0..40 {
            let original: Vec<u8> = (0..length).map(|i| (i * 7) as u8).collect();
            let mut masked = original.clone();
            apply_mask(&mut masked, mask);
            let expected: Vec<u8> = original
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ mask[i % 4])
                .collect();
            assert_eq!(masked, expected);
            apply_mask(&mut masked, mask);
            assert_eq!(masked, original);
        }
    }

    #[test]
    fn masking_while_appending_matches_masking_in_place() {
        let mask = [0x9a, 0xbc, 0xde, 0xf0];
        for length in 0..40 {
            let payload: Vec<u8> = (0..length).map(|i| (i * 13) as u8).collect();
            let mut expected = b"head".to_vec();
            expected.extend_from_slice(&payload);
            apply_mask(&mut expected[4..], mask);
            let mut appended = b"head".to_vec();
            extend_masked(&mut appended, &payload, mask);
            assert_eq!(appended, expected, "length {length}");
        }
    }
}
