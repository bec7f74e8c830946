//! Client-to-server masking (RFC 6455 section 5.3).

/// A fresh mask from a CSPRNG (rand's thread-local ChaCha generator, seeded by the OS).
pub(crate) fn random_mask() -> [u8; 4] {
    rand::random()
}

/// XORs `data` with `mask`, where `data` starts at payload offset 0.
pub(crate) fn apply_mask(data: &mut [u8], mask: [u8; 4]) {
    let wide = u64::from_ne_bytes([
        mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3],
    ]);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let word = u64::from_ne_bytes(chunk.try_into().expect("chunks are 8 bytes")) ^ wide;
        chunk.copy_from_slice(&word.to_ne_bytes());
    }
    for (index, byte) in chunks.into_remainder().iter_mut().enumerate() {
        *byte ^= mask[index & 3];
    }
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
}
