package uniws

import kotlin.reflect.KType
import kotlin.reflect.typeOf
import kotlinx.serialization.BinaryFormat
import kotlinx.serialization.SerialFormat
import kotlinx.serialization.SerializationException
import kotlinx.serialization.StringFormat
import kotlinx.serialization.serializer

/**
 * Turns values into frames and frames into values for [sendSerialized] and [receiveDeserialized],
 * like Ktor's `WebsocketContentConverter`. Set one with [WebSocketConfig.contentConverter].
 */
public interface WebsocketContentConverter {
    /** The frame that carries [value], whose static type is [type]. */
    public suspend fun serialize(value: Any?, type: KType): Frame

    /** The value of [type] that [frame] carries. */
    public suspend fun deserialize(frame: Frame, type: KType): Any?

    /** Whether this converter can read [frame]. */
    public fun isApplicable(frame: Frame): Boolean
}

/**
 * A [WebsocketContentConverter] for kotlinx.serialization: a [StringFormat] such as `Json` uses text
 * frames, a [BinaryFormat] binary frames. `KotlinxWebsocketSerializationConverter(Json)` is the
 * default converter.
 */
public class KotlinxWebsocketSerializationConverter(private val format: SerialFormat) : WebsocketContentConverter {
    init {
        require(format is StringFormat || format is BinaryFormat) {
            "the format must be a StringFormat or a BinaryFormat: $format"
        }
    }

    override suspend fun serialize(value: Any?, type: KType): Frame {
        val serializer = format.serializersModule.serializer(type)
        return when (format) {
            is StringFormat -> Frame.Text(format.encodeToString(serializer, value))
            is BinaryFormat -> Frame.Binary(format.encodeToByteArray(serializer, value))
            else -> error("unreachable: checked in init")
        }
    }

    override suspend fun deserialize(frame: Frame, type: KType): Any? {
        val serializer = format.serializersModule.serializer(type)
        return when {
            format is StringFormat && frame is Frame.Text -> format.decodeFromString(serializer, frame.text)
            format is BinaryFormat && frame is Frame.Binary -> format.decodeFromByteArray(serializer, frame.data)
            else -> throw WebsocketDeserializeException("cannot read a ${frame.frameType} frame", frame = frame)
        }
    }

    override fun isApplicable(frame: Frame): Boolean = when (format) {
        is StringFormat -> frame is Frame.Text
        else -> frame is Frame.Binary
    }
}

/** The session has no [WebsocketContentConverter] ([WebSocketConfig.contentConverter] is `null`). */
public class WebsocketConverterNotFoundException(message: String) : Exception(message)

/**
 * A received frame could not be turned into the requested type.
 *
 * @property frame the frame that was received (and consumed).
 */
public class WebsocketDeserializeException(
    message: String,
    cause: Throwable? = null,
    public val frame: Frame,
) : Exception(message, cause)

/** Sends [data] as one frame made by the session's [ClientWebSocketSession.converter]. */
public suspend inline fun <reified T> ClientWebSocketSession.sendSerialized(data: T): Unit =
    sendSerialized(data, typeOf<T>())

/** Sends [data], whose type is [type], as one frame made by the session's converter. */
public suspend fun ClientWebSocketSession.sendSerialized(data: Any?, type: KType) {
    val converter = converter ?: throw WebsocketConverterNotFoundException("No converter was found for websocket")
    send(converter.serialize(data, type))
}

/**
 * Receives the next message from [ClientWebSocketSession.incoming] and reads it as a [T] with the
 * session's converter.
 *
 * @throws WebsocketConverterNotFoundException when the session has no converter.
 * @throws WebsocketDeserializeException when the frame cannot be read as a [T].
 */
public suspend inline fun <reified T> ClientWebSocketSession.receiveDeserialized(): T =
    receiveDeserialized(typeOf<T>()) as T

/** Receives the next message and reads it as a value of [type]; see the reified overload. */
public suspend fun ClientWebSocketSession.receiveDeserialized(type: KType): Any? {
    val converter = converter ?: throw WebsocketConverterNotFoundException("No converter was found for websocket")
    val frame = incoming.receive()
    if (!converter.isApplicable(frame)) {
        throw WebsocketDeserializeException("the converter cannot read a ${frame.frameType} frame", frame = frame)
    }
    val value = try {
        converter.deserialize(frame, type)
    } catch (failure: SerializationException) {
        throw WebsocketDeserializeException("cannot read the frame as $type: ${failure.message}", failure, frame)
    } catch (failure: IllegalArgumentException) {
        throw WebsocketDeserializeException("cannot read the frame as $type: ${failure.message}", failure, frame)
    }
    if (value == null && !type.isMarkedNullable) {
        throw WebsocketDeserializeException("the frame holds null, but $type is not nullable", frame = frame)
    }
    return value
}
