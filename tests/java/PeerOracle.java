// The Java peer for chainfix's differential tests: asks the JDK's own TLS
// certificate validator -- the code X509TrustManagerImpl runs in a handshake --
// whether it accepts each case. Nothing of Java's behaviour is reimplemented
// here: sun.security.validator.Validator (CertPathBuilder/Validator "PKIX",
// the default jdk.certpath.disabledAlgorithms, and EndEntityChecker's TLS
// keyUsage/extendedKeyUsage checks), then sun.security.util.HostnameChecker.
//
// Compile and run (the test harness does this at test time):
//   javac --add-exports java.base/sun.security.validator=ALL-UNNAMED \
//         --add-exports java.base/sun.security.util=ALL-UNNAMED -d OUT PeerOracle.java
//   java --add-exports ... --add-opens java.base/sun.security.ssl=ALL-UNNAMED \
//        -cp OUT PeerOracle < cases.tsv > verdicts.tsv
//
// Input: one case per line, tab-separated:
//   id, role (SERVER: we are the client checking a server | CLIENT: we are
//   the server checking a client), validation time (ms since the epoch),
//   expected name ("DNS:host", "IP:addr", or "-" for none), trusted
//   certificates, chain as sent by the peer after the leaf, leaf. Certificate
//   lists are comma-separated base64 DER ("-" for none).
// Output: one line per case: id, SUCCESS|FAILURE, the JDK's own words.

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmConstraints;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;

import sun.security.util.HostnameChecker;
import sun.security.validator.Validator;

public final class PeerOracle {

    /**
     * The algorithm constraints JSSE hands the validator in a handshake
     * (jdk.tls.disabledAlgorithms; jdk.certpath.disabledAlgorithms is applied
     * by the PKIX validator itself), read from JSSE rather than rebuilt.
     * Null (the validator's own defaults only) if this JDK hides it.
     */
    private static final AlgorithmConstraints TLS_CONSTRAINTS = tlsConstraints();

    private static AlgorithmConstraints tlsConstraints() {
        try {
            Class<?> c = Class.forName("sun.security.ssl.SSLAlgorithmConstraints");
            Field f = c.getDeclaredField("DEFAULT_SSL_ONLY");
            f.setAccessible(true);
            return (AlgorithmConstraints) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("PeerOracle: no JSSE constraints (" + e + "); using the validator's defaults");
            return null;
        }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String verdict;
            String detail;
            try {
                detail = check(f);
                verdict = "SUCCESS";
            } catch (Exception e) {
                verdict = "FAILURE";
                detail = describe(e);
            }
            out.println(f[0] + "\t" + verdict + "\t" + detail.replaceAll("[\\t\\r\\n]+", " "));
        }
        out.flush();
    }

    private static String check(String[] f) throws Exception {
        boolean client = f[1].equals("CLIENT");
        Date at = new Date(Long.parseLong(f[2]));
        String name = f[3];
        // The JDK keeps parsed certificates in a process-wide cache keyed by
        // their bytes, and its checkers can change cached objects; an empty
        // generateCertificate(null) call clears that cache (X509Factory), so
        // each case starts from freshly parsed certificates.
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        try {
            cf.generateCertificate(null);
        } catch (CertificateException expected) {
            // "Missing input stream": the cache is now empty.
        }
        List<X509Certificate> anchors = new ArrayList<>();
        for (byte[] der : ders(f[4])) {
            try {
                anchors.add(parse(cf, der));
            } catch (CertificateException e) {
                // A trust store entry the JDK cannot parse is not an anchor.
            }
        }
        List<X509Certificate> chain = new ArrayList<>();
        List<byte[]> leaf = ders(f[6]);
        chain.add(parse(cf, leaf.get(0)));
        for (byte[] der : ders(f[5])) {
            chain.add(parse(cf, der));
        }
        Validator v = Validator.getInstance(Validator.TYPE_PKIX,
                client ? Validator.VAR_TLS_CLIENT : Validator.VAR_TLS_SERVER, anchors);
        v.setValidationDate(at);
        // As X509TrustManagerImpl.checkTrusted: no auth type for a client's
        // certificate; "UNKNOWN" for a server's, as TLS 1.3 passes
        // (CertificateMessage.T13CertificateConsumer), which asks for the
        // digitalSignature key usage.
        X509Certificate[] path = v.validate(chain.toArray(new X509Certificate[0]), null,
                Collections.emptyList(), TLS_CONSTRAINTS, client ? null : "UNKNOWN");
        if (name.startsWith("DNS:") || name.startsWith("IP:")) {
            HostnameChecker.getInstance(HostnameChecker.TYPE_TLS)
                    .match(name.substring(name.indexOf(':') + 1), path[0]);
        }
        return "path of " + path.length;
    }

    private static X509Certificate parse(CertificateFactory cf, byte[] der) throws CertificateException {
        return (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
    }

    private static List<byte[]> ders(String field) {
        List<byte[]> out = new ArrayList<>();
        if (field.equals("-") || field.isEmpty()) {
            return out;
        }
        for (String b64 : field.split(",")) {
            out.add(Base64.getDecoder().decode(b64));
        }
        return out;
    }

    /** The exception and its causes, as the JDK words them. */
    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (!s.toString().contains(String.valueOf(c.getMessage()))) {
                s.append(" <- ").append(c);
            }
        }
        return s.toString();
    }
}
