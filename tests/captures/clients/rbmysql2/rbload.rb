#!/usr/bin/ruby
# Ruby mysql2 (libmariadb underneath) workload for the mysql dumper's
# captures (tests/captures/README.mysql).  Run: rbload.rb PORT [compress]
require 'mysql2'

port = ARGV[0].to_i
$compress = ARGV[1] == 'compress'
def conn(port, extra = {})
  Mysql2::Client.new({ host: '127.0.0.1', port: port, username: 'app',
                       password: 'app-secret', database: 'appdb',
                       encoding: 'utf8mb4', compress: $compress }.merge(extra))
end

c = conn(port, flags: Mysql2::Client::MULTI_STATEMENTS, local_infile: true)
c.query('DROP TABLE IF EXISTS rb_t')
c.query('CREATE TABLE rb_t (id INT PRIMARY KEY, v VARCHAR(50), d DECIMAL(10,2), t DATETIME(6), f DOUBLE, b BLOB)')
# server-side prepared statements: Ruby Integer, String, Float, Time,
# BigDecimal, nil
st = c.prepare('INSERT INTO rb_t VALUES (?, ?, ?, ?, ?, ?)')
require 'bigdecimal'
st.execute(1, 'eins ü', BigDecimal('12.34'), Time.utc(2024, 1, 2, 3, 4, 5, 678901), 1.25, "\x00\xff".b)
st.execute(2, nil, nil, nil, -2.5e100, nil)
begin
  st.execute(2, 'dup', 1, nil, 0.0, nil)
rescue Mysql2::Error => e
  puts "dup: #{e.message}"
end
(3..12).each { |i| st.execute(i, "row #{i}", i, Time.utc(2020, 1, i), i / 3.0, 'x' * i) }
st.close
sel = c.prepare('SELECT id, v, d, t, f FROM rb_t WHERE id <= ?')
p sel.execute(4).to_a.length
sel.close
c.query('DROP PROCEDURE IF EXISTS rb_p')
c.query("CREATE PROCEDURE rb_p() BEGIN SELECT 1 a; SELECT 2 b, 3 c; SELECT id FROM rb_t; END")
r = c.query('CALL rb_p()')
n = 1
while c.next_result
  c.store_result
  n += 1
end
puts "call results #{n}"
c.query("SELECT 1; SELECT 'two'; UPDATE rb_t SET v = 'multi' WHERE id = 3")
while c.next_result
  c.store_result
end
File.write('/tmp/myw/rb_infile.txt', (100..139).map { |i| "#{i}\tin #{i}\n" }.join)
c.query("LOAD DATA LOCAL INFILE '/tmp/myw/rb_infile.txt' INTO TABLE rb_t (id, v)")
puts "infile #{c.affected_rows}"
# streaming: rows read as they come (mysql_use_result)
n = 0
c.query('SELECT seq, REPEAT(\'r\', 100) FROM seq_1_to_10000', stream: true, cache_rows: false).each { n += 1 }
puts "streamed #{n}"
c.query("SELECT 'end'").to_a
c.close
