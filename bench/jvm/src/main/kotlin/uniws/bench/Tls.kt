package uniws.bench

import java.io.File
import java.security.KeyStore
import java.security.cert.CertificateFactory
import javax.net.ssl.SSLContext
import javax.net.ssl.TrustManagerFactory
import javax.net.ssl.X509TrustManager

/** Trust for the JVM contenders: only the CA certificates in the PEM file at [caPath]. */
object Tls {
    fun trustManager(caPath: String): X509TrustManager {
        val certificates = File(caPath).inputStream().use {
            CertificateFactory.getInstance("X.509").generateCertificates(it)
        }
        require(certificates.isNotEmpty()) { "no certificate in $caPath" }
        val store = KeyStore.getInstance(KeyStore.getDefaultType()).apply { load(null, null) }
        certificates.forEachIndexed { index, certificate -> store.setCertificateEntry("ca$index", certificate) }
        val factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
        factory.init(store)
        return factory.trustManagers.filterIsInstance<X509TrustManager>().single()
    }

    fun sslContext(trustManager: X509TrustManager): SSLContext =
        SSLContext.getInstance("TLS").apply { init(null, arrayOf(trustManager), null) }
}
