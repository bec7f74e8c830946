package uniws.bench

import java.net.InetAddress
import java.net.Socket
import javax.net.SocketFactory

/**
 * Plain sockets with TCP_NODELAY, for OkHttp (which leaves Nagle's algorithm on). The other
 * contenders set it themselves (uniws, Ktor CIO's `tcpNoDelay()`), as the Rust bench does for
 * tokio-tungstenite. Without it, a TLS handshake's back-to-back small writes wait for the peer's
 * delayed ACK (~40 ms on loopback).
 */
class NoDelaySocketFactory(private val delegate: SocketFactory = getDefault()) : SocketFactory() {
    override fun createSocket(): Socket = delegate.createSocket().noDelay()

    override fun createSocket(host: String, port: Int): Socket = delegate.createSocket(host, port).noDelay()

    override fun createSocket(host: String, port: Int, localHost: InetAddress, localPort: Int): Socket =
        delegate.createSocket(host, port, localHost, localPort).noDelay()

    override fun createSocket(host: InetAddress, port: Int): Socket = delegate.createSocket(host, port).noDelay()

    override fun createSocket(address: InetAddress, port: Int, localAddress: InetAddress, localPort: Int): Socket =
        delegate.createSocket(address, port, localAddress, localPort).noDelay()

    private fun Socket.noDelay(): Socket = apply { tcpNoDelay = true }
}
