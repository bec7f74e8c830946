import Foundation

/// A counting semaphore for the pipelined workload: the sender takes a permit per message and the
/// receiving loop gives one back per echo, so at most `permits` messages are in flight.
///
/// Like bench-rust's tokio `Semaphore`, giving a permit back is synchronous: a lock, not an actor,
/// so the receiving loop does not hop executors once per echo and the figure measures uniws, not
/// the harness. Only a sender that finds no permit suspends.
final class Window: @unchecked Sendable {
    private let lock = NSLock()
    private var permits: Int
    private var waiting: CheckedContinuation<Void, Never>?

    init(permits: Int) {
        self.permits = permits
    }

    /// Takes a permit, suspending while there is none. One sender at a time. On the caller's
    /// actor: taking a free permit does not hop.
    func acquire(isolation: isolated (any Actor)? = #isolation) async {
        if takePermit() { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // A release may have come in since the first look: check again under the lock.
            let resumeNow: Bool = lock.withLock {
                if permits > 0 {
                    permits -= 1
                    return true
                }
                waiting = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Gives a permit back, resuming the waiting sender if there is one.
    func release() {
        let sender: CheckedContinuation<Void, Never>? = lock.withLock {
            if let sender = waiting {
                waiting = nil
                return sender
            }
            permits += 1
            return nil
        }
        sender?.resume()
    }

    private func takePermit() -> Bool {
        lock.withLock {
            guard permits > 0 else { return false }
            permits -= 1
            return true
        }
    }
}
