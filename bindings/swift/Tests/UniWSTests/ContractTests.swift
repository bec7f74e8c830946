import Foundation
import XCTest
import UniWS

/// The Swift contract, line by line. Lines that need a remote host (wss://example.com) are
/// only compiled (`compileOnlyRemoteLines` is never called); everything else runs against the
/// local echo server.
final class ContractTests: XCTestCase {
    func testContractAgainstTheLocalServer() async throws {
        let client = WebSocketClient()
        let tuned = WebSocketClient(config: WebSocketConfig(pingInterval: 30, timeout: 15, maxFrameSize: 1 << 20))
        XCTAssertEqual(tuned.config.maxFrameSize, 1 << 20)
        XCTAssertEqual(tuned.config.pingInterval, 30)
        let session = try await client.webSocketSession("\(Peers.echo)/echo")
        let port = UInt16(URLComponents(string: Peers.echo)!.port!)
        let s3 = try await client.webSocketSession(method: .get, host: "127.0.0.1", port: port, path: "/echo")
        try await s3.close()
        try await session.send("Hello!")
        try await session.send(Data([1, 2, 3]))
        try await session.send(frame: .ping(data: Data()))
        let frame = try await session.receive()
        if case .text(let text) = frame { XCTAssertEqual(text, "Hello!") } else { XCTFail("\(frame)") }
        var rest: [Frame] = []
        let closer = Task { try await Task.sleep(nanoseconds: 300_000_000); try await session.close() }
        for try await frame in session.incoming { rest.append(frame) }
        try await closer.value
        XCTAssertEqual(rest, [.binary(data: Data([1, 2, 3]))])
        let reason: CloseReason? = await session.closeReason()
        XCTAssertEqual(reason?.code, 1000)
        try await client.webSocket("\(Peers.echo)/echo") { session in
            XCTAssertEqual(session.call.request.url.host ?? "", "127.0.0.1")
            XCTAssertEqual(session.call.request.method, .get)
            XCTAssertEqual(session.call.response.status, 101)
            XCTAssertEqual((session.call.response.headers["upgrade"] ?? "").lowercased(), "websocket")
            XCTAssertEqual(session.call.subprotocol ?? "none", "none")
            // The Python peer accepts the permessage-deflate offered by default.
            XCTAssertEqual(session.extensions, [session.call.response.headers["sec-websocket-extensions"] ?? ""])
            XCTAssertTrue(session.isActive)
        }
        do { _ = try await client.webSocketSession("ws://127.0.0.1:1/"); XCTFail("refused") }
        catch let error as WebSocketError { print(error) }
    }

    /// Compiled, never run: these lines would reach a remote host.
    func compileOnlyRemoteLines(client: WebSocketClient) async throws {
        let s2 = try await client.webSocketSession { request in
            request.url("wss://example.com/ws")
            request.header("Authorization", "Bearer token")
            request.subprotocols(["chat.v1"])
        }
        try await s2.close()
    }
}
