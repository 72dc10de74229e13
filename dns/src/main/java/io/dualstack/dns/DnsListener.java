package io.dualstack.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.DClass;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * UDP and TCP listeners answering from the current {@link Zone} snapshot. Every bind address gets
 * a UDP socket and a TCP socket on the same port (port 0: one free port shared by all addresses).
 * Never dies on input: malformed queries get FORMERR when their header is readable, else are dropped.
 */
public final class DnsListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsListener.class);
    /** The EDNS0 buffer size we advertise (the DNS flag day 2020 value). */
    static final int ADVERTISED_UDP_SIZE = 1232;
    static final int PLAIN_UDP_SIZE = 512;
    static final int TCP_IDLE_MILLIS = 10_000;
    private static final int CACHE_LIMIT = 200_000;

    private final Supplier<Zone> zone;
    private final BooleanSupplier synced;
    private final DnsMetrics metrics;
    private final List<InetSocketAddress> requested;
    private final Optional<InetSocketAddress> upstream;
    private final int udpWorkers;
    /** Extra UDP sockets on the same address and port (SO_REUSEPORT), one receiving thread each. */
    private final List<List<DatagramChannel>> udpExtra = new ArrayList<>();
    private final List<ServerSocket> tcp = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    /** Per handle() slot (listener index * 2 + tcp): CoreDNS's server label, transport and family. */
    private volatile String[] slotServer = new String[0];
    private volatile String[] slotProto = new String[0];
    private volatile String[] slotFamily = new String[0];
    private final ExecutorService tcpConnections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dns-tcp-conn");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    private volatile WireCache cache = new WireCache(null);

    public DnsListener(Supplier<Zone> zone, BooleanSupplier synced, DnsMetrics metrics,
                       List<InetSocketAddress> bind, Optional<InetSocketAddress> upstream) {
        this.zone = zone;
        this.synced = synced;
        this.metrics = metrics;
        this.requested = List.copyOf(bind);
        this.upstream = upstream;
        this.udpWorkers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        if (requested.isEmpty()) throw new IllegalArgumentException("no listen address");
    }

    /** Binds every address (UDP and TCP) and starts serving. */
    public synchronized void start() throws IOException {
        boolean anyZero = requested.stream().anyMatch(a -> a.getPort() == 0);
        IOException last = null;
        for (int attempt = 0; attempt < (anyZero ? 20 : 1); attempt++) {
            try {
                bindAll();
                last = null;
                break;
            } catch (BindException e) {
                closeSockets();
                last = e;
            }
        }
        if (last != null) throw last;
        String[] sv = new String[bound.size() * 2];
        String[] pr = new String[bound.size() * 2];
        String[] fa = new String[bound.size() * 2];
        for (int i = 0; i < bound.size(); i++) {
            for (int t = 0; t < 2; t++) {
                sv[i * 2 + t] = serverLabel(bound.get(i));
                pr[i * 2 + t] = t == 1 ? "tcp" : "udp";
                fa[i * 2 + t] = bound.get(i).getAddress() instanceof Inet4Address ? "1" : "2";
            }
        }
        slotServer = sv;
        slotProto = pr;
        slotFamily = fa;
        for (int i = 0; i < udpExtra.size(); i++) {
            final int index = i;
            String server = serverLabel(bound.get(i));
            for (String z : zone.get().config().reverseZones().stream().map(Name::toString).toList()) {
                metrics.pluginEnabled(server, z);
            }
            metrics.pluginEnabled(server, zone.get().config().domain().toString());
            for (int w = 0; w < udpExtra.get(i).size(); w++) {
                DatagramChannel ch = udpExtra.get(i).get(w);
                Thread t = new Thread(() -> udpLoop(ch, index * 2), "dns-udp-" + bound.get(i) + "-" + w);
                t.setDaemon(true);
                threads.add(t);
            }
            ServerSocket ss = tcp.get(i);
            Thread t = new Thread(() -> acceptLoop(ss, index * 2 + 1), "dns-tcp-" + bound.get(i));
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /**
     * Binds TCP first when the port is given, so that a port in use fails here even though the
     * UDP sockets share their port with SO_REUSEPORT (one receiving socket per worker thread).
     */
    private void bindAll() throws IOException {
        int shared = 0;
        for (InetSocketAddress want : requested) {
            int port = want.getPort() == 0 ? shared : want.getPort();
            ServerSocket s = null;
            if (port != 0) s = tcpSocket(new InetSocketAddress(want.getAddress(), port));
            List<DatagramChannel> group = new ArrayList<>();
            udpExtra.add(group);
            DatagramChannel first = udpChannel(want.getAddress());
            group.add(first);
            first.bind(new InetSocketAddress(want.getAddress(), port));
            int actual = ((InetSocketAddress) first.getLocalAddress()).getPort();
            if (s == null) tcpSocket(new InetSocketAddress(want.getAddress(), actual));
            for (int w = 1; w < udpWorkers; w++) {
                DatagramChannel more = udpChannel(want.getAddress());
                group.add(more);
                more.bind(new InetSocketAddress(want.getAddress(), actual));
            }
            if (want.getPort() == 0 && shared == 0) shared = actual;
            bound.add(new InetSocketAddress(want.getAddress(), actual));
        }
    }

    private ServerSocket tcpSocket(InetSocketAddress at) throws IOException {
        ServerSocket s = new ServerSocket();
        tcp.add(s);
        s.setReuseAddress(true);
        s.bind(at, 128);
        return s;
    }

    private DatagramChannel udpChannel(InetAddress family) throws IOException {
        DatagramChannel c = DatagramChannel.open(family instanceof Inet4Address
                ? java.net.StandardProtocolFamily.INET : java.net.StandardProtocolFamily.INET6);
        if (udpWorkers > 1) c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        try {
            c.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            c.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
        return c;
    }

    /** The bound addresses, UDP and TCP alike, in the order requested. */
    public synchronized List<InetSocketAddress> addresses() {
        return List.copyOf(bound);
    }

    /** CoreDNS's {@code server} label: {@code dns://127.0.0.1:53}, {@code dns://[::1]:53}. */
    static String serverLabel(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        if (a.getAddress() instanceof java.net.Inet6Address) {
            int pct = host.indexOf('%');
            if (pct >= 0) host = host.substring(0, pct);
            host = "[" + new inet.ipaddr.IPAddressString(host).getAddress().toCanonicalString() + "]";
        }
        if (a.getAddress().isAnyLocalAddress()) host = "";
        return "dns://" + host + ":" + a.getPort();
    }

    private void udpLoop(DatagramChannel channel, int slot) {
        byte[] buf = new byte[65535];
        ByteBuffer in = ByteBuffer.allocateDirect(65535);
        ByteBuffer out = ByteBuffer.allocateDirect(65535);
        while (!closed) {
            try {
                in.clear();
                java.net.SocketAddress from = channel.receive(in);
                if (from == null) continue;
                in.flip();
                int len = in.remaining();
                in.get(buf, 0, len);
                byte[] response = handle(buf, len, slot);
                if (response != null) {
                    out.clear();
                    out.put(response);
                    out.flip();
                    channel.send(out, from);
                }
            } catch (IOException e) {
                if (closed || !channel.isOpen()) return;
                LOG.debug("udp: {}", e.toString());
            } catch (RuntimeException | Error e) {
                metrics.panic();
                LOG.warn("udp: unexpected failure, query dropped", e);
            }
        }
    }

    private void acceptLoop(ServerSocket ss, int slot) {
        while (!closed) {
            try {
                Socket c = ss.accept();
                tcpConnections.execute(() -> serveTcp(c, slot));
            } catch (IOException e) {
                if (closed || ss.isClosed()) return;
                LOG.debug("tcp accept: {}", e.toString());
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }

    private void serveTcp(Socket c, int slot) {
        try (c) {
            c.setSoTimeout(TCP_IDLE_MILLIS);
            c.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(c.getInputStream());
            OutputStream out = c.getOutputStream();
            while (!closed) {
                int len;
                try {
                    len = in.readUnsignedShort();
                } catch (EOFException | SocketTimeoutException e) {
                    return;
                }
                byte[] q = new byte[len];
                in.readFully(q);
                byte[] r;
                try {
                    r = handle(q, len, slot);
                } catch (RuntimeException | Error e) {
                    metrics.panic();
                    LOG.warn("tcp: unexpected failure, connection closed", e);
                    return;
                }
                if (r == null) return; // unanswerable: close, as DNS servers do on TCP
                byte[] framed = new byte[r.length + 2];
                framed[0] = (byte) (r.length >>> 8);
                framed[1] = (byte) r.length;
                System.arraycopy(r, 0, framed, 2, r.length);
                out.write(framed);
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("tcp: {}", e.toString());
        }
    }

    /**
     * Answers one query. Returns the response's wire bytes, or null to drop the query (too short
     * to have a header, or a response rather than a query). Visible for tests.
     */
    byte[] handle(byte[] buf, int len, int slot) {
        long start = System.nanoTime();
        if (len < Header.LENGTH) return null;
        if ((buf[2] & 0x80) != 0) return null; // QR set: a response, never answer it
        boolean tcpTransport = (slot & 1) == 1;
        String proto = slotProto[slot];
        String family = slotFamily[slot];
        String server = slotServer[slot];

        QuickKey key = QuickKey.parse(buf, len, tcpTransport);
        Zone z = zone.get();
        WireCache c = cache;
        if (c.zone != z) {
            c = new WireCache(z);
            cache = c;
        }
        if (key != null) {
            CachedAnswer hit = c.map.get(key);
            if (hit != null) {
                byte[] out = hit.wire.clone();
                out[0] = buf[0];
                out[1] = buf[1];
                DnsMetrics.Handles h = hit.handles[slot];
                if (h == null) {
                    h = metrics.handles(server, hit.zoneLabel, proto, family, hit.typeLabel, hit.rcode, hit.plugin, hit.kind);
                    hit.handles[slot] = h;
                }
                metrics.report(h, key.dnssecOk, len, out.length, System.nanoTime() - start);
                return out;
            }
        }

        Message query;
        try {
            query = new Message(Arrays.copyOf(buf, len));
        } catch (IOException | RuntimeException e) {
            byte[] r = headerOnly(buf, Rcode.FORMERR);
            metrics.report(server, DnsMetrics.DROPPED, proto, family, "other", "FORMERR", "", false, len, r.length,
                    System.nanoTime() - start, "other");
            return r;
        }
        Record question = query.getQuestion();
        int opcode = query.getHeader().getOpcode();
        OPTRecord opt = query.getOPT();
        boolean dnssecOk = opt != null && (opt.getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0;
        int maxSize = tcpTransport ? 65535
                : opt == null ? PLAIN_UDP_SIZE : Math.max(PLAIN_UDP_SIZE, Math.min(opt.getPayloadSize(), 65535));

        Message resp = new Message(query.getHeader().getID());
        Header h = resp.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(opcode);
        if (query.getHeader().getFlag(Flags.RD)) h.setFlag(Flags.RD);
        if (query.getHeader().getFlag(Flags.CD)) h.setFlag(Flags.CD);
        if (question != null) resp.addRecord(question, Section.QUESTION);
        if (opt != null) {
            resp.addRecord(new OPTRecord(ADVERTISED_UDP_SIZE, 0, 0, dnssecOk ? org.xbill.DNS.ExtendedFlags.DO : 0),
                    Section.ADDITIONAL);
        }
        String typeLabel = question == null ? "other" : DnsMetrics.typeLabel(question.getType());
        String zoneLabel = DnsMetrics.DROPPED;
        String plugin = "";
        String kind = "other";
        boolean cacheable = false;
        int fullRcode = -1;

        if (query.getHeader().getCount(Section.QUESTION) != 1 || question == null
                || query.getHeader().getCount(Section.ANSWER) != 0) {
            h.setRcode(Rcode.FORMERR);
        } else if (opcode != Opcode.QUERY) {
            h.setRcode(Rcode.NOTIMP);
        } else if (opt != null && opt.getVersion() > 0) {
            // RFC 6891: BADVERS is extended rcode 16, carried in the OPT record.
            resp.removeAllRecords(Section.ADDITIONAL);
            resp.addRecord(new OPTRecord(ADVERTISED_UDP_SIZE, Rcode.BADVERS >>> 4, 0, 0), Section.ADDITIONAL);
            h.setRcode(Rcode.BADVERS & 0xF);
            fullRcode = Rcode.BADVERS;
        } else if (question.getDClass() != DClass.IN) {
            h.setRcode(Rcode.REFUSED);
        } else {
            Answer a = z.answer(question.getName(), question.getType());
            if (a.zone().isEmpty() && upstream.isPresent()) {
                byte[] forwarded = forward(query, tcpTransport, maxSize);
                if (forwarded != null) {
                    metrics.report(server, ".", proto, family, typeLabel, rcodeOf(forwarded), "forward", dnssecOk,
                            len, forwarded.length, System.nanoTime() - start, "forwarded");
                    return forwarded;
                }
                h.setRcode(Rcode.SERVFAIL);
            } else {
                int rcode = a.rcode();
                if (rcode == Rcode.NXDOMAIN && !synced.getAsBoolean()) rcode = Rcode.SERVFAIL; // as CoreDNS before sync
                h.setRcode(rcode);
                if (a.zone().isPresent()) {
                    zoneLabel = a.zone().get().toString();
                    plugin = "kubernetes";
                    if (rcode != Rcode.REFUSED) h.setFlag(Flags.AA);
                }
                for (Record r : a.answer()) resp.addRecord(r, Section.ANSWER);
                for (Record r : a.authority()) resp.addRecord(r, Section.AUTHORITY);
                for (Record r : a.additional()) resp.addRecord(r, Section.ADDITIONAL);
                kind = a.kind().name().toLowerCase(java.util.Locale.ROOT);
                cacheable = rcode == a.rcode();
            }
        }
        byte[] wire = resp.toWire(maxSize);
        String rcodeName = Rcode.string(fullRcode >= 0 ? fullRcode : h.getRcode());
        if (cacheable && key != null) {
            if (c.map.size() > CACHE_LIMIT) c.map.clear();
            c.map.put(key, new CachedAnswer(wire, zoneLabel, typeLabel, rcodeName, plugin, kind,
                    new DnsMetrics.Handles[slotServer.length]));
        }
        metrics.report(server, zoneLabel, proto, family, typeLabel, rcodeName, plugin, dnssecOk, len, wire.length,
                System.nanoTime() - start, kind);
        return wire;
    }

    private byte[] forward(Message query, boolean tcpTransport, int maxSize) {
        try {
            SimpleResolver r = new SimpleResolver(upstream.get());
            r.setTCP(tcpTransport);
            r.setTimeout(Duration.ofSeconds(2));
            Message m = r.send(query);
            m.getHeader().setID(query.getHeader().getID());
            return m.toWire(maxSize);
        } catch (IOException e) {
            LOG.debug("forward to {} failed: {}", upstream.get(), e.toString());
            return null;
        }
    }

    private static String rcodeOf(byte[] wire) {
        return wire.length >= 4 ? Rcode.string(wire[3] & 0xF) : "SERVFAIL";
    }

    /** A header-only reply (same ID and opcode, QR set) carrying {@code rcode}. */
    static byte[] headerOnly(byte[] buf, int rcode) {
        byte[] r = new byte[Header.LENGTH];
        r[0] = buf[0];
        r[1] = buf[1];
        r[2] = (byte) (0x80 | (buf[2] & 0x79)); // QR + opcode + RD kept
        r[3] = (byte) (rcode & 0xF);
        return r;
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeSockets();
        tcpConnections.shutdownNow();
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    private void closeSockets() {
        for (List<DatagramChannel> g : udpExtra) {
            for (DatagramChannel c : g) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
        udpExtra.clear();
        for (ServerSocket s : tcp) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        tcp.clear();
        bound.clear();
    }

    /** A cached response; {@code handles} (per slot, filled lazily) may race benignly. */
    private record CachedAnswer(byte[] wire, String zoneLabel, String typeLabel, String rcode, String plugin,
                                String kind, DnsMetrics.Handles[] handles) {
    }

    private static final class WireCache {
        final Zone zone;
        final ConcurrentHashMap<QuickKey, CachedAnswer> map = new ConcurrentHashMap<>();

        WireCache(Zone zone) {
            this.zone = zone;
        }
    }

    /**
     * The part of a plain query its answer depends on: the flags we echo, the question bytes
     * exactly (the answer keeps the question's case), the EDNS0 size and DO bit. Only simple
     * queries (one question, no answer/authority, at most an OPT record) get a key.
     */
    static final class QuickKey {
        final byte[] bytes;
        final int hash;
        final boolean dnssecOk;

        private QuickKey(byte[] bytes, boolean dnssecOk) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
            this.dnssecOk = dnssecOk;
        }

        static QuickKey parse(byte[] b, int len, boolean tcp) {
            if (len < Header.LENGTH + 5) return null;
            int qd = u16(b, 4), an = u16(b, 6), ns = u16(b, 8), ar = u16(b, 10);
            if (qd != 1 || an != 0 || ns != 0 || ar > 1) return null;
            if ((b[2] & 0x78) != 0) return null; // opcode QUERY only
            int p = Header.LENGTH;
            while (true) {
                if (p >= len) return null;
                int l = b[p] & 0xFF;
                if (l == 0) {
                    p++;
                    break;
                }
                if (l > 63) return null; // compression or extended labels: let the full parser decide
                p += l + 1;
            }
            p += 4;
            if (p > len) return null;
            int qEnd = p;
            int size = tcp ? 65535 : PLAIN_UDP_SIZE;
            boolean edns = false;
            boolean dnssecOk = false;
            if (ar == 1) {
                if (p + 11 > len || b[p] != 0 || u16(b, p + 1) != Type.OPT) return null;
                int payload = u16(b, p + 3);
                int version = b[p + 6] & 0xFF;
                int flags = u16(b, p + 7);
                int rdlen = u16(b, p + 9);
                if (version != 0 || p + 11 + rdlen != len) return null;
                if (!tcp) size = Math.max(PLAIN_UDP_SIZE, payload);
                edns = true;
                dnssecOk = (flags & 0x8000) != 0;
                p += 11 + rdlen;
            }
            if (p != len) return null;
            int qlen = qEnd - Header.LENGTH;
            byte[] k = new byte[qlen + 6];
            System.arraycopy(b, Header.LENGTH, k, 0, qlen);
            k[qlen] = (byte) (b[2] & 0x01); // RD
            k[qlen + 1] = (byte) (b[3] & 0x10); // CD
            k[qlen + 2] = (byte) (size >>> 8);
            k[qlen + 3] = (byte) size;
            k[qlen + 4] = (byte) ((edns ? 1 : 0) | (dnssecOk ? 2 : 0));
            k[qlen + 5] = (byte) (tcp ? 1 : 0);
            return new QuickKey(k, dnssecOk);
        }

        private static int u16(byte[] b, int i) {
            return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof QuickKey q && q.hash == hash && Arrays.equals(q.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

}
