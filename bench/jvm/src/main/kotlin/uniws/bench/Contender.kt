package uniws.bench

/** One open WebSocket connection of a contender, as the workloads use it. */
interface Connection {
    /** Sends one binary message, waiting only as the library makes its callers wait. */
    suspend fun send(payload: ByteArray)

    /** Receives the next message and returns its size; throws if it is not a binary message. */
    suspend fun receive(): Int

    /** Closes with 1000 and waits for the closing handshake to finish. */
    suspend fun close()
}

/** A WebSocket client library under test: one configured client that opens [Connection]s. */
interface Contender : AutoCloseable {
    /** The name printed in the `contender` field. */
    val name: String

    /** Opens a connection to [url]; returns once the upgrade has completed. */
    suspend fun open(url: String): Connection

    /** Frees the client and its threads, so that the JVM can exit. */
    override fun close()
}

/** The contenders, in the order they are measured. */
val CONTENDER_NAMES: List<String> = listOf(UniwsContender.NAME, KtorContender.NAME, OkHttpContender.NAME)

/** Creates the contender called [name], trusting the CA in the PEM file [caPath] (if any) for `wss://`. */
fun contender(name: String, caPath: String?): Contender = when (name) {
    UniwsContender.NAME -> UniwsContender(caPath)
    KtorContender.NAME -> KtorContender(caPath)
    OkHttpContender.NAME -> OkHttpContender(caPath)
    else -> throw IllegalArgumentException("unknown contender $name (one of ${CONTENDER_NAMES.joinToString()})")
}

/** The limits every contender is configured with: a 1 MiB message must pass. */
object Limits {
    const val MAX_FRAME_SIZE: Long = 16L shl 20
    const val MAX_MESSAGE_SIZE: Long = 64L shl 20
}

/** Fails loudly when a received message does not have the size sent. */
fun expectSize(contender: String, received: Int, expected: Int) {
    check(received == expected) { "$contender received a message of $received bytes, expected $expected" }
}
