import UniWS

/// One message in flight: the time from send to its echo, after rounds/10 warm-up round trips.
/// Prints its result line unless `report` is false (a warm-up round).
func latency(
    _ client: WebSocketClient, url: String, size: Int, rounds: Int, report: Bool = true
) async throws {
    let session = try await client.webSocketSession(url)
    var messages = session.incoming.makeAsyncIterator()
    let clock = ContinuousClock()
    for _ in 0..<rounds / 10 {
        try await sendBinary(session, size: size, byte: 1)
        try await receiveEcho(&messages, size: size)
    }
    var samples: [Duration] = []
    samples.reserveCapacity(rounds)
    for _ in 0..<rounds {
        let started = clock.now
        try await sendBinary(session, size: size, byte: 1)
        try await receiveEcho(&messages, size: size)
        samples.append(clock.now - started)
    }
    samples.sort()
    if report {
        emit(#"{"contender":"\#(contender)","workload":"latency","size":\#(size),"rounds":\#(rounds),"p50_us":\#(fixed(percentile(samples, 0.50), 1)),"p99_us":\#(fixed(percentile(samples, 0.99), 1))}"#)
    }
    try await session.close()
}
