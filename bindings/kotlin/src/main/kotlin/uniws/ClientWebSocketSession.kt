package uniws

import kotlin.time.Duration
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.channels.ReceiveChannel
import kotlinx.coroutines.channels.SendChannel

/**
 * An open WebSocket session, like Ktor's `ClientWebSocketSession`. [DefaultClientWebSocketSession]
 * is the implementation; a class of your own can implement this interface by delegation:
 *
 * ```kotlin
 * class Chat(session: DefaultClientWebSocketSession) : ClientWebSocketSession by session
 * ```
 *
 * The session is a [CoroutineScope] whose job is a child of its [WebSocketClient]: cancelling it
 * (or closing the client) closes the session with [CloseReason.Codes.GOING_AWAY]. Its job completes
 * once the session has ended and its own coroutines have finished.
 */
public interface ClientWebSocketSession : CoroutineScope {
    /** The HTTP upgrade call that opened this session. */
    public val call: HttpCall

    /**
     * The received messages, in order: only [Frame.Text] and [Frame.Binary] (pings are answered and
     * fragments reassembled by the session). The channel closes normally when the session ends with
     * a close handshake, and with the [WebSocketException] when it fails ([WebSocketException.FrameTooBig],
     * [WebSocketException.PingTimeout], [WebSocketException.ProtocolViolation], [WebSocketException.Io]).
     * Messages that arrived before the end are delivered first. The messages that have arrived are
     * taken from the core in batches, so besides the core's queue ([WebSocketConfig.incomingQueueSize])
     * up to 64 more may be held here (32 in this channel's buffer) before reading pauses.
     *
     * Cancelling a coroutine in `receive` consumes nothing: a message handed to it at that very
     * moment goes to the next `receive`, in order (with one receiving coroutine). For a timed
     * receive use `select { incoming.onReceive { it }; onTimeout(t) { null } }`: `withTimeoutOrNull`
     * may drop a value its block already returned. Cancelling the channel drops the messages that
     * arrive from then on.
     */
    public val incoming: ReceiveChannel<Frame>

    /**
     * Frames to send, as in Ktor: they go to the core in order, in batches of whatever is queued
     * (room for 64 here; `send` on the channel waits when it is full), so a burst costs one call
     * into the core instead of one per frame: the fastest way to send many frames. Closing this
     * channel closes the session with [CloseReason.Codes.NORMAL] after the frames already sent.
     * When the session ends the channel is closed with [WebSocketException.Closed], and frames
     * still queued here are not sent ([closeReason] says why); a frame the session refuses (such
     * as a ping over 125 bytes) closes it with that [WebSocketException.InvalidRequest]. Use
     * [send] to see errors at the call; frames sent both ways are ordered by when they reach the
     * core.
     */
    public val outgoing: SendChannel<Frame>

    /**
     * Completes with the reason once the session has ended, like Ktor's `closeReason`: the peer's
     * close frame (1005 if it was empty), the code this side sent when it failed the session, or
     * 1006 when the connection ended without a close frame. It is never completed with `null`.
     */
    public val closeReason: Deferred<CloseReason?>

    /** The extensions the server accepted, as its answer wrote them (such as `permessage-deflate; client_max_window_bits=10`); empty when none. */
    public val extensions: List<String>

    /** The converter of [sendSerialized] and [receiveDeserialized], from the client's configuration. */
    public val converter: WebsocketContentConverter?

    /** The largest frame payload accepted from now on, in bytes. Kept, and no longer applied, once the session has ended. */
    public var maxFrameSize: Long

    /** How often a ping is sent, `null` when pings are off; setting it restarts the timer. */
    public var pingInterval: Duration?

    /** How long to wait for a pong before failing the session; applies from the next ping. */
    public var timeout: Duration

    /**
     * Sends [frame] after those already sent, waiting only while the outgoing queue is full. A
     * [Frame.Close] starts the closing handshake without waiting for it.
     *
     * @throws WebSocketException.Closed once the session is closing or has ended.
     * @throws WebSocketException.InvalidRequest for a control frame over 125 bytes or a close code
     *   that may not be sent.
     */
    public suspend fun send(frame: Frame)

    /**
     * Closes the session gracefully: sends a close frame with [reason] after the frames already
     * queued, then waits for the peer's close frame and the end of the connection (at most the
     * close timeout), when [closeReason] is complete. Calling it again, or on a session that has
     * ended, only waits for the end. Received messages can still be read from [incoming].
     *
     * @throws WebSocketException.InvalidRequest for a code that may not be sent (such as 1005 or
     *   1006) or a message over 123 bytes.
     */
    public suspend fun close(reason: CloseReason = CloseReason(CloseReason.Codes.NORMAL, ""))
}

/** Sends a text message. */
public suspend fun ClientWebSocketSession.send(content: String): Unit = send(Frame.Text(content))

/** Sends a binary message. */
public suspend fun ClientWebSocketSession.send(content: ByteArray): Unit = send(Frame.Binary(content))
