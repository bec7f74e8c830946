import Foundation
import UniWS

/// One line of the chat.
public struct ChatMessage: Equatable, Identifiable, Sendable {
    /// Who wrote it.
    public enum Direction: Equatable, Sendable {
        /// Sent by this app.
        case sent
        /// Received from the server.
        case received
    }

    /// Position in the conversation.
    public let id: Int
    /// Who wrote it.
    public let direction: Direction
    /// The text.
    public let text: String
}

/// The chat screen's state and actions, independent of any UI framework. SwiftUI observes it
/// through `onChange` (see App/ChatStore.swift); the Linux tests drive it directly.
@MainActor
public final class ChatViewModel {
    /// Where the connection stands.
    public enum ConnectionState: Equatable {
        /// Not connected yet.
        case disconnected
        /// Opening the session.
        case connecting
        /// Connected; messages can be sent.
        case connected
        /// The session ended with this reason.
        case closed(CloseReason)
        /// Opening or using the session failed.
        case failed(String)
    }

    /// The server URL (`ws://` or `wss://`).
    public var url: String
    /// The text being typed.
    public var draft = ""
    /// The conversation so far.
    public private(set) var messages: [ChatMessage] = []
    /// The connection state.
    public private(set) var state: ConnectionState = .disconnected { didSet { onChange?() } }
    /// The upgrade call, one line per fact, once connected.
    public private(set) var callSummary: [String] = []
    /// Called after every change, for the UI to refresh.
    public var onChange: (() -> Void)?

    private let client: WebSocketClient
    private var session: ClientWebSocketSession?
    private var reader: Task<Void, Never>?

    /// A view model for `url`, using `client` (default configuration unless given).
    public init(url: String, client: WebSocketClient = WebSocketClient()) {
        self.url = url
        self.client = client
    }

    /// Opens the session and starts listening.
    public func connect() async {
        guard session == nil else { return }
        state = .connecting
        do {
            let session = try await client.webSocketSession(url)
            self.session = session
            let call = session.call
            callSummary = [
                "\(call.request.method) \(call.request.url.absoluteString)",
                "\(call.httpVersion) \(call.response.status) \(call.response.reasonPhrase)",
                "subprotocol: \(call.subprotocol ?? "none")",
            ]
            state = .connected
            reader = Task { [weak self] in await self?.listen(to: session) }
        } catch {
            state = .failed(String(describing: error))
        }
    }

    /// Sends the draft as a text message and clears it. Empty drafts are not sent.
    public func send() async {
        let text = draft
        guard let session, state == .connected, !text.isEmpty else { return }
        do {
            try await session.send(text)
            draft = ""
            append(.sent, text)
        } catch {
            state = .failed(String(describing: error))
        }
    }

    /// Closes the session (1000) and waits for the closing handshake.
    public func disconnect() async {
        guard let session else { return }
        try? await session.close()
        await reader?.value
        state = .closed(await session.closeReason())
        self.session = nil
    }

    private func listen(to session: ClientWebSocketSession) async {
        do {
            for try await frame in session.incoming {
                switch frame {
                case .text(let text): append(.received, text)
                case .binary(let data): append(.received, "<\(data.count) bytes>")
                default: break
                }
            }
            state = .closed(await session.closeReason())
        } catch {
            state = .failed(String(describing: error))
        }
    }

    private func append(_ direction: ChatMessage.Direction, _ text: String) {
        messages.append(ChatMessage(id: messages.count, direction: direction, text: text))
        onChange?()
    }
}
