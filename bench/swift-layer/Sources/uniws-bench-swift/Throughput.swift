import UniWS

/// Messages in flight in the pipelined workload.
let window = 32

/// `count` messages pipelined `window` deep: a sender Task gated by a ``Window`` the receiving
/// loop refills on each echo; timed from the first send to the last echo. Prints its result line
/// unless `report` is false (a warm-up round).
func throughput(
    _ client: WebSocketClient, url: String, size: Int, count: Int, report: Bool = true
) async throws {
    let session = try await client.webSocketSession(url)
    var messages = session.incoming.makeAsyncIterator()
    let permits = Window(permits: window)
    let clock = ContinuousClock()
    let started = clock.now
    let sender = Task {
        do {
            for _ in 0..<count {
                await permits.acquire()
                try await sendBinary(session, size: size, byte: 7)
            }
        } catch {
            // The receiving loop would wait forever for the missing echoes.
            fail("send failed: \(error)")
        }
    }
    for _ in 0..<count {
        try await receiveEcho(&messages, size: size)
        permits.release()
    }
    let elapsed = microseconds(clock.now - started) / 1e6
    await sender.value
    if report { reportThroughput("throughput", size: size, count: count, seconds: elapsed) }
    try await session.close()
}

/// ``throughput`` with the caller isolated to the main actor, as SwiftUI view models, top-level
/// code and the iOS sample are: the sender Task and the receiving loop both run there.
@MainActor
func throughputOnMainActor(
    _ client: WebSocketClient, url: String, size: Int, count: Int, report: Bool = true
) async throws {
    let session = try await client.webSocketSession(url)
    var messages = session.incoming.makeAsyncIterator()
    let permits = Window(permits: window)
    let clock = ContinuousClock()
    let started = clock.now
    let sender = Task { @MainActor in
        do {
            for _ in 0..<count {
                await permits.acquire()
                try await sendBinary(session, size: size, byte: 7)
            }
        } catch {
            fail("send failed: \(error)")
        }
    }
    for _ in 0..<count {
        try await receiveEcho(&messages, size: size)
        permits.release()
    }
    let elapsed = microseconds(clock.now - started) / 1e6
    await sender.value
    if report { reportThroughput("throughput_main_actor", size: size, count: count, seconds: elapsed) }
    try await session.close()
}

/// Prints a pipelined workload's result line.
func reportThroughput(_ workload: String, size: Int, count: Int, seconds: Double) {
    let perSecond = Double(count) / seconds
    let megabytes = Double(count * size) / seconds / 1e6
    emit(#"{"contender":"\#(contender)","workload":"\#(workload)","size":\#(size),"count":\#(count),"window":\#(window),"msgs_per_s":\#(fixed(perSecond, 0)),"mb_per_s":\#(fixed(megabytes, 2))}"#)
}
