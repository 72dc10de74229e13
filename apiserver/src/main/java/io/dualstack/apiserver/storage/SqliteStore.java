package io.dualstack.apiserver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The durable {@link Store}: one SQLite database in WAL mode.
 *
 * <p>Schema: {@code kv} holds the current value of every key (primary key = key, so {@code list}
 * is an index range scan); {@code log} holds one row per event (the history watches replay, with
 * the previous value for DELETE events), {@code meta} holds the current and compacted revisions.
 *
 * <p>Writes: one writer thread owns the only writing connection and applies transactions with
 * <em>group commit</em>: it takes every queued {@link #txn} call, runs each in its own SAVEPOINT
 * (a failed compare or an error rolls back only that call), then commits the batch once, so one
 * fsync covers many concurrent writers. A call returns only after its batch committed: with
 * {@code synchronous=FULL} (the default) the write is on disk. Each successful txn with at least
 * one effective operation gets its own revision.
 *
 * <p>Reads use a small pool of reader connections; in WAL mode readers see the last committed
 * snapshot and never wait for the writer. {@code list} reads the revision and the rows in one
 * read transaction, so the page and its revision agree.
 *
 * <p>A lock file {@code <db>.lock} (an OS file lock, released by the kernel when the process dies,
 * even on kill -9) keeps a second process from opening the same database.
 */
public final class SqliteStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
    private static final int MAX_BATCH = 512;
    private static final int DELETE_CHUNK = 5_000;
    /** The largest code point: appended to a prefix it bounds every key starting with the prefix. */
    private static final String MAX_SUFFIX = new String(Character.toChars(Character.MAX_CODE_POINT));

    /** Lock files held by stores open in this JVM. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dbPath;
    private final Path lockPath;
    private final StoreOptions options;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final Connection writer;
    private final BlockingQueue<Reader> readers;
    private final List<Reader> allReaders = new ArrayList<>();
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final Thread writerThread;
    private final WatchHub hub;
    private final AutoCompactor compactor;
    private final StoreMetrics metrics;
    private volatile long revision;
    private volatile long compacted;
    private volatile boolean closed;

    private SqliteStore(Path dbPath, Path lockPath, StoreOptions options, FileChannel lockChannel, FileLock fileLock) throws SQLException {
        this.dbPath = dbPath;
        this.lockPath = lockPath;
        this.options = options;
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.readers = new ArrayBlockingQueue<>(options.readers());
        this.writer = connect(true);
        try {
            initialize();
        } catch (SQLException | RuntimeException e) {
            for (Reader r : allReaders) r.close();
            try {
                writer.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.hub = new WatchHub(options.watchCacheEvents(), revision, revision);
        this.metrics = new StoreMetrics("sqlite", () -> revision, () -> compacted, hub::watchCount, this::sizeOnDisk);
        this.writerThread = new Thread(this::writeLoop, "store-writer-" + dbPath.getFileName());
        this.writerThread.setDaemon(true);
        this.writerThread.start();
        this.compactor = new AutoCompactor(this, options, dbPath.toString());
    }

    private long sizeOnDisk() {
        long n = 0;
        for (String suffix : new String[] {"", "-wal"}) {
            n += dbPath.resolveSibling(dbPath.getFileName() + suffix).toFile().length();
        }
        return n;
    }

    @Override
    public io.prometheus.metrics.model.registry.PrometheusRegistry metrics() {
        return metrics.registry();
    }

    /** Creates the schema if needed, reads the revisions, opens the reader pool. */
    private void initialize() throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.executeUpdate("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL,"
                    + " create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL)");
            st.executeUpdate("CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, rev INTEGER NOT NULL,"
                    + " key TEXT NOT NULL, deleted INTEGER NOT NULL, value BLOB, create_rev INTEGER NOT NULL,"
                    + " prev_value BLOB, prev_create_rev INTEGER, prev_mod_rev INTEGER)");
            st.executeUpdate("CREATE INDEX IF NOT EXISTS log_rev ON log (rev)");
            st.executeUpdate("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            st.executeUpdate("INSERT OR IGNORE INTO meta VALUES ('schema', 1), ('revision', 0), ('compacted', 0)");
            writer.commit();
            try (ResultSet rs = st.executeQuery("SELECT name, value FROM meta")) {
                while (rs.next()) {
                    switch (rs.getString(1)) {
                        case "revision" -> revision = rs.getLong(2);
                        case "compacted" -> compacted = rs.getLong(2);
                        case "schema" -> {
                            if (rs.getLong(2) != 1) {
                                throw new StoreException(dbPath + " has schema " + rs.getLong(2) + "; this build reads schema 1");
                            }
                        }
                        default -> { }
                    }
                }
            }
            writer.commit();
        }
        for (int i = 0; i < options.readers(); i++) {
            Reader r = new Reader(connect(false));
            allReaders.add(r);
            readers.add(r);
        }
    }

    /**
     * Opens (creating if needed) the database at {@code dbPath}.
     *
     * @throws StoreException when another process holds the database, or it cannot be opened
     */
    public static SqliteStore open(Path dbPath, StoreOptions options) {
        Path lockPath = dbPath.resolveSibling(dbPath.getFileName() + ".lock").toAbsolutePath().normalize();
        // POSIX record locks belong to the process: opening and closing a second channel on the
        // lock file here would silently drop the first store's lock, so refuse before that
        if (!HELD.add(lockPath)) {
            throw new StoreException("state database " + dbPath + " is already open in this process ("
                    + lockPath + "); close the other store first");
        }
        try {
            return lockAndOpen(dbPath, lockPath, options);
        } catch (RuntimeException e) {
            HELD.remove(lockPath);
            throw e;
        }
    }

    private static SqliteStore lockAndOpen(Path dbPath, Path lockPath, StoreOptions options) {
        FileChannel ch = null;
        try {
            if (dbPath.getParent() != null) {
                Files.createDirectories(dbPath.getParent());
            }
            ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held in this JVM through another path to the same file
            }
            if (lock == null) {
                String holder = readHolder(ch);
                ch.close();
                throw new StoreException("state database " + dbPath + " is in use by another process"
                        + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + " holding " + lockPath + "; stop that server first or use another state directory");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(true);
            try {
                return new SqliteStore(dbPath, lockPath, options, ch, lock);
            } catch (SQLException | RuntimeException e) {
                lock.release();
                ch.close();
                throw e instanceof StoreException se ? se : new StoreException("cannot open " + dbPath + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            try {
                if (ch != null) ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new StoreException("cannot open " + dbPath + ": " + e.getMessage(), e);
        }
    }

    private static String readHolder(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        ch.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    }

    private Connection connect(boolean writing) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(options.durability() == StoreOptions.Durability.FULL
                ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(10_000);
        cfg.setCacheSize(-16_000);
        if (writing) {
            cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        }
        Connection c = cfg.createConnection("jdbc:sqlite:" + dbPath);
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA mmap_size = 268435456");
            if (!writing) {
                st.execute("PRAGMA query_only = 1");
            }
        }
        c.setAutoCommit(false);
        return c;
    }

    // ---- reads ---------------------------------------------------------------------------------

    /** A reader connection with its prepared statements; used by one thread at a time. */
    private static final class Reader {
        final Connection c;
        final PreparedStatement get;
        final PreparedStatement rev;
        final PreparedStatement listFrom;
        final PreparedStatement listAfter;
        final PreparedStatement count;
        final PreparedStatement history;

        Reader(Connection c) throws SQLException {
            this.c = c;
            get = c.prepareStatement("SELECT value, create_rev, mod_rev FROM kv WHERE key = ?");
            rev = c.prepareStatement("SELECT name, value FROM meta WHERE name IN ('revision', 'compacted')");
            // one lower bound each, so the primary-key index range starts right at the cursor
            listFrom = c.prepareStatement("SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?");
            listAfter = c.prepareStatement("SELECT key, value, create_rev, mod_rev FROM kv WHERE key > ? AND key < ? ORDER BY key LIMIT ?");
            count = c.prepareStatement("SELECT count(*) FROM kv WHERE key >= ? AND key < ?");
            history = c.prepareStatement("SELECT rev, key, deleted, value, create_rev, prev_value, prev_create_rev, prev_mod_rev"
                    + " FROM log WHERE rev > ? AND rev <= ? AND key >= ? AND key < ? ORDER BY id");
        }

        /** {revision, compacted} as of this connection's snapshot. */
        long[] revisions() throws SQLException {
            long[] out = new long[2];
            try (ResultSet rs = rev.executeQuery()) {
                while (rs.next()) {
                    out["revision".equals(rs.getString(1)) ? 0 : 1] = rs.getLong(2);
                }
            }
            return out;
        }

        void close() {
            try {
                c.rollback();
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing reader", e);
            }
        }
    }

    private interface ReadWork<T> {
        T run(Reader r) throws SQLException, CompactedException;
    }

    private <T> T read(ReadWork<T> work) throws CompactedException {
        checkOpen();
        Reader r;
        try {
            r = readers.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted waiting for a reader connection");
        }
        if (r == null) {
            throw new StoreException("no reader connection free after 30s");
        }
        try {
            checkOpen();
            return work.run(r);
        } catch (SQLException e) {
            throw new StoreException("read from " + dbPath + " failed: " + e.getMessage(), e);
        } finally {
            try {
                r.c.commit(); // ends the read snapshot
            } catch (SQLException e) {
                LOG.warn("ending read transaction", e);
            }
            readers.add(r);
        }
    }

    private <T> T readUnchecked(ReadWork<T> work) {
        try {
            return read(work);
        } catch (CompactedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String upper(String prefix) {
        return prefix + MAX_SUFFIX;
    }

    @Override
    public long currentRevision() {
        return revision;
    }

    @Override
    public long compactedRevision() {
        return compacted;
    }

    @Override
    public Optional<KeyValue> get(String key) {
        Keys.checkKey(key);
        return readUnchecked(r -> {
            r.get.setString(1, key);
            try (ResultSet rs = r.get.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new KeyValue(key, rs.getBytes(1), rs.getLong(2), rs.getLong(3)));
            }
        });
    }

    @Override
    public ListResult list(String prefix, String startAfter, int limit) {
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0");
        String p = prefix == null ? "" : prefix;
        return readUnchecked(r -> {
            long rev = r.revisions()[0];
            boolean fromPrefix = startAfter == null || Keys.compare(startAfter, p) < 0;
            PreparedStatement st = fromPrefix ? r.listFrom : r.listAfter;
            st.setString(1, fromPrefix ? p : startAfter);
            st.setString(2, upper(p));
            st.setInt(3, limit > 0 ? limit + 1 : -1); // LIMIT -1: no limit
            List<KeyValue> items = new ArrayList<>(limit > 0 ? Math.min(limit, 1024) : 64);
            boolean more = false;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    if (limit > 0 && items.size() == limit) {
                        more = true;
                        break;
                    }
                    String k = rs.getString(1);
                    if (!k.startsWith(p)) continue; // only keys holding U+10FFFF right after p
                    items.add(new KeyValue(k, rs.getBytes(2), rs.getLong(3), rs.getLong(4)));
                }
            }
            return new ListResult(List.copyOf(items), rev, more);
        });
    }

    @Override
    public long count(String prefix) {
        String p = prefix == null ? "" : prefix;
        return readUnchecked(r -> {
            r.count.setString(1, p);
            r.count.setString(2, upper(p));
            try (ResultSet rs = r.count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private List<Event> loadHistory(String prefix, long after, long upTo) throws CompactedException {
        return read(r -> {
            long[] revs = r.revisions();
            if (after < revs[1]) {
                throw new CompactedException(after, revs[1]);
            }
            r.history.setLong(1, after);
            r.history.setLong(2, upTo);
            r.history.setString(3, prefix);
            r.history.setString(4, upper(prefix));
            List<Event> out = new ArrayList<>();
            try (ResultSet rs = r.history.executeQuery()) {
                while (rs.next()) {
                    long rev = rs.getLong(1);
                    String key = rs.getString(2);
                    if (!key.startsWith(prefix)) continue;
                    boolean deleted = rs.getInt(3) != 0;
                    byte[] value = rs.getBytes(4);
                    long created = rs.getLong(5);
                    byte[] prevValue = rs.getBytes(6);
                    long prevMod = rs.getLong(8);
                    KeyValue prev = rs.wasNull() ? null
                            : new KeyValue(key, prevValue == null ? new byte[0] : prevValue, rs.getLong(7), prevMod);
                    KeyValue kv = new KeyValue(key, deleted ? new byte[0] : value, created, rev);
                    out.add(new Event(deleted ? EventType.DELETE : EventType.PUT, kv, prev, rev));
                }
            }
            return out;
        });
    }

    @Override
    public Watch watch(String prefix, long fromRevision, Consumer<Event> sink) throws CompactedException {
        checkOpen();
        long c = compacted;
        if (fromRevision < c) {
            throw new CompactedException(fromRevision, c);
        }
        return hub.watch(prefix, fromRevision, sink, this::loadHistory);
    }

    // ---- writes --------------------------------------------------------------------------------

    private sealed interface Request permits TxnRequest, CompactRequest {}

    private record TxnRequest(List<Compare> compares, List<Op> ops, CompletableFuture<TxnResult> done) implements Request {}

    private record CompactRequest(long revision, CompletableFuture<Boolean> done) implements Request {}

    @Override
    public TxnResult txn(List<Compare> compares, List<Op> ops) {
        long start = System.nanoTime();
        Keys.checkTxn(compares, ops);
        TxnRequest req = new TxnRequest(List.copyOf(compares), List.copyOf(ops), new CompletableFuture<>());
        TxnResult r;
        try {
            submit(req);
            r = await(req.done());
        } catch (RuntimeException e) {
            metrics.txn("error", start);
            throw e;
        }
        metrics.txn(r.succeeded() ? "succeeded" : "failed_compare", start);
        return r;
    }

    private void submit(Request req) {
        checkOpen();
        requests.add(req);
        if (closed) {
            failPending();
        }
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    /**
     * Compacts history up to {@code rev}: watches from older revisions fail with
     * {@link CompactedException} at once; the rows are deleted in chunks afterwards.
     */
    @Override
    public void compact(long rev) {
        if (rev < 0) throw new IllegalArgumentException("revision must be >= 0");
        CompactRequest req = new CompactRequest(rev, new CompletableFuture<>());
        submit(req);
        boolean deleteRows = await(req.done());
        if (deleteRows) {
            // delete in chunks so that writers are not held up by one long delete
            while (!closed) {
                CompactRequest chunk = new CompactRequest(-rev, new CompletableFuture<>());
                submit(chunk);
                if (!await(chunk.done())) break;
            }
        }
    }

    private void writeLoop() {
        Writer w;
        try {
            w = new Writer();
        } catch (SQLException e) {
            LOG.error("store writer cannot prepare statements", e);
            failPending();
            return;
        }
        List<Request> batch = new ArrayList<>();
        while (true) {
            try {
                Request first = requests.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) break;
                    continue;
                }
                batch.add(first);
                requests.drainTo(batch, MAX_BATCH - 1);
                w.run(batch);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.error("store writer failed", e);
                for (Request r : batch) fail(r, e);
            } finally {
                batch.clear();
            }
        }
        failPending();
        w.close();
    }

    private void failPending() {
        List<Request> rest = new ArrayList<>();
        requests.drainTo(rest);
        StoreException closedEx = new StoreException("store is closed");
        for (Request r : rest) fail(r, closedEx);
    }

    private static void fail(Request r, Throwable t) {
        if (r instanceof TxnRequest t1) t1.done().completeExceptionally(t);
        else ((CompactRequest) r).done().completeExceptionally(t);
    }

    /** Owned by the writer thread. */
    private final class Writer {
        final PreparedStatement getPrev = writer.prepareStatement("SELECT value, create_rev, mod_rev FROM kv WHERE key = ?");
        final PreparedStatement upsert = writer.prepareStatement("INSERT INTO kv (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev");
        final PreparedStatement delete = writer.prepareStatement("DELETE FROM kv WHERE key = ?");
        final PreparedStatement log = writer.prepareStatement("INSERT INTO log (rev, key, deleted, value, create_rev, prev_value,"
                + " prev_create_rev, prev_mod_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        final PreparedStatement setMeta = writer.prepareStatement("UPDATE meta SET value = ? WHERE name = ?");
        final PreparedStatement deleteLog = writer.prepareStatement("DELETE FROM log WHERE id IN (SELECT id FROM log WHERE rev <= ? LIMIT "
                + DELETE_CHUNK + ")");
        final Statement plain = writer.createStatement();

        Writer() throws SQLException {
        }

        /** Applies one batch in one SQLite transaction; completes each request after the commit. */
        void run(List<Request> batch) {
            long rev = revision;
            long newCompacted = compacted;
            List<Object> results = new ArrayList<>(batch.size());
            List<List<Event>> published = new ArrayList<>();
            try {
                for (Request req : batch) {
                    if (req instanceof TxnRequest t) {
                        Object res = applyTxn(t, rev, published);
                        if (res instanceof TxnResult tr && tr.succeeded() && tr.revision() > rev) {
                            rev = tr.revision();
                        }
                        results.add(res);
                    } else {
                        CompactRequest c = (CompactRequest) req;
                        if (c.revision() >= 0) {
                            if (c.revision() > rev) {
                                results.add(new IllegalArgumentException("required revision " + c.revision()
                                        + " is a future revision (current " + rev + ")"));
                            } else if (c.revision() <= newCompacted) {
                                results.add(Boolean.FALSE);
                            } else {
                                newCompacted = c.revision();
                                setMeta("compacted", newCompacted);
                                results.add(Boolean.TRUE);
                            }
                        } else {
                            deleteLog.setLong(1, -c.revision());
                            results.add(deleteLog.executeUpdate() == DELETE_CHUNK);
                        }
                    }
                }
                if (rev != revision) {
                    setMeta("revision", rev);
                }
                long commitStart = System.nanoTime();
                writer.commit();
                metrics.commit(batch.size(), commitStart);
            } catch (SQLException | RuntimeException e) {
                // nothing of this batch may reach the next commit
                rollbackQuietly();
                StoreException ex = new StoreException("write to " + dbPath + " failed, nothing was changed: " + e.getMessage(), e);
                for (Request r : batch) fail(r, ex);
                return;
            }
            // committed: publish in revision order, then answer the callers
            if (newCompacted != compacted) {
                compacted = newCompacted;
                hub.compact(newCompacted);
            }
            revision = rev;
            for (List<Event> events : published) {
                hub.publish(events.get(0).revision(), events);
            }
            for (int i = 0; i < batch.size(); i++) {
                Request req = batch.get(i);
                Object res = results.get(i);
                if (res instanceof Throwable t) {
                    fail(req, t);
                } else if (req instanceof TxnRequest t) {
                    t.done().complete((TxnResult) res);
                } else {
                    ((CompactRequest) req).done().complete((Boolean) res);
                }
            }
        }

        /** Runs one txn inside a savepoint; returns its TxnResult or the Throwable it failed with. */
        private Object applyTxn(TxnRequest t, long rev, List<List<Event>> published) throws SQLException {
            plain.execute("SAVEPOINT txn");
            try {
                for (Compare c : t.compares()) {
                    KeyValue cur = prev(c.key());
                    long mod = cur == null ? 0 : cur.modRevision();
                    if (mod != c.modRevision()) {
                        plain.execute("RELEASE txn");
                        return new TxnResult(false, rev);
                    }
                }
                long next = rev + 1;
                List<Event> events = new ArrayList<>(t.ops().size());
                for (Op op : t.ops()) {
                    if (op instanceof Put put) {
                        KeyValue prev = prev(put.key());
                        long created = prev == null ? next : prev.createRevision();
                        byte[] value = put.value().clone();
                        upsert.setString(1, put.key());
                        upsert.setBytes(2, value);
                        upsert.setLong(3, created);
                        upsert.setLong(4, next);
                        upsert.executeUpdate();
                        KeyValue kv = new KeyValue(put.key(), value, created, next);
                        log(next, kv, false, prev);
                        events.add(new Event(EventType.PUT, kv, prev, next));
                    } else {
                        Delete del = (Delete) op;
                        KeyValue prev = prev(del.key());
                        if (prev != null) {
                            delete.setString(1, del.key());
                            delete.executeUpdate();
                            KeyValue kv = MemoryStore.tombstone(prev, next);
                            log(next, kv, true, prev);
                            events.add(new Event(EventType.DELETE, kv, prev, next));
                        }
                    }
                }
                plain.execute("RELEASE txn");
                if (events.isEmpty()) {
                    return new TxnResult(true, rev);
                }
                published.add(events);
                return new TxnResult(true, next);
            } catch (SQLException e) {
                plain.execute("ROLLBACK TO txn");
                plain.execute("RELEASE txn");
                return new StoreException("write to " + dbPath + " failed, nothing was changed: " + e.getMessage(), e);
            }
        }

        private KeyValue prev(String key) throws SQLException {
            getPrev.setString(1, key);
            try (ResultSet rs = getPrev.executeQuery()) {
                if (!rs.next()) return null;
                return new KeyValue(key, rs.getBytes(1), rs.getLong(2), rs.getLong(3));
            }
        }

        private void log(long rev, KeyValue kv, boolean deleted, KeyValue prev) throws SQLException {
            log.setLong(1, rev);
            log.setString(2, kv.key());
            log.setInt(3, deleted ? 1 : 0);
            if (deleted) log.setNull(4, java.sql.Types.BLOB);
            else log.setBytes(4, kv.value());
            log.setLong(5, kv.createRevision());
            // every row keeps the previous value, so replayed events carry prevKv like live ones
            if (prev != null) log.setBytes(6, prev.value());
            else log.setNull(6, java.sql.Types.BLOB);
            if (prev != null) {
                log.setLong(7, prev.createRevision());
                log.setLong(8, prev.modRevision());
            } else {
                log.setNull(7, java.sql.Types.INTEGER);
                log.setNull(8, java.sql.Types.INTEGER);
            }
            log.executeUpdate();
        }

        private void setMeta(String name, long value) throws SQLException {
            setMeta.setLong(1, value);
            setMeta.setString(2, name);
            setMeta.executeUpdate();
        }

        private void rollbackQuietly() {
            try {
                writer.rollback();
            } catch (SQLException e) {
                LOG.warn("rollback failed", e);
            }
        }

        void close() {
            try {
                writer.rollback();
                plain.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException e) {
                LOG.debug("checkpoint on close", e);
            }
            try {
                writer.close();
            } catch (SQLException e) {
                LOG.warn("closing writer", e);
            }
        }
    }

    /** Events cached in memory for watches. */
    public int cachedEvents() {
        return hub.cachedEvents();
    }

    public Path path() {
        return dbPath;
    }

    private void checkOpen() {
        if (closed) throw new StoreException("store is closed");
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        compactor.close();
        hub.close();
        try {
            writerThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Reader r : allReaders) {
            try {
                Reader taken = readers.poll(10, TimeUnit.SECONDS);
                if (taken != null) taken.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            fileLock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("releasing {}", dbPath, e);
        } finally {
            HELD.remove(lockPath);
        }
    }
}
