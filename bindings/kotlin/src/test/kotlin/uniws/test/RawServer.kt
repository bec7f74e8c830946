package uniws.test

import java.io.Closeable
import java.io.DataInputStream
import java.io.EOFException
import java.io.InputStream
import java.io.OutputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.SocketException
import java.security.MessageDigest
import java.util.Base64
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.LinkedBlockingQueue
import kotlin.concurrent.thread

/** The head of an upgrade request as the raw server read it. */
class RequestHead(val path: String, val headers: Map<String, String>) {
    /** The header value for [name] (case-insensitive), or `null`. */
    operator fun get(name: String): String? = headers[name.lowercase()]
}

/**
 * A deliberately misbehaving WebSocket server on 127.0.0.1, written on plain sockets, for the cases
 * the real peers cannot play: rejecting the upgrade, going silent, never answering, requiring a
 * subprotocol. Each connection runs [behaviour] on its own thread; what it reports lands in [events].
 */
class RawServer(private val behaviour: RawServer.(Socket, RequestHead) -> Unit) : Closeable {
    private val server = ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))
    private val sockets = CopyOnWriteArrayList<Socket>()

    /** Things the behaviours report, such as `eof` when a client went away. */
    val events = LinkedBlockingQueue<String>()

    /** The port this server listens on. */
    val port: Int = server.localPort

    init {
        thread(isDaemon = true, name = "raw-server-$port") {
            while (!server.isClosed) {
                val socket = try {
                    server.accept()
                } catch (closed: SocketException) {
                    break
                }
                sockets += socket
                thread(isDaemon = true, name = "raw-connection-$port") {
                    try {
                        socket.use { behaviour(it, readHead(it.getInputStream())) }
                    } catch (gone: SocketException) {
                        events += "reset"
                    } catch (gone: EOFException) {
                        events += "eof"
                    }
                }
            }
        }
    }

    /** `ws://127.0.0.1:<port><path>`. */
    fun url(path: String): String = "ws://127.0.0.1:$port$path"

    override fun close() {
        server.close()
        sockets.forEach { runCatching { it.close() } }
    }

    /** Answers the upgrade with a valid 101, plus [extraHeaders]. */
    fun accept(socket: Socket, head: RequestHead, vararg extraHeaders: String) {
        val key = head["Sec-WebSocket-Key"] ?: error("no Sec-WebSocket-Key")
        val accept = Base64.getEncoder().encodeToString(
            MessageDigest.getInstance("SHA-1").digest((key + GUID).toByteArray()),
        )
        val lines = listOf(
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Accept: $accept",
        ) + extraHeaders
        socket.getOutputStream().writeAscii(lines.joinToString("\r\n", postfix = "\r\n\r\n"))
    }

    /** Answers the upgrade with [status] and [body]. */
    fun reject(socket: Socket, status: String, body: String) {
        socket.getOutputStream().writeAscii(
            "HTTP/1.1 $status\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n$body",
        )
    }

    /** Reads and discards everything until the client goes away, then reports `eof`. */
    fun drain(socket: Socket) {
        val buffer = ByteArray(4096)
        do {
            val read = socket.getInputStream().read(buffer)
        } while (read >= 0)
        events += "eof"
    }

    /** Sends an unmasked text frame (payload under 126 bytes). */
    fun sendText(socket: Socket, text: String) {
        val payload = text.toByteArray()
        require(payload.size < 126)
        socket.getOutputStream().apply {
            write(byteArrayOf(0x81.toByte(), payload.size.toByte()) + payload)
            flush()
        }
    }

    /** Sends [bytes] as they are (frames the test built, valid or not). */
    fun sendRaw(socket: Socket, bytes: ByteArray) {
        socket.getOutputStream().apply {
            write(bytes)
            flush()
        }
    }

    /** Sends an unmasked close frame with [code] (and no message). */
    fun sendClose(socket: Socket, code: Int) {
        socket.getOutputStream().apply {
            write(byteArrayOf(0x88.toByte(), 2, (code shr 8).toByte(), code.toByte()))
            flush()
        }
    }

    /** Reads client frames until a close frame, echoes it; reports `text <payload>` for each text frame, then `closed <code>`. */
    fun answerClose(socket: Socket) {
        val input = DataInputStream(socket.getInputStream())
        while (true) {
            val first = input.readUnsignedByte()
            val second = input.readUnsignedByte()
            var length = (second and 0x7f).toLong()
            if (length == 126L) length = input.readUnsignedShort().toLong()
            if (length == 127L) length = input.readLong()
            val mask = ByteArray(4).also(input::readFully)
            val payload = ByteArray(length.toInt()).also(input::readFully)
            for (i in payload.indices) payload[i] = (payload[i].toInt() xor mask[i % 4].toInt()).toByte()
            if (first and 0x0f == 0x1) events += "text ${payload.decodeToString()}"
            if (first and 0x0f == 0x8) {
                socket.getOutputStream().apply {
                    write(byteArrayOf(0x88.toByte(), payload.size.toByte()) + payload)
                    flush()
                }
                val code = if (payload.size >= 2) ((payload[0].toInt() and 0xff) shl 8) or (payload[1].toInt() and 0xff) else 1005
                events += "closed $code"
                return
            }
        }
    }

    private fun readHead(input: InputStream): RequestHead {
        val bytes = StringBuilder()
        while (!bytes.endsWith("\r\n\r\n")) {
            val byte = input.read()
            if (byte < 0) throw EOFException("the client closed before sending a request head")
            bytes.append(byte.toChar())
        }
        val lines = bytes.trim().lines()
        val path = lines.first().split(" ")[1]
        val headers = lines.drop(1).associate { line ->
            val (name, value) = line.split(":", limit = 2)
            name.trim().lowercase() to value.trim()
        }
        return RequestHead(path, headers)
    }

    private fun OutputStream.writeAscii(text: String) {
        write(text.toByteArray(Charsets.ISO_8859_1))
        flush()
    }

    private companion object {
        const val GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    }
}
