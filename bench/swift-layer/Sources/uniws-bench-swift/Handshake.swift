import UniWS

/// Opening a session (TCP, TLS for wss://, upgrade), timed; each session is closed untimed.
func handshakes(_ client: WebSocketClient, url: String, rounds: Int) async throws {
    let clock = ContinuousClock()
    var samples: [Duration] = []
    samples.reserveCapacity(rounds)
    for _ in 0..<rounds {
        let started = clock.now
        let session = try await client.webSocketSession(url)
        samples.append(clock.now - started)
        try await session.close()
    }
    samples.sort()
    let scheme = url.hasPrefix("wss") ? "wss" : "ws"
    emit(#"{"contender":"\#(contender)","workload":"handshake_\#(scheme)","rounds":\#(rounds),"p50_us":\#(fixed(percentile(samples, 0.50), 1)),"p99_us":\#(fixed(percentile(samples, 0.99), 1))}"#)
}
