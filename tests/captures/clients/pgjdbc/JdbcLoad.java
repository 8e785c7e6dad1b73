// pgjdbc workload for the pg dumper's captures (tests/captures/README.pg).
// Build: javac -d . JdbcLoad.java
// Run:   java -cp .:/usr/share/java/postgresql.jar JdbcLoad PORT [phase...]
//        (phases: threshold batch fetch binary autosave timeout keys lo
//        callable multi copy maxrows unspecified simplemode notify big
//        prefer autosaveloop bigbatch; none: all of them)
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

public class JdbcLoad {
	static String port;

	static Connection conn(String extra) throws SQLException {
		Properties p = new Properties();
		p.setProperty("user", "app");
		p.setProperty("password", "app-secret");
		p.setProperty("sslmode", "disable");
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/appdb" + extra, p);
	}

	static void note(String s) {
		System.out.println(s);
	}

	static void setup() throws SQLException {
		try (Connection c = conn(""); Statement s = c.createStatement()) {
			s.execute("DROP TABLE IF EXISTS jd_items, jd_rows, jd_keys");
			s.execute("CREATE TABLE jd_items (id int PRIMARY KEY, name text, price numeric(10,2))");
			s.execute("CREATE TABLE jd_rows (n int, label text)");
			s.execute("CREATE TABLE jd_keys (id serial PRIMARY KEY, name text, made timestamptz DEFAULT now())");
			s.execute("INSERT INTO jd_rows SELECT g, 'row ' || g FROM generate_series(1, 45) g");
			s.execute("CREATE OR REPLACE FUNCTION jd_add(a int, b int, OUT s int, OUT p int) AS $$ SELECT a + b, a * b $$ LANGUAGE sql");
			s.execute("CREATE OR REPLACE PROCEDURE jd_proc(INOUT x int) AS $$ BEGIN x := x * 2; END $$ LANGUAGE plpgsql");
		}
	}

	// prepareThreshold 5: unnamed Parse four times, then "S_1" kept
	static void threshold() throws SQLException {
		try (Connection c = conn("");
		     PreparedStatement ps = c.prepareStatement("SELECT n, label FROM jd_rows WHERE n = ?")) {
			for (int i = 1; i <= 7; i++) {
				ps.setInt(1, i);
				try (ResultSet rs = ps.executeQuery()) {
					while (rs.next()) { }
				}
			}
			try (PreparedStatement p2 = c.prepareStatement("UPDATE jd_rows SET label = ? WHERE n = ?")) {
				for (int i = 1; i <= 6; i++) {
					p2.setString(1, "upd " + i);
					p2.setInt(2, i);
					p2.executeUpdate();
				}
			}
			// a Statement (not prepared): unnamed each time
			try (Statement s = c.createStatement()) {
				for (int i = 0; i < 2; i++)
					try (ResultSet rs = s.executeQuery("SELECT count(*) FROM jd_rows")) { rs.next(); }
			}
		}
	}

	static void batch() throws SQLException {
		for (String extra : new String[] { "", "?reWriteBatchedInserts=true" }) {
			try (Connection c = conn(extra)) {
				c.setAutoCommit(false);
				try (Statement s = c.createStatement()) {
					s.execute("DELETE FROM jd_items");
				}
				try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_items (id, name, price) VALUES (?, ?, ?)")) {
					for (int i = 1; i <= 12; i++) {
						ps.setInt(1, i);
						ps.setString(2, "item " + i);
						ps.setBigDecimal(3, new BigDecimal(i + ".25"));
						ps.addBatch();
					}
					int[] n = ps.executeBatch();
					note("batch " + extra + ": " + n.length);
				}
				c.commit();
				// a batch with a duplicate key in the middle
				try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_items (id, name, price) VALUES (?, ?, ?)")) {
					for (int i : new int[] { 20, 21, 5, 22, 23 }) {
						ps.setInt(1, i);
						ps.setString(2, "b" + i);
						ps.setBigDecimal(3, BigDecimal.ONE);
						ps.addBatch();
					}
					ps.executeBatch();
				} catch (BatchUpdateException e) {
					note("batch error: " + e.getMessage().split("\n")[0]);
				}
				c.rollback();
				// a Statement batch of several texts
				try (Statement s = c.createStatement()) {
					s.addBatch("UPDATE jd_items SET price = price + 1 WHERE id = 1");
					s.addBatch("UPDATE jd_items SET price = price + 1 WHERE id = 2");
					s.addBatch("DELETE FROM jd_items WHERE id = 12");
					s.executeBatch();
				}
				c.commit();
			}
		}
	}

	// setFetchSize in a transaction: a named portal, Execute with a row
	// limit, PortalSuspended, more Executes of it
	static void fetch() throws SQLException {
		try (Connection c = conn("")) {
			c.setAutoCommit(false);
			try (PreparedStatement ps = c.prepareStatement("SELECT n, label FROM jd_rows WHERE n > ? ORDER BY n")) {
				ps.setFetchSize(10);
				ps.setInt(1, 3);
				int k = 0;
				try (ResultSet rs = ps.executeQuery()) {
					while (rs.next())
						k++;
				}
				note("fetched " + k);
				// closed before its end: the portal is closed
				ps.setInt(1, 0);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					rs.next();
				}
			}
			try (Statement s = c.createStatement()) {
				s.setFetchSize(20);
				try (ResultSet rs = s.executeQuery("SELECT * FROM jd_rows")) {
					while (rs.next()) { }
				}
			}
			c.commit();
		}
	}

	// binary params and results from the first execution
	static void binary() throws SQLException {
		try (Connection c = conn("?prepareThreshold=-1&binaryTransfer=true")) {
			try (PreparedStatement ps = c.prepareStatement(
			    "SELECT ?::int2, ?::int4, ?::int8, ?::float4, ?::float8, ?::bool, ?::text, ?::bytea, ?::uuid, ?::date, ?::timestamp, ?::timestamptz, ?::numeric, ?::int4")) {
				ps.setShort(1, (short) -3);
				ps.setInt(2, 123456);
				ps.setLong(3, 1L << 40);
				ps.setFloat(4, 0.5f);
				ps.setDouble(5, Math.PI);
				ps.setBoolean(6, false);
				ps.setString(7, "jdbc 'text' ✓");
				ps.setBytes(8, new byte[] { 1, 2, 3, (byte) 0xff });
				ps.setObject(9, UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
				ps.setDate(10, java.sql.Date.valueOf("2021-07-08"));
				ps.setTimestamp(11, Timestamp.valueOf("2021-07-08 09:10:11.5"));
				ps.setObject(12, java.time.OffsetDateTime.parse("2021-07-08T09:10:11+02:00"));
				ps.setBigDecimal(13, new BigDecimal("-0.000123"));
				ps.setNull(14, Types.INTEGER);
				for (int i = 0; i < 2; i++)
					try (ResultSet rs = ps.executeQuery()) { rs.next(); }
			}
			try (PreparedStatement ps = c.prepareStatement("SELECT ?::int[] , ?::text[]")) {
				ps.setArray(1, c.createArrayOf("int4", new Integer[] { 1, 2, null }));
				ps.setArray(2, c.createArrayOf("text", new String[] { "a", "b c" }));
				try (ResultSet rs = ps.executeQuery()) { rs.next(); }
			}
		}
	}

	// autosave=always: a savepoint around each statement in a transaction
	static void autosave() throws SQLException {
		try (Connection c = conn("?autosave=always&cleanupSavepoints=true")) {
			c.setAutoCommit(false);
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_items (id, name) VALUES (?, ?)")) {
				ps.setInt(1, 100);
				ps.setString(2, "as100");
				ps.executeUpdate();
				ps.setInt(1, 100);
				ps.setString(2, "as100 dup");
				try {
					ps.executeUpdate();
				} catch (SQLException e) {
					note("autosave dup: " + e.getSQLState());
				}
				ps.setInt(1, 101);
				ps.setString(2, "as101");
				ps.executeUpdate();
			}
			c.commit();
		}
		try (Connection c = conn("?autosave=conservative")) {
			c.setAutoCommit(false);
			try (Statement s = c.createStatement()) {
				s.executeUpdate("UPDATE jd_items SET name = 'cons' WHERE id = 100");
				try {
					s.executeQuery("SELECT 1/0");
				} catch (SQLException e) {
					note("conservative: " + e.getSQLState());
				}
				try {
					s.executeQuery("SELECT 2").close();
				} catch (SQLException e) {	// conservative: not rolled back
					note("after: " + e.getSQLState());
				}
			}
			c.rollback();
		}
	}

	// autosave=always over many statements: RELEASE and SAVEPOINT sent
	// back to back around each (the mid-stream capture of README.pg)
	static void autosaveLoop() throws SQLException {
		try (Connection c = conn("?autosave=always&cleanupSavepoints=true")) {
			c.setAutoCommit(false);
			try (PreparedStatement ins = c.prepareStatement("INSERT INTO jd_items (id, name) VALUES (?, ?)");
			     PreparedStatement upd = c.prepareStatement("UPDATE jd_items SET price = ? WHERE id = ?");
			     PreparedStatement sel = c.prepareStatement("SELECT name FROM jd_items WHERE id = ?")) {
				for (int i = 0; i < 24; i++) {
					PreparedStatement ps = i % 3 == 0 ? ins : i % 3 == 1 ? upd : sel;
					if (ps == ins) {
						ps.setInt(1, 200 + (i % 9 == 0 ? 0 : i));
						ps.setString(2, "loop " + i);
					} else if (ps == upd) {
						ps.setBigDecimal(1, new BigDecimal(i));
						ps.setInt(2, 200 + i - 1);
					} else
						ps.setInt(1, 200 + i - 2);
					try {
						ps.execute();
					} catch (SQLException e) {
						note("loop " + i + ": " + e.getSQLState());
					}
				}
			}
			c.commit();
		}
	}

	static void timeout() throws SQLException {
		try (Connection c = conn("")) {
			try (Statement s = c.createStatement()) {
				s.setQueryTimeout(1);	// the driver cancels (CancelRequest)
				try {
					s.executeQuery("SELECT pg_sleep(3)");
				} catch (SQLException e) {
					note("query timeout: " + e.getSQLState());
				}
				s.setQueryTimeout(0);
				s.execute("SET statement_timeout = 200");
				try (PreparedStatement ps = c.prepareStatement("SELECT pg_sleep(?)")) {
					ps.setDouble(1, 1.0);
					ps.executeQuery();
				} catch (SQLException e) {
					note("statement_timeout: " + e.getSQLState());
				}
				s.execute("RESET statement_timeout");
				try (ResultSet rs = s.executeQuery("SELECT 1")) { rs.next(); }
			}
		}
	}

	static void keys() throws SQLException {
		try (Connection c = conn("")) {
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_keys (name) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
				for (int i = 0; i < 3; i++) {
					ps.setString(1, "k" + i);
					ps.executeUpdate();
					try (ResultSet rs = ps.getGeneratedKeys()) { rs.next(); note("key " + rs.getInt(1)); }
				}
			}
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_keys (name) VALUES (?)", new String[] { "id" })) {
				ps.setString(1, "byname");
				ps.executeUpdate();
			}
			try (Statement s = c.createStatement()) {
				s.executeUpdate("UPDATE jd_keys SET name = name || '+'", Statement.RETURN_GENERATED_KEYS);
			}
		}
	}

	// large objects: fastpath FunctionCalls
	static void lo() throws SQLException {
		try (Connection c = conn("")) {
			c.setAutoCommit(false);
			LargeObjectManager lom = c.unwrap(PGConnection.class).getLargeObjectAPI();
			long oid = lom.createLO(LargeObjectManager.READWRITE);
			LargeObject lo = lom.open(oid, LargeObjectManager.READWRITE);
			byte[] data = new byte[3000];
			for (int i = 0; i < data.length; i++)
				data[i] = (byte) i;
			lo.write(data);
			lo.seek(0);
			byte[] back = lo.read(100);
			lo.close();
			lom.delete(oid);
			c.commit();
			note("lo " + oid + " read " + back.length);
		}
	}

	static void callable() throws SQLException {
		try (Connection c = conn("")) {
			try (CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
				cs.registerOutParameter(1, Types.VARCHAR);
				cs.setString(2, "callable");
				cs.execute();
				note("call: " + cs.getString(1));
			}
			try (CallableStatement cs = c.prepareCall("{call jd_add(?, ?, ?, ?)}")) {
				cs.setInt(1, 6);
				cs.setInt(2, 7);
				cs.registerOutParameter(3, Types.INTEGER);
				cs.registerOutParameter(4, Types.INTEGER);
				cs.execute();
				note("jd_add: " + cs.getInt(3) + " " + cs.getInt(4));
			}
			try (CallableStatement cs = c.prepareCall("CALL jd_proc(?)")) {
				cs.setInt(1, 21);
				cs.registerOutParameter(1, Types.INTEGER);
				cs.execute();
				note("jd_proc: " + cs.getInt(1));
			}
		}
	}

	// several statements in one execute: one Parse/Bind/Execute each,
	// one Sync; and one failing in the middle
	static void multi() throws SQLException {
		try (Connection c = conn(""); Statement s = c.createStatement()) {
			s.execute("SELECT 1; UPDATE jd_rows SET label = 'm' WHERE n = 44; SELECT 'three'");
			while (s.getMoreResults() || s.getUpdateCount() != -1) { }
			try {
				s.execute("SELECT 1; SELECT * FROM nosuch; SELECT 3");
			} catch (SQLException e) {
				note("multi: " + e.getSQLState());
			}
			s.execute("");
		}
	}

	// CopyManager: COPY FROM STDIN and TO STDOUT as simple Queries
	static void copy() throws Exception {
		try (Connection c = conn("")) {
			CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
			StringBuilder sb = new StringBuilder();
			for (int i = 100; i < 130; i++)
				sb.append(i).append('\t').append("copied ").append(i).append('\n');
			long n = cm.copyIn("COPY jd_rows (n, label) FROM STDIN", new java.io.StringReader(sb.toString()));
			java.io.StringWriter w = new java.io.StringWriter();
			long m = cm.copyOut("COPY (SELECT * FROM jd_rows WHERE n >= 100) TO STDOUT", w);
			try {
				cm.copyIn("COPY jd_rows (n) FROM STDIN", new java.io.StringReader("1\nnotanint\n"));
			} catch (SQLException e) {
				note("copy bad: " + e.getSQLState());
			}
			note("copy " + n + " " + m);
		}
	}

	// setMaxRows: Execute with a row limit, no portal kept
	static void maxrows() throws SQLException {
		try (Connection c = conn(""); PreparedStatement ps = c.prepareStatement("SELECT n FROM jd_rows WHERE n < ? ORDER BY n")) {
			ps.setMaxRows(3);
			ps.setInt(1, 40);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) { }
			}
		}
	}

	// stringtype=unspecified: string parameters Parsed with type 0
	static void unspecified() throws SQLException {
		try (Connection c = conn("?stringtype=unspecified"); PreparedStatement ps = c.prepareStatement("SELECT ? + 1, ?::date, ?")) {
			ps.setString(1, "41");
			ps.setString(2, "2020-02-29");
			ps.setString(3, "text");
			try (ResultSet rs = ps.executeQuery()) { rs.next(); }
		}
	}

	// preferQueryMode=simple: parameters inlined, one Query
	static void simplemode() throws SQLException {
		try (Connection c = conn("?preferQueryMode=simple")) {
			try (PreparedStatement ps = c.prepareStatement("SELECT n, label FROM jd_rows WHERE n = ? AND label <> ?")) {
				ps.setInt(1, 7);
				ps.setString(2, "it's");
				try (ResultSet rs = ps.executeQuery()) { rs.next(); }
			}
			c.setAutoCommit(false);
			try (Statement s = c.createStatement()) {
				s.executeUpdate("UPDATE jd_rows SET label = 'simple' WHERE n = 8");
				try {
					s.executeQuery("SELECT 1/0");
				} catch (SQLException e) {
					note("simple err: " + e.getSQLState());
				}
			}
			c.rollback();
		}
	}

	// LISTEN, NOTIFY from another connection, getNotifications
	static void notifications() throws Exception {
		try (Connection l = conn(""); Connection n = conn("")) {
			try (Statement s = l.createStatement()) {
				s.execute("LISTEN jd_chan");
			}
			try (Statement s = n.createStatement()) {
				s.execute("NOTIFY jd_chan, 'hello'");
				s.execute("SELECT pg_notify('jd_chan', 'second')");
			}
			Thread.sleep(50);
			try (Statement s = l.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) { rs.next(); }
			PGNotification[] ns = l.unwrap(PGConnection.class).getNotifications(500);
			note("notifications: " + (ns == null ? 0 : ns.length));
		}
	}

	// reWriteBatchedInserts with more rows than one rewritten statement
	// holds, and a 300 KB bytea
	static void big() throws SQLException {
		try (Connection c = conn("?reWriteBatchedInserts=true")) {
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_rows (n, label) VALUES (?, ?)")) {
				for (int i = 0; i < 300; i++) {
					ps.setInt(1, 1000 + i);
					ps.setString(2, "r" + i);
					ps.addBatch();
				}
				ps.executeBatch();
			}
			try (PreparedStatement ps = c.prepareStatement("SELECT length(?::bytea)")) {
				byte[] b = new byte[300000];
				Arrays.fill(b, (byte) 7);
				ps.setBytes(1, b);
				try (ResultSet rs = ps.executeQuery()) { rs.next(); note("big " + rs.getInt(1)); }
			}
		}
	}

	// executeBatch of 300 rows without rewriting, the 201st failing
	static void bigbatch() throws SQLException {
		try (Connection c = conn("")) {
			c.setAutoCommit(false);
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_items (id, name) VALUES (?, ?)")) {
				for (int i = 0; i < 300; i++) {
					ps.setInt(1, i == 200 ? 5000 : 5000 + i);
					ps.setString(2, "bb" + i);
					ps.addBatch();
				}
				ps.executeBatch();
			} catch (BatchUpdateException e) {
				note("bigbatch: " + e.getSQLState());
			}
			c.rollback();
		}
	}

	// sslmode=prefer (pgjdbc's default): SSLRequest, 'N', then the startup
	static void prefer() throws SQLException {
		Properties p = new Properties();
		p.setProperty("user", "app");
		p.setProperty("password", "app-secret");
		try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/appdb", p);
		     Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'prefer'")) {
			rs.next();
		}
		p.setProperty("sslmode", "require");
		try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/appdb", p)) {
			note("require: connected?");
		} catch (SQLException e) {
			note("require: " + e.getSQLState());
		}
	}

	public static void main(String[] args) throws Exception {
		port = args[0];
		List<String> all = Arrays.asList("threshold", "batch", "fetch", "binary", "autosave", "timeout", "keys", "lo", "callable", "multi", "copy", "maxrows", "unspecified", "simplemode", "notify", "big", "prefer", "autosaveloop", "bigbatch");
		List<String> order = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : all;
		setup();
		for (String ph : order) {
			note("== " + ph);
			switch (ph) {
			case "threshold": threshold(); break;
			case "batch": batch(); break;
			case "fetch": fetch(); break;
			case "binary": binary(); break;
			case "autosave": autosave(); break;
			case "timeout": timeout(); break;
			case "keys": keys(); break;
			case "lo": lo(); break;
			case "callable": callable(); break;
			case "multi": multi(); break;
			case "copy": copy(); break;
			case "maxrows": maxrows(); break;
			case "unspecified": unspecified(); break;
			case "simplemode": simplemode(); break;
			case "notify": notifications(); break;
			case "big": big(); break;
			case "prefer": prefer(); break;
			case "autosaveloop": autosaveLoop(); break;
			case "bigbatch": bigbatch(); break;
			default: throw new IllegalArgumentException(ph);
			}
		}
	}
}
