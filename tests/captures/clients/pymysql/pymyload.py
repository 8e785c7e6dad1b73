#!/usr/bin/python3
"""PyMySQL workload for the mysql dumper's captures
(tests/captures/README.mysql).  Run: pymyload.py PORT
PyMySQL interpolates parameters itself: every statement is a COM_QUERY."""
import sys
import pymysql
import pymysql.cursors

port = int(sys.argv[1])


def conn(**kw):
    return pymysql.connect(host="127.0.0.1", port=port, user="app",
                           password="app-secret", database="appdb",
                           charset="utf8mb4", **kw)


c = conn(local_infile=True, client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
cur = c.cursor()
cur.execute("DROP TABLE IF EXISTS py_t")
cur.execute("CREATE TABLE py_t (id INT PRIMARY KEY, v VARCHAR(50), b BLOB)")
# executemany of an INSERT ... VALUES is sent as one multi-row INSERT
cur.executemany("INSERT INTO py_t VALUES (%s, %s, %s)",
                [(i, "v%d ü" % i, bytes([i, 0, 0x27, 0x5c])) for i in range(1, 201)])
# any other statement: one COM_QUERY per row
cur.executemany("UPDATE py_t SET v = %s WHERE id = %s", [("u1", 1), ("u2", 2), ("u3", 3)])
c.commit()
cur.execute("DROP PROCEDURE IF EXISTS py_p")
cur.execute("""CREATE PROCEDURE py_p(IN n INT)
BEGIN
  SELECT id FROM py_t WHERE id <= n;
  SELECT COUNT(*) FROM py_t;
  UPDATE py_t SET v = 'p' WHERE id = n;
END""")
cur.callproc("py_p", (5,))
while True:
    cur.fetchall()
    if not cur.nextset():
        break
try:
    cur.execute("SELECT 1; SELECT * FROM nosuch; SELECT 3")
    while cur.nextset():
        pass
except pymysql.err.ProgrammingError as e:
    print("multi error:", e)
with open("/tmp/myw/py_infile.txt", "w") as f:
    for i in range(1000, 1050):
        f.write("%d\tline %d\n" % (i, i))
cur.execute("LOAD DATA LOCAL INFILE '/tmp/myw/py_infile.txt' INTO TABLE py_t (id, v)")
print("infile rows", cur.rowcount)
try:
    cur.execute("LOAD DATA LOCAL INFILE '/tmp/myw/nosuch.txt' INTO TABLE py_t (id, v)")
except Exception as e:
    print("infile missing:", e)
c.commit()
c.close()

# server-side streaming: SSCursor reads the rows as they come, unbuffered
c = conn(cursorclass=pymysql.cursors.SSCursor)
cur = c.cursor()
cur.execute("SELECT seq, REPEAT('s', 200) FROM seq_1_to_20000")
n = 0
for row in cur:
    n += 1
print("sscursor rows", n)
cur.close()
# an SSCursor closed early: PyMySQL reads (and drops) the rest of the rows
cur = c.cursor()
cur.execute("SELECT seq FROM seq_1_to_5000")
cur.fetchone()
cur.close()
cur = c.cursor()
cur.execute("SELECT 'after sscursor'")
cur.fetchall()
c.ping()
c.select_db("mysql")
c.close()
