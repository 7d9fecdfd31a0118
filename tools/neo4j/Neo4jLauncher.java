/*
 * Embedded Neo4j Community 5.26 dev/test server with a loopback Bolt listener.
 *
 * Exists because this environment has no Docker engine: instead of the official
 * image we run the DBMS in-process from Maven Central jars. Normally started via
 * tools/neo4j/neo4j.sh (which compiles it into .neo4j/classes and adds the JVM
 * flags Neo4j wants on Java 17); for a quick manual run, single-file launch works:
 *
 *   java -cp '.neo4j/lib/*' tools/neo4j/Neo4jLauncher.java --home=.neo4j/data --port=7687
 *
 * Options (all optional):
 *   --home=DIR            Neo4j home; databases, tx logs and logs live under it (.neo4j/data)
 *   --port=N              Bolt port on 127.0.0.1 (7687)
 *   --pagecache=SIZE      page cache, e.g. 128m, 1g (128m)
 *   --tx-timeout=SECONDS  server-side transaction timeout, 0 disables it (120)
 *
 * Environment:
 *   NEO4J_AUTH            "user/password" turns authentication on, with that user and its
 *                         password set on every start (as the official image's NEO4J_AUTH);
 *                         unset or "none": authentication off (the default). An environment
 *                         variable, not an option, so the password is not in the process list.
 */

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public class Neo4jLauncher {

    private static final String HOST = "127.0.0.1";

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parseArgs(argv);
        Path home = Path.of(args.getOrDefault("home", ".neo4j/data")).toAbsolutePath().normalize();
        int port = Integer.parseInt(args.getOrDefault("port", "7687"));
        long pageCache = parseBytes(args.getOrDefault("pagecache", "128m"));
        long txTimeout = Long.parseLong(args.getOrDefault("tx-timeout", "120"));
        String[] auth = parseAuth(System.getenv("NEO4J_AUTH"));

        long t0 = System.nanoTime();
        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home)
                    // User-facing log (startup/shutdown, Bolt address) to stdout -> .neo4j/neo4j.log.
                    // The verbose debug.log still goes to <home>/logs/.
                    .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                    // Advertise the numeric loopback address: the routing table returned
                    // for neo4j:// URIs would otherwise say "localhost", which may resolve to ::1.
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    // Never bind anything else (e.g. the server-side routing connector) on a
                    // wildcard or fixed port, so several instances can run side by side.
                    .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                    .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(HOST))
                    .setConfig(GraphDatabaseSettings.routing_enabled, false)
                    // Off by default (loopback-only dev/test server: drivers may still send
                    // basic auth; it is ignored); on with NEO4J_AUTH=user/password.
                    .setConfig(GraphDatabaseSettings.auth_enabled, auth != null)
                    // Default page cache is ~50% of RAM; keep it modest for a shared dev box.
                    .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                    .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeout))
                    // Keep disk usage small: no 250 MB preallocated tx log files, no old logs kept.
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    // Netty's default 5 s graceful-shutdown quiet period (paid twice) makes
                    // every stop take ~10 s; nothing is in flight at that point anyway.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .build();
        } catch (Throwable e) {
            System.err.println("NEO4J_FAILED could not start embedded Neo4j: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM/SIGINT run shutdown hooks: close the store cleanly so the next
        // start needs no recovery and the store lock is released.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("NEO4J_STOPPING shutting down embedded Neo4j");
            try {
                dbms.shutdown();
                System.out.println("NEO4J_STOPPED");
            } catch (Throwable e) {
                System.err.println("NEO4J_STOP_FAILED " + e);
            } finally {
                System.out.flush();
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        // build() returns once Bolt is listening; also wait for the default database
        // so the first query after "ready" cannot hit a still-starting database.
        String dbName = GraphDatabaseSettings.DEFAULT_DATABASE_NAME;
        if (!dbms.database(dbName).isAvailable(TimeUnit.SECONDS.toMillis(120))) {
            System.err.println("NEO4J_FAILED database '" + dbName + "' not available after 120s");
            System.exit(1);
        }

        if (auth != null) {
            try {
                setPassword(dbms, auth[0], auth[1]);
            } catch (Throwable e) {
                System.err.println("NEO4J_FAILED could not set the password of " + auth[0] + ": " + e);
                dbms.shutdown();
                System.exit(1);
            }
        }

        System.out.printf("NEO4J_READY bolt://%s:%d home=%s startup=%.1fs pid=%d%n",
                HOST, port, home, (System.nanoTime() - t0) / 1e9, ProcessHandle.current().pid());
        System.out.flush();

        stopped.await(); // block until the shutdown hook has run
    }

    /** "user/password" -> {user, password}; null for unset or "none". */
    private static String[] parseAuth(String value) {
        if (value == null || value.isEmpty() || value.equals("none")) {
            return null;
        }
        int slash = value.indexOf('/');
        if (slash <= 0 || slash == value.length() - 1) {
            throw new IllegalArgumentException("NEO4J_AUTH must be user/password or none");
        }
        return new String[] {value.substring(0, slash), value.substring(slash + 1)};
    }

    /**
     * Gives the user this password, no change required (embedded access to the system
     * database needs no credentials). Runs before NEO4J_READY, so no client sees the
     * default password.
     */
    private static void setPassword(DatabaseManagementService dbms, String user, String password) {
        var system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        Map<String, Object> params = Map.of("user", user, "password", password);
        if (!user.equals("neo4j")) {
            system.executeTransactionally(
                    "CREATE USER $user IF NOT EXISTS SET PASSWORD $password CHANGE NOT REQUIRED", params);
        }
        system.executeTransactionally(
                "ALTER USER $user SET PASSWORD $password CHANGE NOT REQUIRED", params);
        System.out.println("NEO4J_AUTH on for user " + user);
    }

    private static Map<String, String> parseArgs(String[] argv) {
        Map<String, String> out = new HashMap<>();
        for (String a : argv) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("expected --key=value, got: " + a);
            }
            int eq = a.indexOf('=');
            out.put(a.substring(2, eq), a.substring(eq + 1));
        }
        return out;
    }

    /** Parses "512k", "128m", "1g" or plain bytes. */
    private static long parseBytes(String s) {
        String v = s.trim().toLowerCase();
        long mult = 1;
        char unit = v.charAt(v.length() - 1);
        if (unit == 'k' || unit == 'm' || unit == 'g') {
            mult = unit == 'k' ? 1L << 10 : unit == 'm' ? 1L << 20 : 1L << 30;
            v = v.substring(0, v.length() - 1);
        }
        return Long.parseLong(v) * mult;
    }
}
