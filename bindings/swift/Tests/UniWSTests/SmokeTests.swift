import XCTest
@testable import UniWS

final class SmokeTests: XCTestCase {
    func testRefusedConnection() async throws {
        let client = WebSocketClient()
        do {
            _ = try await client.webSocketSession("ws://127.0.0.1:1/")
            XCTFail("expected an error")
        } catch WebSocketError.ConnectFailed(let detail) {
            XCTAssertTrue(detail.contains("refused"), detail)
        }
    }
}
