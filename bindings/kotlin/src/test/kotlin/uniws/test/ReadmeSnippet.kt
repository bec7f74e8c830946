package uniws.test

import kotlin.time.Duration.Companion.seconds
import uniws.*

// README snippet start: the function below is the README's example, character for character
// (ReadmeSnippetTest checks it and runs it).
suspend fun greet(url: String): List<String> {
    val replies = mutableListOf<String>()
    val client = WebSocketClient { pingInterval = 30.seconds }

    client.webSocket(url, request = { header("Authorization", "Bearer token") }) {
        println("${call.response.status} ${call.response.headers["Upgrade"]}") // 101 websocket
        send("Hello!")
        send(Frame.Binary(byteArrayOf(1, 2, 3)))
        for (frame in incoming) {
            when (frame) {
                is Frame.Text -> replies += frame.readText()
                is Frame.Binary -> replies += "${frame.readBytes().size} bytes"
                else -> {}
            }
            if (replies.size == 2) break
        }
    } // closed here with 1000 NORMAL

    val session = client.webSocketSession(url) { subprotocol("chat.v1") }
    session.sendSerialized(mapOf("answer" to 42))
    replies += session.receiveDeserialized<Map<String, Int>>().toString()
    session.close()
    println("closed: ${session.closeReason.await()}")

    try {
        client.webSocketSession("ws://127.0.0.1:1/")
    } catch (e: WebSocketException.ConnectFailed) {
        replies += "unreachable: ${e.detail.isNotEmpty()}"
    }
    client.close()
    return replies
}
// README snippet end
