import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
for (const sql of process.argv.slice(2)) {
try { const r = await con.runAndReadAll(sql);
console.log(r.columnNames(), r.getRows().map(r=>r.map(String))); } catch (e) { console.log('ERR', e.message); }
}
