package uniws.test

import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** The README's Kotlin example is the compiled [greet], and it runs against a real server. */
class ReadmeSnippetTest {
    private fun snippet(text: String): String {
        val start = text.indexOf("suspend fun greet(")
        assertTrue(start >= 0, "no `suspend fun greet(` found")
        val end = text.indexOf("\n}\n", start)
        assertTrue(end > start, "no end of `greet` found")
        return text.substring(start, end + 2)
    }

    @Test
    fun `the README shows the compiled snippet`() {
        val readme = Peers.root.resolve("bindings/kotlin/README.md").readText()
        val source = Peers.root.resolve("bindings/kotlin/src/test/kotlin/uniws/test/ReadmeSnippet.kt").readText()
        assertEquals(snippet(source), snippet(readme))
    }

    @Test
    fun `the README snippet runs`() = wsTest { _ ->
        for (peer in Peers.all) {
            assertEquals(
                listOf("Hello!", "3 bytes", "{answer=42}", "unreachable: true"),
                greet(peer.url("/echo")),
            )
        }
    }
}
