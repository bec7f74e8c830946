import SwiftUI

/// The sample app: one chat screen against a WebSocket echo server.
@main
struct UniWSChatApp: App {
    var body: some Scene {
        WindowGroup {
            ChatView(store: ChatStore(url: "wss://echo.websocket.org"))
        }
    }
}
