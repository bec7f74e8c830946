package uniws.bench

import java.io.File
import uniws.DefaultClientWebSocketSession
import uniws.Frame
import uniws.WebSocketClient

/** uniws's Kotlin layer (the Rust core through JNA), configured as the Rust bench configures uniws. */
class UniwsContender(caPath: String?) : Contender {
    override val name: String = NAME

    private val client = WebSocketClient {
        maxFrameSize = Limits.MAX_FRAME_SIZE
        maxMessageSize = Limits.MAX_MESSAGE_SIZE
        pingInterval = null
        useSystemTrustStore = false
        if (caPath != null) trustRootCertificates(File(caPath).readText())
    }

    override suspend fun open(url: String): Connection = UniwsConnection(client.webSocketSession(url))

    override fun close() = client.close()

    companion object {
        const val NAME: String = "uniws-kotlin"
    }
}

private class UniwsConnection(private val session: DefaultClientWebSocketSession) : Connection {
    /** Through `outgoing`, as Ktor's `send` does (`session.send` also reports errors at the call). */
    override suspend fun send(payload: ByteArray) = session.outgoing.send(Frame.Binary(payload))

    override suspend fun receive(): Int = when (val frame = session.incoming.receive()) {
        is Frame.Binary -> frame.data.size
        else -> throw IllegalStateException("${UniwsContender.NAME} received $frame, expected a binary message")
    }

    /** Sends the close frame and waits for the peer's and the end of the connection. */
    override suspend fun close() = session.close()
}
