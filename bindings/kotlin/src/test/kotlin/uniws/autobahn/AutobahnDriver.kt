package uniws.autobahn

import kotlinx.coroutines.runBlocking
import uniws.Frame
import uniws.WebSocketClient
import uniws.WebSocketException
import uniws.readText
import uniws.webSocket

/**
 * The Autobahn|Testsuite client driver written against the Kotlin layer, as an application would
 * use it: each case echoes every message inside `webSocket { }` and leaves the block as soon as
 * `incoming` throws. `AUTOBAHN_URL` and `AGENT` come from the suite's `run-client.sh`
 * (`bash autobahn/run.sh kotlin` runs it).
 */
fun main(): Unit = runBlocking {
    val base = System.getenv("AUTOBAHN_URL") ?: "ws://127.0.0.1:9001"
    val agent = System.getenv("AGENT") ?: "uniws-kotlin"
    WebSocketClient().use { client ->
        val countSession = client.webSocketSession("$base/getCaseCount")
        val count = (countSession.incoming.receive() as Frame.Text).readText().toInt()
        countSession.closeReason.await()
        System.err.println("running $count cases as agent $agent")
        for (case in 1..count) {
            val ended = try {
                client.webSocket("$base/runCase?case=$case&agent=$agent") {
                    for (frame in incoming) send(frame)
                }
                "closed"
            } catch (failure: WebSocketException) {
                failure.toString()
            }
            if (case % 50 == 0 || case == count) System.err.println("case $case/$count done (ended with: $ended)")
        }
        client.webSocketSession("$base/updateReports?agent=$agent").closeReason.await()
        System.err.println("reports updated")
    }
}
