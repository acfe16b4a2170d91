#!/usr/bin/env node
/*
 * The real lunr.js 2.3.9 + lunr.it (as shipped inside MkDocs), driven from pytest and from
 * bench/search_scale.py to prove the Python-built index answers the same in the browser.
 *
 *   node lunr_check.js stem     MKDOCS_SEARCH_DIR          stdin: ["parola", ...]
 *   node lunr_check.js analyzer MKDOCS_SEARCH_DIR CERCA_JS stdin: {"words": [...], "texts": [...]}
 *   node lunr_check.js data                                stdin: a published data file
 *   node lunr_check.js raw      MKDOCS_SEARCH_DIR INDEX    stdin: ["query string", ...]
 *   node lunr_check.js engine   SITE_ASSETS_DIR   CERCA_JS stdin: {"queries": [{"q", "filters"}],
 *                                                           "fresh": bool, "repeat": n}
 *
 * MKDOCS_SEARCH_DIR is mkdocs/contrib/search; SITE_ASSETS_DIR is <site>/assets/cerca, where
 * `publish_search` put lunr.js, the manifest and the shards as .js files. Output: JSON on stdout.
 */
"use strict";

const fs = require("fs");
const path = require("path");

function lunrFrom(files) {
  const lunr = require(files[0]);
  require(files[1])(lunr);
  require(files[2])(lunr);
  return lunr;
}

function lunrInMkdocs(dir) {
  return lunrFrom([
    path.join(dir, "templates", "search", "lunr.js"),
    path.join(dir, "lunr-language", "lunr.stemmer.support.js"),
    path.join(dir, "lunr-language", "lunr.it.js"),
  ]);
}

function readStdin() {
  return JSON.parse(fs.readFileSync(0, "utf8"));
}

function print(data) {
  process.stdout.write(JSON.stringify(data));
}

/* A data file of the published site (`lgnetCercaDati("key", {...});`) evaluated as the page does. */
/* Evaluated like a <script> of the page: compiled and run in this context, the time counted. */
const parsing = { ms: 0 };

function readSiteData(assets, key) {
  const code = fs.readFileSync(path.join(assets, key + ".js"), "utf8");
  let data = null;
  const t0 = process.hrtime.bigint();
  new Function("lgnetCercaDati", code)(function (_k, d) { data = d; });
  parsing.ms += Number(process.hrtime.bigint() - t0) / 1e6;
  return data;
}

function siteLoader(assets, loaded) {
  return function (key) {
    loaded.push(key + ".js");
    return new Promise(function (resolve) { resolve(readSiteData(assets, key)); });
  };
}

const [command, base, extra] = process.argv.slice(2);

async function main() {
  if (command === "stem") {
    const lunr = lunrInMkdocs(base);
    print(readStdin().map(function (w) { return lunr.it.stemmer(new lunr.Token(w)).toString(); }));
  } else if (command === "analyzer") {
    const lunr = lunrInMkdocs(base);
    const cerca = require(path.resolve(extra));
    const analyzer = new cerca.Analyzer(lunr);
    const input = readStdin();
    print({
      wordCharacters: lunr.it.wordCharacters,
      stop: input.words.map(function (w) { return analyzer.isStopWord(w); }),
      trimmed: input.words.map(function (w) { return lunr.it.trimmer(new lunr.Token(w)).toString(); }),
      words: input.texts.map(function (t) { return analyzer.words(t); }),
      queryWords: input.texts.map(function (t) { return analyzer.queryWords(t); }),
      shards: input.words.map(function (w) { return cerca.shardOf(w, 61); }),
    });
  } else if (command === "data") {
    let data = null;
    new Function("lgnetCercaDati", fs.readFileSync(0, "utf8"))(function (key, d) {
      data = { key: key, data: d };
    });
    print(data);
  } else if (command === "raw") {
    const lunr = lunrInMkdocs(base);
    const index = lunr.Index.load(JSON.parse(fs.readFileSync(extra, "utf8")));
    print(readStdin().map(function (q) {
      return index.search(q).map(function (r) { return [r.ref, r.score]; });
    }));
  } else if (command === "engine") {
    const lunr = lunrFrom(["lunr.js", "lunr.stemmer.support.js", "lunr.it.js"].map(function (f) {
      return path.join(base, f);
    }));
    const cerca = require(path.resolve(extra));
    const input = readStdin();
    const repeat = input.repeat || 1;
    let loaded = [];
    let engine = null;
    const manifest = readSiteData(base, "manifest");
    const out = [];
    for (const query of input.queries) {
      if (!engine || input.fresh) {
        loaded = ["manifest.js"];
        engine = new cerca.Engine(lunr, manifest, siteLoader(base, loaded));
      }
      const before = loaded.length;
      const times = [];
      let found = null;
      parsing.ms = 0;
      for (let i = 0; i < repeat; i++) {
        const t0 = process.hrtime.bigint();
        found = await engine.search(query.q, query.filters || {});
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const hits = [];
      let firstResult = loaded.slice(input.fresh ? 0 : before);
      for (const r of found.results.slice(0, query.limit || 20)) {
        const segments = await engine.segments(r.ref);
        const span = engine.span(segments, found.stems);
        hits.push({ id: r.item.id, ref: r.ref, start: span.start, end: span.end });
        if (hits.length === 1) firstResult = loaded.slice(input.fresh ? 0 : before);
      }
      out.push({
        q: query.q,
        words: found.words,
        stems: found.stems,
        allTerms: found.allTerms,
        refs: found.results.map(function (r) { return r.ref; }),
        scores: found.results.map(function (r) { return r.score; }),
        facets: found.facets,
        items: found.items,
        hits: hits,
        times: times,
        parseMs: parsing.ms,
        files: loaded.slice(input.fresh ? 0 : before),
        firstResultFiles: firstResult,
      });
    }
    print(out);
  } else {
    process.stderr.write("comando sconosciuto: " + command + "\n");
    process.exit(2);
  }
}

main().catch(function (err) {
  process.stderr.write(String(err && err.stack || err) + "\n");
  process.exit(1);
});
