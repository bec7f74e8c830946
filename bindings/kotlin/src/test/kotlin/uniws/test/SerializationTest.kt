package uniws.test

import kotlin.reflect.KType
import kotlin.reflect.typeOf
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlinx.serialization.Serializable
import kotlinx.serialization.BinaryFormat
import kotlinx.serialization.DeserializationStrategy
import kotlinx.serialization.SerializationStrategy
import kotlinx.serialization.json.Json
import kotlinx.serialization.modules.SerializersModule
import org.junit.jupiter.api.Test
import uniws.Frame
import uniws.WebsocketContentConverter
import uniws.WebsocketConverterNotFoundException
import uniws.WebsocketDeserializeException
import uniws.receiveDeserialized
import uniws.sendSerialized
import uniws.webSocket

/** Ktor's `sendSerialized` / `receiveDeserialized` tests: JSON by default, a custom converter, none. */
class SerializationTest {
    @Serializable
    data class Data(val stringValue: String, val count: Int = 0)

    private val bracketConverter = object : WebsocketContentConverter {
        override suspend fun serialize(value: Any?, type: KType): Frame =
            if (value is Data) Frame.Text("[${value.stringValue}]") else Frame.Text("")

        override suspend fun deserialize(frame: Frame, type: KType): Any =
            if (type == typeOf<Data>() && frame is Frame.Text) Data(frame.text.removeSurrounding("[", "]")) else Data("")

        override fun isApplicable(frame: Frame): Boolean = frame is Frame.Text
    }

    @Test
    fun `JSON is the default converter`() = wsTest { client ->
        client.webSocket(Peers.python.url("/echo")) {
            repeat(100) {
                val original = Data("hello", it)
                sendSerialized(original)
                assertEquals(original, receiveDeserialized<Data>())
            }
            sendSerialized(listOf(Data("a"), Data("b")))
            assertEquals(listOf(Data("a"), Data("b")), receiveDeserialized<List<Data>>())
            send(Frame.Text("""{"stringValue":"raw","count":7}"""))
            assertEquals(Data("raw", 7), receiveDeserialized<Data>())
            send(Frame.Text("null"))
            assertEquals(null, receiveDeserialized<Data?>())
            send(Frame.Text("not json"))
            val error = assertFailsWith<WebsocketDeserializeException> { receiveDeserialized<Data>() }
            assertEquals(Frame.Text("not json"), error.frame)
            send(Frame.Binary(byteArrayOf(1)))
            assertFailsWith<WebsocketDeserializeException> { receiveDeserialized<Data>() }
        }
    }

    @Test
    fun `a custom converter is used`() = wsTest(configure = { contentConverter = bracketConverter }) { client ->
        client.webSocket(Peers.node.url("/echo")) {
            repeat(100) {
                sendSerialized(Data("hello"))
                assertEquals("[hello]", (incoming.receive() as Frame.Text).text)
                send(Frame.Text("[hello]"))
                assertEquals(Data("hello"), receiveDeserialized<Data>())
            }
        }
    }

    /** A binary format of the test's own: JSON as UTF-8 bytes. */
    private object JsonBytes : BinaryFormat {
        override val serializersModule: SerializersModule get() = Json.serializersModule

        override fun <T> encodeToByteArray(serializer: SerializationStrategy<T>, value: T): ByteArray =
            Json.encodeToString(serializer, value).encodeToByteArray()

        override fun <T> decodeFromByteArray(deserializer: DeserializationStrategy<T>, bytes: ByteArray): T =
            Json.decodeFromString(deserializer, bytes.decodeToString())
    }

    @Test
    fun `a binary format uses binary frames`() =
        wsTest(configure = { contentConverter = uniws.KotlinxWebsocketSerializationConverter(JsonBytes) }) { client ->
            client.webSocket(Peers.python.url("/echo")) {
                sendSerialized(Data("bytes", 3))
                val frame = incoming.receive()
                assertIs<Frame.Binary>(frame)
                assertEquals("""{"stringValue":"bytes","count":3}""", frame.data.decodeToString())
                send(frame)
                assertEquals(Data("bytes", 3), receiveDeserialized<Data>())
            }
        }

    @Test
    fun `without a converter both fail`() = wsTest(configure = { contentConverter = null }) { client ->
        client.webSocket(Peers.python.url("/echo")) {
            assertFailsWith<WebsocketConverterNotFoundException> { sendSerialized(Data("hello")) }
            outgoing.send(Frame.Text("[hello]"))
            assertFailsWith<WebsocketConverterNotFoundException> { receiveDeserialized<Data>() }
            assertEquals("[hello]", (incoming.receive() as Frame.Text).text) // nothing was consumed
        }
    }
}
