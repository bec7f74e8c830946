import Foundation
import UniWS

/// What an application does with the public API; it must compile.
func app() async throws {
    let client = WebSocketClient(config: WebSocketConfig(pingInterval: 30, timeout: 15))
    let session = try await client.webSocketSession { request in
        request.url("ws://127.0.0.1:1/echo")
        request.header("Authorization", "Bearer token")
    }
    try await session.send("hello")
    try await session.send(Data([1, 2, 3]))
    try await session.send(frame: .ping(data: Data()))
    try await session.send(batch: [.text(text: "a"), .text(text: "b")])
    for try await frame in session.incoming {
        print(frame)
    }
    let call = session.call
    print(call.response.status, call.response.headers.get(name: "upgrade") ?? "", session.extensions)
    session.pingInterval = nil
    try await session.close(CloseReason(code: CloseReason.Codes.goingAway, message: "bye"))
    print(await session.closeReason(), session.closeReasonIfEnded ?? "", client.config.maxFrameSize)
}
