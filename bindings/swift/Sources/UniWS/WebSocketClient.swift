import Foundation

/// Opens WebSocket sessions with one configuration, like a Ktor `HttpClient` with the WebSockets
/// plugin installed.
public final class WebSocketClient: Sendable {
    /// The core's client; its generated calls stay inside this module.
    let ffi: FfiClient

    /// A client with `config`. Never fails: a bad TLS setting is reported by the first `wss://`
    /// session it affects.
    public init(config: WebSocketConfig = WebSocketConfig()) {
        ffi = FfiClient(config: config)
    }

    /// The configuration this client was built with.
    public var config: WebSocketConfig { ffi.config() }

    /// Opens a session from a full request. Cancelling the calling `Task` abandons the opening
    /// (throwing `CancellationError`).
    ///
    /// Throws ``WebSocketError``: `.InvalidUrl`, `.InvalidRequest` (before any I/O), `.ConnectFailed`,
    /// `.ConnectTimeout`, `.Tls`, `.HandshakeRejected(status:detail:)`, `.HandshakeInvalid`, `.Io`.
    public func webSocketSession(request: WebSocketRequest) async throws -> ClientWebSocketSession {
        let opened = try await withRustCancellation { token in
            try await ffi.webSocketSessionWithCancellation(request: request, token: token)
        }
        return ClientWebSocketSession(opened)
    }

    /// Opens a session to `urlString` (Ktor's `webSocketSession(urlString)`).
    public func webSocketSession(_ urlString: String) async throws -> ClientWebSocketSession {
        try await webSocketSession(request: WebSocketRequest(url: urlString, method: .get))
    }

    /// Opens a session built by `configure` (Ktor's `webSocketSession { ... }`).
    public func webSocketSession(
        _ configure: (WebSocketRequestBuilder) throws -> Void
    ) async throws -> ClientWebSocketSession {
        let builder = WebSocketRequestBuilder()
        try configure(builder)
        return try await webSocketSession(request: builder.request)
    }

    /// Opens a session from parts (Ktor's `webSocketSession(method, host, port, path)`).
    public func webSocketSession(
        method: HttpMethod = .get,
        host: String,
        port: UInt16,
        path: String = "/"
    ) async throws -> ClientWebSocketSession {
        try await webSocketSession(
            request: WebSocketRequest(method: method, host: host, port: port, path: path))
    }

    /// Opens a session, runs `block` with it and closes it (1000) when the block returns or
    /// throws, like Ktor's `client.webSocket(url) { ... }`. Returns the block's result.
    @discardableResult
    public func webSocket<T>(
        _ urlString: String,
        _ block: (ClientWebSocketSession) async throws -> T
    ) async throws -> T {
        try await webSocket(request: WebSocketRequest(url: urlString, method: .get), block)
    }

    /// ``webSocket(_:_:)`` for a full request.
    @discardableResult
    public func webSocket<T>(
        request: WebSocketRequest,
        _ block: (ClientWebSocketSession) async throws -> T
    ) async throws -> T {
        let session = try await webSocketSession(request: request)
        let result: T
        do {
            result = try await block(session)
        } catch {
            try? await session.close()
            throw error
        }
        try await session.close()
        return result
    }
}
