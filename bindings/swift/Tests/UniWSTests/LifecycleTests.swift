import Foundation
import XCTest
@testable import UniWS

final class LifecycleTests: XCTestCase {
    func testCancellingAWaitingReceiveKeepsTheNextMessage() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        let waiting = Task { try await session.receive() }
        try await Task.sleep(nanoseconds: 100_000_000)
        waiting.cancel()
        let started = Date()
        do {
            _ = try await waiting.value
            XCTFail("the cancelled receive must not return a message")
        } catch is CancellationError {
            XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        }
        try await session.send("next")
        guard case .text(let text) = try await session.receive() else { return XCTFail("text") }
        XCTAssertEqual(text, "next")
        try await session.close()
    }

    /// The iterator reuses its cancellation token across waits; a cancelled wait must not leave it
    /// a cancelled token, or every later wait would throw at once.
    func testAnIncomingIteratorWaitsAgainAfterACancelledWait() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        var messages = session.incoming.makeAsyncIterator()
        let waiting = Task { [messages] in
            var shared = messages  // the same batch: iterator copies share it
            return try await shared.next()
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        waiting.cancel()
        do {
            _ = try await waiting.value
            XCTFail("the cancelled wait must not return a message")
        } catch is CancellationError {}
        try await session.send("after")
        guard case .text(let text) = try await messages.next() else { return XCTFail("text") }
        XCTAssertEqual(text, "after")
        try await session.close()
    }

    func testReleasedSessionsFreeTheirSockets() async throws {
        let client = WebSocketClient()
        let before = openFileDescriptors()
        weak var released: ClientWebSocketSession?
        do {
            var sessions: [ClientWebSocketSession] = []
            for _ in 0..<30 {
                sessions.append(try await client.webSocketSession("\(Peers.echo)/echo"))
            }
            released = sessions[0]
            XCTAssertGreaterThanOrEqual(openFileDescriptors(), before + 30)
        }
        XCTAssertNil(released, "the Swift object is freed with its last reference")
        // Dropping a session closes it in the background; its socket goes within the close timeout.
        let deadline = Date().addingTimeInterval(10)
        while openFileDescriptors() > before + 2, Date() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        XCTAssertLessThanOrEqual(openFileDescriptors(), before + 2)
    }

    private func openFileDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
