// bench/peer/peer.js — PouchDB's half of the comparison (bench/peer/run runs both).
//
// Each step is a process of its own, as saveidea-cli's are; bench/peer/run times the whole
// process (node's start-up and require() included) and this script prints the replication
// alone, from the call to PouchDB.replicate()/sync() to its end:
//
//   node peer.js check                           whether leveldb works, here and in the server
//   node peer.js free-port                       a free TCP port on 127.0.0.1
//   node peer.js wait URL SECONDS                until the server at URL answers
//   node peer.js write DB NOTES_JSON             the notes written offline into DB (not timed)
//   node peer.js upload DB URL N                 DB replicated to URL (the first upload)
//   node peer.js download DB URL N               a fresh DB replicated from URL
//   node peer.js sync DB URL N                   DB synced both ways with URL (the next sync)
//   node peer.js all NOTES_JSON URL N            all of it in one process (memory adapter)
//
// DB is a local database folder (leveldb, or memory with PEER_ADAPTER=memory); URL is a
// database on pouchdb-server at 127.0.0.1. The modules come from $PEER_MODULES (the folder
// bench/peer/run installs them into). Prints `replicate_ms X` and `docs N` lines; fails (exit
// 1) when a replication does not end complete with N documents.
'use strict';

const path = require('path');
const fs = require('fs');
const net = require('net');
const http = require('http');
const { createRequire } = require('module');

const BATCH_SIZE = 500;  // as the issue measured it

function fail(message) {
  process.stderr.write('peer.js: ' + message + '\n');
  process.exit(1);
}

function loadPouchDB() {
  const modules = process.env.PEER_MODULES;
  if (!modules)
    fail('PEER_MODULES is not set');
  const req = createRequire(path.join(modules, 'package.json'));
  const PouchDB = req('pouchdb');
  if (process.env.PEER_ADAPTER === 'memory') {
    PouchDB.plugin(req('pouchdb-adapter-memory'));
    return { PouchDB, local: { adapter: 'memory' } };
  }
  return { PouchDB, local: { adapter: 'leveldb' } };
}

function checkUrl(url) {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1')
    fail('only 127.0.0.1, not ' + u.hostname);
  return url;
}

function report(ms, docs) {
  process.stdout.write('replicate_ms ' + ms.toFixed(3) + '\ndocs ' + docs + '\n');
}

// leveldown loads (PouchDB's, and pouchdb-server's own copy) and a database takes a write.
async function check() {
  const modules = process.env.PEER_MODULES;
  if (!modules)
    fail('PEER_MODULES is not set');
  const req = createRequire(path.join(modules, 'package.json'));
  const serverReq = createRequire(req.resolve('pouchdb-server/package.json'));
  createRequire(serverReq.resolve('pouchdb-adapter-leveldb'))('leveldown');
  const PouchDB = req('pouchdb');
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'saveidea-peer-check-'));
  try {
    const db = new PouchDB(path.join(dir, 'db'), { adapter: 'leveldb' });
    await db.put({ _id: 'check', title: 'check' });
    await db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write('leveldb ok\n');
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  await new Promise((resolve) => server.close(resolve));
  process.stdout.write(port + '\n');
}

async function wait(url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const request = http.get(url, (answer) => {
        answer.resume();
        resolve(answer.statusCode === 200);
      });
      request.setTimeout(2000, () => request.destroy());
      request.on('error', () => resolve(false));
    });
    if (ok)
      return;
    if (Date.now() > deadline)
      fail(url + ' did not answer within ' + seconds + ' s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function write(dbPath, notesPath) {
  const { PouchDB, local } = loadPouchDB();
  const notes = JSON.parse(fs.readFileSync(notesPath, 'utf8'));
  const db = new PouchDB(dbPath, local);
  for (let i = 0; i < notes.length; i += 1000) {
    const docs = notes.slice(i, i + 1000).map((n) => ({ title: n.title, body: n.body }));
    const results = await db.bulkDocs(docs);
    for (const r of results)
      if (!r.ok)
        fail('writing a note: ' + JSON.stringify(r));
  }
  const info = await db.info();
  if (info.doc_count !== notes.length)
    fail(dbPath + ' holds ' + info.doc_count + ' notes, not ' + notes.length);
  await db.close();
  process.stdout.write('docs ' + info.doc_count + '\n');
}

// One timed replication of @db with @remote: its ms; fails unless it ends complete with @n
// documents on both sides (the download: on @db).
async function timedStep(PouchDB, step, db, remote, n) {
  // Both databases opened (and the remote one made) before the clock starts.
  await db.info();
  await remote.info();
  const options = { batch_size: BATCH_SIZE };
  const start = process.hrtime.bigint();
  let result;
  if (step === 'upload')
    result = await PouchDB.replicate(db, remote, options);
  else if (step === 'download')
    result = await PouchDB.replicate(remote, db, options);
  else
    result = await PouchDB.sync(db, remote, options);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const parts = step === 'sync' ? [result.push, result.pull] : [result];
  for (const part of parts)
    if (!part || !part.ok || part.status !== 'complete')
      fail(step + ' did not complete: ' + JSON.stringify(part && { ok: part.ok, status: part.status, errors: part.errors }));
  if (step === 'upload' && result.docs_written !== n)
    fail('upload wrote ' + result.docs_written + ' documents, not ' + n);
  const info = await db.info();
  if (info.doc_count !== n)
    fail(db.name + ' holds ' + info.doc_count + ' documents after ' + step + ', not ' + n);
  if (step !== 'download') {
    const remoteInfo = await remote.info();
    if (remoteInfo.doc_count !== n)
      fail(remote.name + ' holds ' + remoteInfo.doc_count + ' documents after ' + step + ', not ' + n);
  }
  return ms;
}

async function replicate(step, dbPath, url, n) {
  const { PouchDB, local } = loadPouchDB();
  const db = new PouchDB(dbPath, local);
  const remote = new PouchDB(checkUrl(url));
  const ms = await timedStep(PouchDB, step, db, remote, n);
  await db.close();
  report(ms, n);
}

// Every step in this one process, for the memory adapter (a database lives as long as its
// process): the notes written into device A, then upload, download, next sync, no-op sync.
async function all(notesPath, url, n) {
  const { PouchDB, local } = loadPouchDB();
  const a = new PouchDB('device-a', local);
  const b = new PouchDB('device-b', local);
  const remote = new PouchDB(checkUrl(url));
  const notes = JSON.parse(fs.readFileSync(notesPath, 'utf8'));
  for (let i = 0; i < notes.length; i += 1000)
    await a.bulkDocs(notes.slice(i, i + 1000).map((x) => ({ title: x.title, body: x.body })));
  const steps = [['upload', 'upload', a], ['download', 'download', b], ['next_sync', 'sync', a], ['noop_sync', 'sync', a]];
  for (const [name, step, db] of steps)
    process.stdout.write(name + '_ms ' + (await timedStep(PouchDB, step, db, remote, n)).toFixed(3) + '\n');
}

async function main(argv) {
  const [command, ...args] = argv;
  switch (command) {
    case 'check':
      return check();
    case 'free-port':
      return freePort();
    case 'wait':
      return wait(checkUrl(args[0]), Number(args[1] || 60));
    case 'write':
      return write(args[0], args[1]);
    case 'upload':
    case 'download':
    case 'sync':
      if (args.length !== 3 || !(Number(args[2]) > 0))
        fail('usage: peer.js ' + command + ' DB URL N');
      return replicate(command, args[0], args[1], Number(args[2]));
    case 'all':
      if (args.length !== 3 || !(Number(args[2]) > 0))
        fail('usage: peer.js all NOTES_JSON URL N');
      return all(args[0], args[1], Number(args[2]));
    default:
      fail('usage: peer.js check|free-port|wait|write|upload|download|sync|all ...');
  }
}

main(process.argv.slice(2)).then(() => process.exit(0), (e) => fail(e && e.stack ? e.stack : String(e)));
