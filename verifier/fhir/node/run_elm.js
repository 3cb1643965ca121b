#!/usr/bin/env node
// Evaluates an exported ELM library with cql-execution, the reference
// JavaScript CQL engine, for a batch of records in one process.
//
//   node run_elm.js LIBRARY.elm.json < parameters.jsonl > results.jsonl
//
// Each input line is one JSON object: the CQL parameter values of one
// record (one per input of the ruleset). Each output line, in the same
// order, is {"results": {DEFINE: VALUE, ...}} with every define of the
// library evaluated in the Patient context, or {"error": MESSAGE} when
// cql-execution refused the parameters. Nothing else is printed on stdout.
'use strict';

const fs = require('fs');
const readline = require('readline');
const cql = require('cql-execution');

// The exported defines read only parameters; the patient is a placeholder
// that has no data (a retrieve, such as the "Patient" define, finds nothing).
class EmptyPatient {
  constructor(id) { this.id = id; }
  getId() { return this.id; }
  findRecords() { return []; }
}

class OnePatient {
  constructor(id) { this.patient = new EmptyPatient(id); }
  currentPatient() { return this.patient; }
  nextPatient() { this.patient = undefined; return undefined; }
}

async function main() {
  const elmPath = process.argv[2];
  if (!elmPath) {
    process.stderr.write('usage: node run_elm.js LIBRARY.elm.json < parameters.jsonl\n');
    process.exit(2);
  }
  const library = new cql.Library(JSON.parse(fs.readFileSync(elmPath, 'utf8')));
  const codeService = new cql.CodeService({});
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  const flush = () => { if (out.length) { process.stdout.write(out.join('')); out.length = 0; } };
  for await (const line of lines) {
    if (!line.trim()) continue;
    let answer;
    try {
      const params = JSON.parse(line);
      const executor = new cql.Executor(library, codeService, params);
      const results = await executor.exec(new OnePatient('record'));
      answer = { results: results.patientResults.record };
    } catch (err) {
      answer = { error: String(err && err.message ? err.message : err) };
    }
    out.push(JSON.stringify(answer) + '\n');
    if (out.length >= 256) flush();
  }
  flush();
}

main().catch((err) => {
  process.stderr.write(`run_elm.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(4);
});
