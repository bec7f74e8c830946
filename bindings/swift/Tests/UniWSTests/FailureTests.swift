import Foundation
import XCTest
@testable import UniWS

final class FailureTests: XCTestCase {
    func testServerCloseCarriesCodeAndReason() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/close?code=4001&reason=bye")
        await assertThrows(try await session.receive()) { error in
            if case WebSocketError.Closed(let reason, _) = error { return reason.code == 4001 && reason.message == "bye" }
            return false
        }
        let reason = await session.closeReason()
        XCTAssertEqual(reason, CloseReason(code: 4001, message: "bye"))
    }

    /// Application code lets a session go as soon as an error arrives; the close code the server
    /// reads must still be the failure's (1002), not the 1000 of an ordinary close.
    func testTheFailureCodeIsOnTheWireWhenTheApplicationLetsGoAfterTheError() async throws {
        for round in 0..<10 {
            let id = "swift-\(round)-\(UUID().uuidString)"
            try await receiveUntilTheViolation(at: "\(Peers.raw)/violation/\(id)")
            // The session is gone now: report what the server read.
            let report = try await WebSocketClient().webSocketSession("\(Peers.raw)/report/\(id)")
            let seen = try await report.receive()
            XCTAssertEqual(seen, .text(text: "1002"), "round \(round)")
        }
    }

    /// Iterates a session's messages until its protocol violation, then lets it go.
    private func receiveUntilTheViolation(at url: String) async throws {
        let session = try await WebSocketClient().webSocketSession(url)
        var received: [Frame] = []
        do {
            for try await frame in session.incoming { received.append(frame) }
            XCTFail("the violation was not reported")
        } catch WebSocketError.ProtocolViolation {
            XCTAssertEqual(received, [.text(text: "before")])
        }
    }

    func testMaxFrameSizeFailsWith1009() async throws {
        let client = WebSocketClient(config: WebSocketConfig(maxFrameSize: 1024))
        let session = try await client.webSocketSession("\(Peers.echo)/echo")
        try await session.send(Data(repeating: 7, count: 2048))
        await assertThrows(try await session.receive()) { error in
            if case WebSocketError.FrameTooBig = error { return true }
            return false
        }
        let reason = await session.closeReason()
        XCTAssertEqual(reason.code, CloseReason.Codes.tooBig)
    }

    func testHandshakeRejectedCarriesTheStatus() async throws {
        await assertThrows(try await WebSocketClient().webSocketSession("\(Peers.raw)/reject")) { error in
            if case WebSocketError.HandshakeRejected(let status, let detail) = error {
                return status == 403 && detail.contains("forbidden")
            }
            return false
        }
    }

    func testConnectionRefused() async throws {
        await assertThrows(try await WebSocketClient().webSocketSession("ws://127.0.0.1:1/")) { error in
            if case WebSocketError.ConnectFailed = error { return true }
            return false
        }
    }

    func testMethodsOtherThanGetAreRefusedBeforeAnyIO() async throws {
        for method in [HttpMethod.post, .put, .delete, .patch, .head, .options] {
            await assertThrows(
                try await WebSocketClient().webSocketSession(method: method, host: "127.0.0.1", port: 1, path: "/")
            ) { error in
                if case WebSocketError.InvalidRequest = error { return true }
                return false
            }
        }
    }

    func testAPayloadTooLargeForTheFFIIsAnErrorNotATrap() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        // Zeroed lazily: the 2 GiB are never touched, the check comes first.
        let huge = Data(count: Int(Int32.max))
        await assertThrows(try await session.send(huge)) { error in
            if case WebSocketError.InvalidRequest(let detail) = error { return detail.contains("2147483647 bytes") }
            return false
        }
        // Nothing was sent: the session goes on.
        try await session.send("after")
        guard case .text(let echoed) = try await session.receive() else { return XCTFail("expected text") }
        XCTAssertEqual(echoed, "after")
        try await session.close()
    }

    func testPingTimeoutAgainstASilentServer() async throws {
        let client = WebSocketClient(config: WebSocketConfig(pingInterval: 0.2, timeout: 0.3))
        let session = try await client.webSocketSession("\(Peers.raw)/silent")
        let started = Date()
        await assertThrows(try await session.receive()) { error in
            if case WebSocketError.PingTimeout = error { return true }
            return false
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        let reason = await session.closeReason()
        XCTAssertEqual(reason.code, CloseReason.Codes.internalError)
        XCTAssertEqual(reason.message, "Ping timeout")
    }

    func testLiveSettings() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        XCTAssertNil(session.pingInterval)
        XCTAssertEqual(session.timeout, 15)
        session.pingInterval = 30
        session.timeout = 5
        session.maxFrameSize = 1 << 20
        XCTAssertEqual(session.pingInterval, 30)
        XCTAssertEqual(session.timeout, 5)
        XCTAssertEqual(session.maxFrameSize, 1 << 20)
        try await session.close()
    }

    /// An abnormal end throws from `for try await`, never finishes the loop normally; the close
    /// reason still completes with its code. The same contract as Rust's and Kotlin's.
    func testAnAbnormalEndThrowsFromIncoming() async throws {
        let silent = WebSocketClient(config: WebSocketConfig(pingInterval: 0.2, timeout: 0.3))
        for (path, client, code) in [
            ("/eof", WebSocketClient(), CloseReason.Codes.closedAbnormally),
            ("/reset", WebSocketClient(), CloseReason.Codes.closedAbnormally),
            ("/silent", silent, CloseReason.Codes.internalError),
        ] {
            let session = try await client.webSocketSession("\(Peers.raw)\(path)")
            var threw: Error?
            do {
                for try await _ in session.incoming {}
            } catch {
                threw = error
            }
            XCTAssertNotNil(threw, "\(path): incoming finished as if the session had closed normally")
            let reason = await session.closeReason()
            XCTAssertEqual(reason.code, code, path)
        }
    }

    /// The TLS settings reach the core: a malformed pin fails every `wss://` open with `.Tls`.
    func testAMalformedCertificatePinFailsEveryWssOpen() async throws {
        let tls = TlsConfig(
            certificatePins: [CertificatePin(pattern: "**.example.com", pin: "sha1/AAAA")],
            minTlsVersion: .tls13
        )
        let client = WebSocketClient(config: WebSocketConfig(tls: tls))
        await assertThrows(try await client.webSocketSession("wss://127.0.0.1:1/")) { error in
            if case WebSocketError.Tls(let detail) = error { return detail.contains("sha1/AAAA") }
            return false
        }
    }

    #if os(Linux)
    /// The process's resident memory in bytes (Linux).
    private func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }!
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])! * 1024
    }

    /// A peer that floods 64 MiB of pings and reads nothing: only the latest ping is answered while
    /// a pong is stuck, so the process does not grow with the flood.
    func testAPingFloodFromAPeerThatNeverReadsHoldsMemoryBounded() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.raw)/pingflood")
        let before = try residentBytes()
        let done = try await session.receive()
        XCTAssertEqual(done, .text(text: "done"))
        let grown = try residentBytes() - before
        XCTAssertLessThan(grown, 24 << 20, "64 MiB of pings grew the process by \(grown >> 20) MiB")
        try await session.close()
    }
    #endif

    /// Unread messages pause reading at `incomingQueueBytes`: the peer's writes wait, and then every
    /// message arrives, in order.
    func testUnreadLargeMessagesPauseReadingAtTheByteBound() async throws {
        let id = "swift-flood-\(UUID().uuidString)"
        let client = WebSocketClient(config: WebSocketConfig(incomingQueueBytes: 4 << 20))
        let session = try await client.webSocketSession("\(Peers.raw)/flood/\(id)")
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let whileUnread = try await flooded(id)
        XCTAssertEqual(whileUnread, "writing", "48 MiB were taken in although the bound is 4 MiB")
        var index: UInt8 = 0
        for try await frame in session.incoming {
            XCTAssertEqual(frame, .binary(data: Data(repeating: index, count: 1 << 20)), "message \(index)")
            index += 1
            if index == 48 { break }
        }
        XCTAssertEqual(index, 48)
        let afterReading = try await flooded(id)
        XCTAssertEqual(afterReading, "written")
        try await session.close()
    }

    /// What the raw server says of the flood `id`: `writing` or `written`.
    private func flooded(_ id: String) async throws -> String {
        let report = try await WebSocketClient().webSocketSession("\(Peers.raw)/flooded/\(id)")
        guard case .text(let state) = try await report.receive() else { return "no answer" }
        return state
    }

    /// Certificate pinning against a real wss:// server with a CA of its own
    /// (`tests/peers/tls_server.py`, started by `cargo xtask swift-test`).
    func testCertificatePinsAgainstARealTLSServer() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["UNIWS_TLS_URL"], let path = environment["UNIWS_TLS_DETAILS"] else {
            XCTFail("the TLS peer is not running: run the tests with `cargo xtask swift-test`")
            return
        }
        let details = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: String]
        let (ca, serverPin, caPin) = (details["ca_pem"]!, details["pin"]!, details["ca_pin"]!)
        func client(pinning pin: String) -> WebSocketClient {
            let tls = TlsConfig(
                extraRootCertificatesPem: [ca],
                useSystemTrustStore: false,
                certificatePins: [CertificatePin(pattern: "127.0.0.1", pin: pin)]
            )
            return WebSocketClient(config: WebSocketConfig(tls: tls))
        }
        let session = try await client(pinning: serverPin).webSocketSession(url)
        try await session.send("pinned")
        let echoed = try await session.receive()
        XCTAssertEqual(echoed, .text(text: "pinned"))
        try await session.close()
        // The CA's key is pinned, but the server presents only its own certificate.
        await assertThrows(try await client(pinning: caPin).webSocketSession(url)) { error in
            if case WebSocketError.Tls(let detail) = error { return detail.contains(serverPin) && detail.contains(caPin) }
            return false
        }
    }
}
