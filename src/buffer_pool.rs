//! Reuse of the memory of large payloads.
//!
//! Allocating and freeing tens of KiB per message, with several messages alive at once, makes
//! glibc's allocator return memory to the system and fault it back in, page by page (measured on a
//! current-thread runtime, where every allocation comes from the main heap). A [`BufferPool`] keeps
//! the allocations of the last large payloads and hands one out again once every message that used
//! it has been dropped.
//!
//! Messages are mostly dropped in the order they arrived, so beyond its limit the pool lets go of
//! idle allocations first and keeps those of the oldest payloads still alive: they are the next to
//! come free. A pool that let go of
//! its oldest allocations instead (as it once did) lost each one just before the application
//! dropped its message, and with more messages waiting than it kept, every allocation was a fresh
//! one (measured at 64 KiB pipelined, with receive calls reading: a quarter of the messages got
//! fresh memory, and a run took 26 k page faults).

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

/// Payloads from this size on use the pool.
const REUSE_MIN: usize = 4 << 10;

/// The largest allocation kept for reuse: a session that once received a huge message does not
/// hold its memory.
const REUSE_MAX: usize = 1 << 20;

/// The most memory the kept allocations may add up to, idle or still used by messages the
/// application holds (32 payloads of 64 KiB): what a session holds after a burst of large
/// messages stays bounded.
const KEPT_LIMIT: usize = 2 << 20;

/// An allocation a large payload was built in, possibly still shared with that payload.
struct Spare {
    /// The empty rest of the allocation after the payload was split off.
    buffer: BytesMut,
    /// The allocation's size.
    size: usize,
}

impl Spare {
    /// Whether every payload built in the allocation has been dropped; if so, the whole allocation
    /// is the buffer's again.
    fn reclaim(&mut self, capacity: usize) -> bool {
        self.size >= capacity && self.buffer.try_reclaim(capacity)
    }
}

/// The allocations of the last large payloads, oldest first.
#[derive(Default)]
pub(crate) struct BufferPool {
    spares: VecDeque<Spare>,
    /// The sum of the spares' sizes.
    kept: usize,
    /// Fresh allocations made for payloads from [`REUSE_MIN`] on.
    #[cfg(test)]
    fresh: usize,
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
                .position(|spare| spare.reclaim(capacity));
            if let Some(spare) = free.and_then(|index| self.spares.remove(index)) {
                self.kept -= spare.size;
                return spare.buffer;
            }
            #[cfg(test)]
            {
                self.fresh += 1;
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
        self.trim();
        payload
    }

    /// Lets go of allocations beyond [`KEPT_LIMIT`]: idle ones first, oldest first, then the
    /// oldest (whose memory stays with their payloads until those are dropped).
    fn trim(&mut self) {
        let mut index = 0;
        while self.kept > KEPT_LIMIT && index < self.spares.len() {
            let spare = &mut self.spares[index];
            if spare.reclaim(spare.size) {
                self.kept -= spare.size;
                self.spares.remove(index);
            } else {
                index += 1;
            }
        }
        while self.kept > KEPT_LIMIT {
            let oldest = self.spares.pop_front().expect("the sizes add up to `kept`");
            self.kept -= oldest.size;
        }
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
    fn small_payloads_stay_out_and_the_limit_holds() {
        let mut pool = BufferPool::default();
        assert_eq!(pool.copy(&[4; 100]).len(), 100);
        assert_eq!(pool.kept(), 0);
        for round in 0..64u8 {
            drop(pool.copy(&[round; 60 << 10]));
            assert!(pool.kept() <= KEPT_LIMIT);
        }
        assert!(pool.kept() > 0);
        // Payloads the application holds: the pool keeps no more than its limit of them...
        let held: Vec<Bytes> = (0..100).map(|_| pool.copy(&[5; 64 << 10])).collect();
        assert!(pool.kept() <= KEPT_LIMIT);
        // ...and once they are dropped, their memory is reused (none of it was let go of).
        let kept = pool.kept();
        drop(held);
        let fresh = pool.fresh;
        drop(pool.copy(&[6; 64 << 10]));
        assert_eq!((pool.fresh, pool.kept()), (fresh, kept));
    }

    /// Payloads alive up to the limit, dropped oldest first as an application reads them: the
    /// next payloads are built in the memory of the dropped ones.
    #[test]
    fn the_oldest_payloads_alive_are_the_ones_whose_memory_is_reused() {
        let mut pool = BufferPool::default();
        let mut alive: VecDeque<Bytes> = (0..32).map(|_| pool.copy(&[7; 64 << 10])).collect();
        const { assert!(32 * (64 << 10) == KEPT_LIMIT) };
        assert_eq!(pool.fresh, 32);
        for _ in 0..200 {
            alive.pop_front();
            alive.push_back(pool.copy(&[8; 64 << 10]));
        }
        assert_eq!(pool.fresh, 32, "fresh allocations after the first 32");
    }
}
