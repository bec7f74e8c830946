import ChatModel
import Combine
import Foundation

/// Bridges the UI-independent ``ChatViewModel`` to SwiftUI's `ObservableObject`.
@MainActor
final class ChatStore: ObservableObject {
    /// The view model the screen shows.
    let model: ChatViewModel

    /// A store for a chat with `url`.
    init(url: String) {
        model = ChatViewModel(url: url)
        model.onChange = { [weak self] in self?.objectWillChange.send() }
    }
}
