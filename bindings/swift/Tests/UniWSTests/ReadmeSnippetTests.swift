import Foundation
import XCTest
import UniWS

/// The README's Swift snippet, run against the local echo server.
final class ReadmeSnippetTests: XCTestCase {
    func testReadmeSnippet() async throws {
        let client = WebSocketClient()
        _ = WebSocketClient(config: WebSocketConfig(pingInterval: 30, timeout: 15, maxFrameSize: 1 << 20))
        let session = try await client.webSocketSession("\(Peers.echo)/echo")
        try await session.send("Hello!")
        try await session.send(Data([1, 2, 3]))
        try await session.send(frame: .ping(data: Data()))
        let frame = try await session.receive()
        guard case .text(let text) = frame else { return XCTFail("text first") }
        XCTAssertEqual(text, "Hello!")
        try await session.close()
        let reason: CloseReason? = await session.closeReason()
        XCTAssertEqual(reason?.code, 1000)
        try await client.webSocket("\(Peers.echo)/echo") { session in
            XCTAssertEqual(session.call.request.url.host ?? "", "127.0.0.1")
            XCTAssertEqual(session.call.response.status, 101)
            XCTAssertNotNil(session.call.response.headers["upgrade"])
            XCTAssertTrue(session.isActive)
        }
    }
}
