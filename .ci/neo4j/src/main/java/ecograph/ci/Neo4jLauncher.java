package ecograph.ci;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Starts a Neo4j Community DBMS in this JVM for ecograph's tests and keeps it running
 * until the process is signalled (SIGTERM/SIGINT), then shuts it down cleanly.
 *
 * <p>Usage: {@code Neo4jLauncher <home> <neo4j.conf> <connection.json>}. The DBMS lives
 * under {@code home} with the settings of {@code neo4j.conf} (Bolt on loopback, port 0 =
 * a free one). Once Bolt listens, the user {@code neo4j} gets a fresh random password (or,
 * on a restart of the same DBMS, the one in {@code ECOGRAPH_NEO4J_KEEP_PASSWORD}) and
 * {@code connection.json} (mode 600) is written with the Bolt URI, the credentials, this
 * process's pid, and the id of the {@code neo4j} database: the tests only clear a database
 * whose id matches, so they never touch another server. The password is never printed.
 */
public final class Neo4jLauncher {
    private Neo4jLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: Neo4jLauncher <home> <neo4j.conf> <connection.json>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path conf = Path.of(args[1]).toAbsolutePath();
        Path connection = Path.of(args[2]).toAbsolutePath();
        long started = System.nanoTime();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(conf)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(connection);
            } catch (Exception ignored) {
                // the file goes with the run directory anyway
            }
            dbms.shutdown();
            System.out.println("neo4j: stopped");
            stopped.countDown();
        }, "ecograph-neo4j-shutdown"));

        GraphDatabaseService system = dbms.database("system");
        // A restart of the same DBMS (neo4j.sh admin) keeps the password its system database holds.
        String password = System.getenv("ECOGRAPH_NEO4J_KEEP_PASSWORD");
        if (password == null || password.isEmpty()) {
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            password = HexFormat.of().formatHex(secret);
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        }

        GraphDatabaseService db = dbms.database("neo4j");
        String databaseId = db.executeTransactionally("CALL db.info() YIELD id RETURN id", Map.of(),
                result -> String.valueOf(result.next().get("id")));
        String neo4jVersion = db.executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v", Map.of(),
                result -> String.valueOf(result.next().get("v")));
        String gdsVersion;
        try {
            gdsVersion = db.executeTransactionally("RETURN gds.version() AS v", Map.of(),
                    result -> String.valueOf(result.next().get("v")));
        } catch (RuntimeException e) {
            gdsVersion = null;
            System.out.println("neo4j: WARNING Graph Data Science is not available: " + e.getMessage());
        }

        HostnamePort bolt = ((GraphDatabaseAPI) db).getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class).getLocalAddress(ConnectorType.BOLT);
        String uri = "bolt://" + bolt.getHost() + ":" + bolt.getPort();
        long pid = ProcessHandle.current().pid();
        String json = "{\n"
                + "  \"uri\": \"" + uri + "\",\n"
                + "  \"user\": \"neo4j\",\n"
                + "  \"password\": \"" + password + "\",\n"
                + "  \"database\": \"neo4j\",\n"
                + "  \"database_id\": \"" + databaseId + "\",\n"
                + "  \"pid\": " + pid + ",\n"
                + "  \"home\": \"" + home.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\",\n"
                + "  \"neo4j_version\": \"" + neo4jVersion + "\",\n"
                + "  \"gds_version\": " + (gdsVersion == null ? "null" : "\"" + gdsVersion + "\"") + "\n"
                + "}\n";
        Path partial = connection.resolveSibling(connection.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(partial, json, StandardCharsets.UTF_8);
        Files.move(partial, connection, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("neo4j: Neo4j %s (GDS %s) listening on %s, pid %d, started in %.1f s%n",
                neo4jVersion, gdsVersion, uri, pid, (System.nanoTime() - started) / 1e9);
        stopped.await();
    }
}
