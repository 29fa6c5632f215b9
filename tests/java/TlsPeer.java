// A minimal JSSE peer for chainfix's tests: one TLS handshake on
// 127.0.0.1 as client or server, with the JDK's default PKIX validator, so
// tests can capture the exact text Java prints when it refuses a chain.
//
//   java TlsPeer client PORT TRUST.pem [KEYSTORE.p12 PASSWORD]
//   java TlsPeer server TRUST.pem KEYSTORE.p12 PASSWORD   (prints its port)
//
// A failed handshake prints the exception's stack trace (with its "Caused
// by:" chain) on stderr and exits 1.

import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class TlsPeer {
    public static void main(String[] a) throws Exception {
        boolean server = a[0].equals("server");
        String trust = server ? a[1] : a[2];
        String p12 = server ? a[2] : (a.length > 3 ? a[3] : null);
        String pass = server ? a[3] : (a.length > 4 ? a[4] : null);

        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = new FileInputStream(trust)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ts.setCertificateEntry("ca" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        KeyManagerFactory kmf = null;
        if (p12 != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(p12)) {
                ks.load(in, pass.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, pass.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try {
            if (server) {
                try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
                        .createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                    ss.setNeedClientAuth(true);
                    System.out.println(ss.getLocalPort());
                    System.out.flush();
                    try (SSLSocket s = (SSLSocket) ss.accept()) {
                        s.setSoTimeout(15000);
                        s.startHandshake();
                        s.getInputStream().read();
                    }
                }
            } else {
                try (SSLSocket s = (SSLSocket) ctx.getSocketFactory()
                        .createSocket("127.0.0.1", Integer.parseInt(a[1]))) {
                    s.setSoTimeout(15000);
                    s.startHandshake();
                    s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
                    s.getInputStream().read();
                }
            }
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("handshake completed");
    }
}
