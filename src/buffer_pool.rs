//! Reuse of the memory of large payloads.
//!
//! Allocating and freeing tens of KiB per message, with several messages alive at once, makes
//! glibc's allocator return memory to the system and fault it back in, page by page (measured on a
//! current-thread runtime, where every allocation comes from the main heap). A [`BufferPool`] keeps
//! the allocations of the last large payloads (within a budget) and hands one out again once every
//! message that used it has been dropped.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

/// Payloads from this size on use the pool.
const REUSE_MIN: usize = 4 << 10;

/// The largest allocation kept for reuse: a session that once received a huge message does not
/// hold its memory.
const REUSE_MAX: usize = 1 << 20;

/// The most memory the kept allocations may add up to, so that what a session holds after a burst
/// of large messages stays bounded.
const REUSE_BUDGET: usize = 1 << 20;

/// An allocation a large payload was built in, still shared with that payload.
struct Spare {
    /// The empty rest of the allocation after the payload was split off.
    buffer: BytesMut,
    /// The allocation's size.
    size: usize,
}

/// The allocations of the last large payloads, oldest first.
#[derive(Default)]
pub(crate) struct BufferPool {
    spares: VecDeque<Spare>,
    /// The sum of the spares' sizes.
    kept: usize,
}

impl BufferPool {
    /// An empty buffer with room for `capacity` bytes: a kept allocation whose payloads have all
    /// been dropped when there is one (and `capacity` is large enough to use the pool), else a
    /// fresh one.
    pub(crate) fn take(&mut self, capacity: usize) -> BytesMut {
        if capacity >= REUSE_MIN {
            let free = self
                .spares
                .iter_mut()
                .position(|spare| spare.size >= capacity && spare.buffer.try_reclaim(capacity));
            if let Some(spare) = free.and_then(|index| self.spares.remove(index)) {
                self.kept -= spare.size;
                return spare.buffer;
            }
        }
        BytesMut::with_capacity(capacity)
    }

    /// Freezes `data` into a payload and keeps its allocation for reuse once that payload has
    /// been dropped (only allocations within the pool's sizes).
    pub(crate) fn freeze(&mut self, mut data: BytesMut) -> Bytes {
        let size = data.capacity();
        if !(REUSE_MIN..=REUSE_MAX).contains(&size) {
            return data.freeze();
        }
        let payload = data.split().freeze();
        self.spares.push_back(Spare { buffer: data, size });
        self.kept += size;
        while self.kept > REUSE_BUDGET {
            let oldest = self.spares.pop_front().expect("the sizes add up to `kept`");
            self.kept -= oldest.size;
        }
        payload
    }

    /// A copy of `payload` in pooled memory.
    #[cfg(test)]
    fn copy(&mut self, payload: &[u8]) -> Bytes {
        let mut buffer = self.take(payload.len());
        buffer.extend_from_slice(payload);
        self.freeze(buffer)
    }

    /// How many bytes of allocations the pool keeps.
    #[cfg(test)]
    pub(crate) fn kept(&self) -> usize {
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_reused_once_its_payload_is_dropped() {
        let mut pool = BufferPool::default();
        let first = pool.copy(&[1; 8 << 10]);
        let first_address = first.as_ptr();
        // Still held: the next payload gets memory of its own, and the first stays intact.
        let second = pool.copy(&[2; 8 << 10]);
        assert_ne!(second.as_ptr(), first_address);
        assert!(first.iter().all(|&byte| byte == 1));
        drop(first);
        let third = pool.copy(&[3; 8 << 10]);
        assert_eq!(third.as_ptr(), first_address);
        assert!(third.iter().all(|&byte| byte == 3) && second.iter().all(|&byte| byte == 2));
    }

    #[test]
    fn small_payloads_stay_out_and_the_budget_holds() {
        let mut pool = BufferPool::default();
        assert_eq!(pool.copy(&[4; 100]).len(), 100);
        assert_eq!(pool.kept(), 0);
        for round in 0..64u8 {
            drop(pool.copy(&[round; 60 << 10]));
            assert!(pool.kept() <= REUSE_BUDGET);
        }
        assert!(pool.kept() > 0);
    }
}
