#!/usr/bin/env node
// Compiles CQL text to ELM JSON with the reference CQL-to-ELM translator
// (@cqframework/cql, the Kotlin translator built for JavaScript), to check
// that the CQL text ruleproof exports is valid CQL and means what the ELM
// ruleproof exports means.
//
//   node translate_cql.mjs LIBRARY.cql OUT.elm.json
//
// Prints {"errors": [{"message", "line", "col"}...]} on stdout; exit 0 when
// the translator reports no error (OUT.elm.json is then written), 1 otherwise.
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import {
  CqlTranslator, LibraryManager, ModelManager, createModelInfoProvider, stringAsSource,
} from '@cqframework/cql/cql-to-elm';

const here = path.dirname(fileURLToPath(import.meta.url));
const MODELS = {
  System: fs.readFileSync(path.join(here, 'modelinfo', 'system-modelinfo.xml'), 'utf8'),
  FHIR: fs.readFileSync(path.join(here, 'modelinfo', 'fhir-patient-modelinfo.xml'), 'utf8'),
};

const [cqlPath, outPath] = process.argv.slice(2);
if (!cqlPath || !outPath) {
  process.stderr.write('usage: node translate_cql.mjs LIBRARY.cql OUT.elm.json\n');
  process.exit(2);
}
const models = new ModelManager();
models.modelInfoLoader.registerModelInfoProvider(
  createModelInfoProvider((id) => (MODELS[id] ? stringAsSource(MODELS[id]) : null)));
const translator = CqlTranslator.fromText(fs.readFileSync(cqlPath, 'utf8'), new LibraryManager(models));
const errors = translator.errors.asJsReadonlyArrayView().map((e) => {
  const where = e.locator ? String(e.locator) : '';
  const m = /startLine=(\d+), startChar=(\d+)/.exec(where);
  return { message: String(e.message), line: m ? Number(m[1]) : null, col: m ? Number(m[2]) : null };
});
process.stdout.write(JSON.stringify({ errors }) + '\n');
if (errors.length === 0) fs.writeFileSync(outPath, translator.toJson());
process.exit(errors.length === 0 ? 0 : 1);
