package io.dualstack.apiserver.pki;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A cluster's CA and the API server's serving certificate (ECDSA P-256), kept as PEM files in the
 * state directory: {@code ca.crt}, {@code ca.key}, {@code apiserver.crt}, {@code apiserver.key}.
 * Keys are written owner-only (0600). Existing files are reused when the serving certificate
 * still covers every requested SAN, so a restarted server keeps its kubeconfig valid.
 */
public final class ClusterPki {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final X509Certificate caCert;
    private final X509Certificate servingCert;
    private final PrivateKey servingKey;

    private ClusterPki(X509Certificate caCert, X509Certificate servingCert, PrivateKey servingKey) {
        this.caCert = caCert;
        this.servingCert = servingCert;
        this.servingKey = servingKey;
    }

    public X509Certificate caCert() { return caCert; }

    public X509Certificate servingCert() { return servingCert; }

    public PrivateKey servingKey() { return servingKey; }

    /** The CA certificate as PEM text (for kubeconfig {@code certificate-authority-data}). */
    public String caPem() { return pem(caCert); }

    /**
     * Loads the PKI from {@code dir}, or creates it. {@code dnsNames} and {@code ips} are the
     * serving certificate's SANs (IPs as literal strings).
     */
    public static ClusterPki loadOrCreate(Path dir, List<String> dnsNames, List<String> ips) throws Exception {
        Files.createDirectories(dir);
        Path caCrt = dir.resolve("ca.crt"), caKey = dir.resolve("ca.key");
        Path srvCrt = dir.resolve("apiserver.crt"), srvKey = dir.resolve("apiserver.key");
        X509Certificate ca;
        KeyPair caKp;
        if (Files.exists(caCrt) && Files.exists(caKey)) {
            ca = readCert(caCrt);
            caKp = new KeyPair(ca.getPublicKey(), readPrivateKey(caKey));
        } else {
            caKp = newKeyPair();
            ca = selfSignedCa(caKp);
            writePrivate(caKey, pem(caKp.getPrivate()));
            Files.writeString(caCrt, pem(ca));
        }
        if (Files.exists(srvCrt) && Files.exists(srvKey)) {
            X509Certificate existing = readCert(srvCrt);
            if (covers(existing, dnsNames, ips) && existing.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)))) {
                return new ClusterPki(ca, existing, readPrivateKey(srvKey));
            }
        }
        KeyPair kp = newKeyPair();
        X509Certificate serving = serving(ca, caKp, kp, dnsNames, ips);
        writePrivate(srvKey, pem(kp.getPrivate()));
        Files.writeString(srvCrt, pem(serving));
        return new ClusterPki(ca, serving, kp.getPrivate());
    }

    /** A PKCS12 key store holding the serving key and chain, for the TLS connector. */
    public KeyStore keyStore(char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("apiserver", servingKey, password, new Certificate[] {servingCert, caCert});
        return ks;
    }

    /** A trust store holding only the CA. */
    public KeyStore trustStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", caCert);
        return ks;
    }

    private static boolean covers(X509Certificate cert, List<String> dnsNames, List<String> ips) throws Exception {
        Set<String> have = new LinkedHashSet<>();
        if (cert.getSubjectAlternativeNames() != null) {
            for (List<?> san : cert.getSubjectAlternativeNames()) have.add(normalize(String.valueOf(san.get(1))));
        }
        for (String d : dnsNames) if (!have.contains(d)) return false;
        for (String ip : ips) if (!have.contains(normalize(ip))) return false;
        return true;
    }

    private static String normalize(String ipOrName) {
        try {
            if (ipOrName.contains(":")) return java.net.InetAddress.getByName(ipOrName).getHostAddress();
        } catch (Exception ignored) {
            // not an address
        }
        return ipOrName;
    }

    private static KeyPair newKeyPair() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return kpg.generateKeyPair();
    }

    private static X509Certificate selfSignedCa(KeyPair kp) throws Exception {
        X500Name name = new X500Name("CN=dualstack-ca");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(63, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))), name, kp.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        return sign(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    private static X509Certificate serving(X509Certificate ca, KeyPair caKp, KeyPair kp, List<String> dnsNames, List<String> ips) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, new BigInteger(63, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(825))),
                new X500Name("CN=kube-apiserver"), kp.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        List<GeneralName> names = new ArrayList<>();
        for (String d : dnsNames) names.add(new GeneralName(GeneralName.dNSName, d));
        for (String ip : ips) names.add(new GeneralName(GeneralName.iPAddress, ip));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        return sign(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKp.getPrivate())));
    }

    private static X509Certificate sign(X509CertificateHolder holder) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    static String pem(Object o) {
        try {
            StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                // Private keys as PKCS#8 ("PRIVATE KEY"): it carries the curve, so the key reads back.
                w.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
            }
            return sw.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate readCert(Path p) throws Exception {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(p)))) {
            return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) parser.readObject());
        }
    }

    /**
     * The private key of a PEM file, traditional ({@code EC PRIVATE KEY}, which may omit the public
     * key) or PKCS#8 ({@code PRIVATE KEY}); the public half comes from the matching certificate.
     */
    private static PrivateKey readPrivateKey(Path p) throws Exception {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(p)))) {
            Object o = parser.readObject();
            org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = o instanceof PEMKeyPair kp ? kp.getPrivateKeyInfo()
                    : o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo pki ? pki : null;
            if (info == null) {
                throw new IllegalStateException(p + ": not a PEM private key; remove the cluster's state (dualstack down) and start again");
            }
            return new JcaPEMKeyConverter().getPrivateKey(info);
        }
    }

    /** Writes {@code text} to a file readable by the owner only (created 0600 before any byte is written). */
    public static void writePrivate(Path p, String text) throws IOException {
        Files.deleteIfExists(p);
        try {
            Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(p);
        }
        Files.write(p, text.getBytes(StandardCharsets.UTF_8));
    }
}
