import ChatModel
import SwiftUI
import UniWS

/// Connect, send, list messages, and show the close reason and call metadata.
struct ChatView: View {
    @ObservedObject var store: ChatStore
    @State private var draft = ""

    var body: some View {
        let model = store.model
        VStack(alignment: .leading, spacing: 8) {
            HStack {
                TextField("ws:// or wss:// URL", text: Binding(get: { model.url }, set: { model.url = $0 }))
                    .textFieldStyle(RoundedBorderTextFieldStyle())
                    .autocapitalization(.none)
                Button(model.state == .connected ? "Close" : "Connect") {
                    Task { model.state == .connected ? await model.disconnect() : await model.connect() }
                }
            }
            Text(status(model.state)).font(.footnote).foregroundColor(.secondary)
            ForEach(model.callSummary, id: \.self) { line in
                Text(line).font(.caption.monospaced())
            }
            List(model.messages) { message in
                HStack {
                    if message.direction == .sent { Spacer() }
                    Text(message.text)
                        .padding(8)
                        .background(message.direction == .sent ? Color.blue.opacity(0.2) : Color.gray.opacity(0.2))
                        .cornerRadius(8)
                    if message.direction == .received { Spacer() }
                }
            }
            HStack {
                TextField("Message", text: $draft)
                    .textFieldStyle(RoundedBorderTextFieldStyle())
                Button("Send") {
                    model.draft = draft
                    draft = ""
                    Task { await model.send() }
                }
                .disabled(model.state != .connected)
            }
        }
        .padding()
    }

    private func status(_ state: ChatViewModel.ConnectionState) -> String {
        switch state {
        case .disconnected: return "Not connected"
        case .connecting: return "Connecting…"
        case .connected: return "Connected"
        case .closed(let reason): return "Closed: \(reason.code) \(reason.message)"
        case .failed(let message): return "Failed: \(message)"
        }
    }
}
