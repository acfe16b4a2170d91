/*
 * LGNet Archivio: search inside every transcript (/cerca/), entirely in the browser.
 *
 * The index is built by `lgnet index` (scripts/lgnet/index.py) and published next to lunr.js
 * and its Italian support under assets/cerca/. It is cut into shards by a hash of each term:
 * a search loads the manifest once, then only the shards of its own words and the texts of
 * the passages it shows. Data files are scripts calling lgnetCercaDati(key, data), so the page
 * also works when the site is opened from disk (file://), where fetch() is not allowed.
 *
 * The engine below (Engine) has no DOM code: node runs it in the tests (tests/js/) to check it
 * answers exactly as `lgnet search` (scripts/lgnet/search.py), whose rules it shares:
 * words are runs of lunr.it's word characters or digits, stop words are dropped, every word is
 * required (when no passage has them all, passages with some are shown and the page says so),
 * facets filter the ranked passages and count what the other facets let through.
 */
(function (root) {
  "use strict";

  // "role": who speaks in the passage ("Chi parla"), a passage's own value, the others its item's.
  var FACETS = ["city", "kind", "area", "year", "role"];
  var PARAMS = { city: "citta", kind: "tipo", area: "ambito", year: "anno", role: "ruolo" };
  var PAGE = 20;

  // ---- text analysis: the same as lgnet.index.ItalianAnalyzer ---------------------------

  function Analyzer(lunr) {
    this.lunr = lunr;
    this.wordSource = "[" + lunr.it.wordCharacters + "0-9]+";
    this.stems = Object.create(null);
  }

  Analyzer.prototype.normalize = function (text) {
    return String(text || "").normalize("NFC");
  };

  Analyzer.prototype.words = function (text) {
    return this.normalize(text).toLowerCase().match(new RegExp(this.wordSource, "g")) || [];
  };

  Analyzer.prototype.isStopWord = function (word) {
    return !this.lunr.it.stopWordFilter(new this.lunr.Token(word));
  };

  Analyzer.prototype.stem = function (word) {
    var stem = this.stems[word];
    if (stem === undefined) {
      stem = this.lunr.it.stemmer(new this.lunr.Token(word)).toString();
      this.stems[word] = stem;
    }
    return stem;
  };

  Analyzer.prototype.queryWords = function (query) {
    var seen = Object.create(null);
    var self = this;
    return this.words(query).filter(function (word) {
      if (self.isStopWord(word) || seen[word]) return false;
      seen[word] = true;
      return true;
    });
  };

  /* [{text, match}] pieces of `text`, match=true for words whose stem is in `stems`. */
  Analyzer.prototype.pieces = function (text, stems) {
    var out = [];
    var re = new RegExp(this.wordSource, "g");
    var at = 0;
    var m;
    text = this.normalize(text);
    while ((m = re.exec(text)) !== null) {
      var word = m[0].toLowerCase();
      if (!this.isStopWord(word) && stems[this.stem(word)]) {
        if (m.index > at) out.push({ text: text.slice(at, m.index), match: false });
        out.push({ text: m[0], match: true });
        at = m.index + m[0].length;
      }
    }
    if (at < text.length) out.push({ text: text.slice(at), match: false });
    return out;
  };

  /* FNV-1a (32 bit) over code points: lgnet.index.shard_of. */
  function shardOf(term, shards) {
    var h = 0x811c9dc5;
    for (var i = 0; i < term.length; i++) {
      var cp = term.codePointAt(i);
      if (cp > 0xffff) i++;
      h = Math.imul(h ^ cp, 0x01000193) >>> 0;
    }
    return h % shards;
  }

  // ---- engine ------------------------------------------------------------------------

  /* `load(key)` returns a promise of the data file `key` ("indice/3", "testi/0"). */
  function Engine(lunr, manifest, load) {
    this.lunr = lunr;
    this.manifest = manifest;
    this.load = load;
    this.analyzer = new Analyzer(lunr);
    this.files = Object.create(null);
    this.shards = Object.create(null);
    this.indexes = Object.create(null);
    this.indexOrder = [];
    this.firsts = manifest.items.map(function (e) { return e.first; });
  }

  Engine.prototype.file = function (key) {
    if (!this.files[key]) {
      var self = this;
      this.files[key] = this.load(key).catch(function (err) {
        delete self.files[key];
        throw err;
      });
    }
    return this.files[key];
  };

  function bisect(sorted, value) {
    var lo = 0, hi = sorted.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  }

  Engine.prototype.itemOf = function (ref) {
    return this.manifest.items[bisect(this.firsts, ref)];
  };

  function flatten(pairs) {
    pairs.sort(function (a, b) { return a[0] - b[0]; });
    var flat = [];
    pairs.forEach(function (p) { flat.push(p[0], p[1]); });
    return flat;
  }

  /* A shard as it arrives, with lookups by term and by passage added once. */
  function Shard(data) {
    this.terms = new Map();
    this.vectors = new Map();
    var self = this;
    data.invertedIndex.forEach(function (entry) { self.terms.set(entry[0], entry); });
    data.fieldVectors.forEach(function (entry) { self.vectors.set(entry[0], entry[1]); });
  }

  /*
   * The serialized lunr index a query on `stems` needs, as lgnet.index.query_index builds it:
   * the stems' postings and each passage's vector entries for them only. lunr's score is the
   * dot product of the query vector (whose entries are the query's terms) with the passage
   * vector, so this small index answers exactly as the whole one, and costs what the query's
   * postings cost instead of what the shards weigh.
   */
  function queryIndex(header, shards, stems) {
    var inverted = [];
    var pairs = new Map();
    var seen = Object.create(null);
    stems.forEach(function (stem) {
      if (seen[stem]) return;
      seen[stem] = true;
      shards.forEach(function (shard) {
        var entry = shard.terms.get(stem);
        if (!entry) return;
        inverted.push(entry);
        var posting = entry[1];
        var termIndex = posting._index;
        header.fields.forEach(function (field) {
          Object.keys(posting[field] || {}).forEach(function (ref) {
            var fieldRef = field + "/" + ref;
            var elements = shard.vectors.get(fieldRef) || [];
            for (var i = 0; i < elements.length; i += 2) {
              if (elements[i] === termIndex) {
                var have = pairs.get(fieldRef);
                if (have) have.push([termIndex, elements[i + 1]]);
                else pairs.set(fieldRef, [[termIndex, elements[i + 1]]]);
                break;
              }
            }
          });
        });
      });
    });
    inverted.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    var vectors = [];
    pairs.forEach(function (found, fieldRef) { vectors.push([fieldRef, flatten(found)]); });
    return {
      version: header.version,
      fields: header.fields,
      pipeline: header.pipeline,
      invertedIndex: inverted,
      fieldVectors: vectors,
    };
  }

  Engine.prototype.shard = function (n) {
    if (!this.shards[n]) {
      var self = this;
      this.shards[n] = this.file("indice/" + n).then(function (data) { return new Shard(data); });
      this.shards[n].catch(function () { delete self.shards[n]; });
    }
    return this.shards[n];
  };

  /* A lunr index that answers queries on `stems` exactly as the whole index would. */
  Engine.prototype.index = function (stems) {
    var total = this.manifest.shards;
    var numbers = [];
    stems.forEach(function (stem) {
      var n = shardOf(stem, total);
      if (numbers.indexOf(n) < 0) numbers.push(n);
    });
    var key = stems.slice().sort().join(" ");
    if (this.indexes[key]) return Promise.resolve(this.indexes[key]);
    var self = this;
    return Promise.all(numbers.map(function (n) { return self.shard(n); }))
      .then(function (shards) {
        var index = self.lunr.Index.load(queryIndex(self.manifest.lunr, shards, stems));
        self.indexes[key] = index;
        self.indexOrder.push(key);
        if (self.indexOrder.length > 12) delete self.indexes[self.indexOrder.shift()];
        return index;
      });
  };

  function runQuery(lunr, index, words, required) {
    var presence = required ? lunr.Query.presence.REQUIRED : lunr.Query.presence.OPTIONAL;
    return index.query(function (q) {
      words.forEach(function (word) { q.term(word, { presence: presence }); });
    });
  }

  /* Whether some passage holds every stem: a REQUIRED query would find it (cheap to check). */
  function somePassageHasAll(index, stems, fields) {
    var postings = [];
    for (var i = 0; i < stems.length; i++) {
      var posting = index.invertedIndex[stems[i]];
      if (!posting) return false;
      postings.push(posting);
    }
    var refs = function (posting) {
      var all = [];
      fields.forEach(function (f) { all = all.concat(Object.keys(posting[f] || {})); });
      return all;
    };
    var has = function (posting, ref) {
      return fields.some(function (f) { return posting[f] && ref in posting[f]; });
    };
    var first = refs(postings[0]);
    return first.some(function (ref) {
      return postings.every(function (posting) { return has(posting, ref); });
    });
  }

  /* The role of who speaks in passage `ref` (lgnet.search.passage_role); null: not given. */
  function passageRole(entry, ref) {
    return (entry.roles && entry.roles[ref - entry.first]) || null;
  }

  /* A passage's facet values; without `ref`, every value of its recording (roles: all). */
  function facetValues(entry, ref) {
    var roles = ref === undefined ? (entry.roles || []).filter(Boolean) : [passageRole(entry, ref)];
    return {
      city: [entry.city], kind: [entry.kind], area: entry.areas, year: [entry.year],
      role: roles.filter(Boolean),
    };
  }

  /*
   * filters: {city: [...], kind: [...], area: [...], year: [...]}; an empty or missing list
   * lets everything through, several values in one facet mean "any of them".
   * Resolves to {words, stems, allTerms, results: [{ref, score, item}], facets, items}.
   */
  Engine.prototype.search = function (query, filters) {
    filters = filters || {};
    var self = this;
    var words = this.analyzer.queryWords(query);
    var stems = words.map(function (w) { return self.analyzer.stem(w); });
    var out = { query: query, words: words, stems: stems, allTerms: true, results: [], facets: {}, items: 0 };
    FACETS.forEach(function (f) { out.facets[f] = {}; });
    if (!words.length) return Promise.resolve(out);
    return this.index(stems).then(function (index) {
      // Skipping a REQUIRED query that cannot match saves a lunr query when falling back.
      var possible = somePassageHasAll(index, stems, self.manifest.lunr.fields);
      var results = possible ? runQuery(self.lunr, index, words, true) : [];
      if (!results.length && words.length > 1) {
        results = runQuery(self.lunr, index, words, false);
        out.allTerms = false;
      }
      var seenItems = Object.create(null);
      results.forEach(function (result) {
        var ref = Number(result.ref);
        var entry = self.itemOf(ref);
        var values = facetValues(entry, ref);
        var passes = {};
        FACETS.forEach(function (f) {
          var wanted = filters[f] || [];
          passes[f] = !wanted.length || values[f].some(function (v) { return wanted.indexOf(v) >= 0; });
        });
        FACETS.forEach(function (f) {
          var others = FACETS.every(function (o) { return o === f || passes[o]; });
          if (!others) return;
          values[f].forEach(function (v) { out.facets[f][v] = (out.facets[f][v] || 0) + 1; });
        });
        if (FACETS.every(function (f) { return passes[f]; })) {
          out.results.push({ ref: ref, score: result.score, item: entry });
          if (!seenItems[entry.id]) { seenItems[entry.id] = true; out.items += 1; }
        }
      });
      return out;
    });
  };

  /* Whether passage `ref` of recording `entry` is one of its chapters: the last
     `entry.chapters` passages of a recording are (lgnet.index.chapter_passages), each with
     three segments at the chapter's start: title, synopsis, keywords (empty when missing). */
  function isChapter(entry, ref) {
    return Number(ref) >= entry.first + entry.count - (entry.chapters || 0);
  }

  /* The segments [[start, end, text], ...] of passage `ref`. */
  Engine.prototype.segments = function (ref) {
    var chunk = bisect(this.manifest.texts, ref);
    var first = this.manifest.texts[chunk];
    return this.file("testi/" + chunk).then(function (data) { return data[ref - first]; });
  };

  /* Where a hit should open: the first and last segment of the passage holding a query word. */
  Engine.prototype.span = function (segments, stems) {
    var wanted = Object.create(null);
    stems.forEach(function (s) { wanted[s] = true; });
    var first = -1, last = -1;
    var self = this;
    segments.forEach(function (seg, n) {
      var hit = self.analyzer.pieces(seg[2], wanted).some(function (p) { return p.match; });
      if (hit) { if (first < 0) first = n; last = n; }
    });
    if (first < 0) { first = 0; last = segments.length - 1; }
    return { first: first, last: last, start: segments[first][0], end: segments[last][1] };
  };

  // ---- the site's pages ---------------------------------------------------------------

  /*
   * The site's own pages (model, city sheets, glossary, guide...), from the data file
   * `pagine` (lgnet.pagesearch): [location, page title, section title, text] per section.
   * Nothing is indexed in advance: a query's stems are compared with the stems of the words
   * that could match (same first letter), each word stemmed once per visit. A section must
   * hold every query word (else sections with some are returned, flagged); words in a title
   * count more.
   */
  function PageSearch(analyzer, sections) {
    this.analyzer = analyzer;
    this.sections = sections;
    this.words = [];  // lower-case words of each section (title and text), on first use
    this.lower = sections.map(function (s) {
      return analyzer.normalize(s[1] + " " + s[2] + " " + s[3]).toLowerCase();
    });
  }

  /* The part of a stem that the words it comes from start with: the stemmer turns acute
     accents into grave ones, so the comparison stops before any accented letter. */
  function stemPrefix(stem) {
    var cut = stem.search(/[àèìòù]/);
    return cut < 0 ? stem : stem.slice(0, cut);
  }

  PageSearch.prototype.wordsOf = function (n) {
    var cached = this.words[n];
    if (!cached) {
      var s = this.sections[n];
      cached = {
        title: this.analyzer.words(s[1] + " " + s[2]),
        text: this.analyzer.words(s[3]),
      };
      this.words[n] = cached;
    }
    return cached;
  };

  PageSearch.prototype.count = function (words, stem) {
    var n = 0;
    var first = stem.charAt(0);
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w.charAt(0) === first && this.analyzer.stem(w) === stem) n++;
    }
    return n;
  };

  /* {words, stems, allTerms, results: [{section, score}]}, best first. */
  PageSearch.prototype.search = function (query) {
    var self = this;
    var words = this.analyzer.queryWords(query);
    var stems = [];
    words.forEach(function (w) {
      var s = self.analyzer.stem(w);
      if (stems.indexOf(s) < 0) stems.push(s);
    });
    var all = [], some = [];
    var prefixes = stems.map(stemPrefix);
    if (stems.length) {
      this.sections.forEach(function (section, n) {
        // Only sections holding the beginning of some query stem can match: read only those.
        var text = self.lower[n];
        if (!prefixes.some(function (p) { return text.indexOf(p) >= 0; })) return;
        var ws = self.wordsOf(n);
        var score = 0, found = 0;
        stems.forEach(function (stem) {
          var inTitle = self.count(ws.title, stem), inText = self.count(ws.text, stem);
          if (inTitle || inText) found++;
          score += 3 * Math.min(inTitle, 1) + Math.log(1 + inText);
        });
        if (!found) return;
        var hit = { section: n, score: score };
        (found === stems.length ? all : some).push(hit);
      });
    }
    var results = all.length ? all : some;
    results.sort(function (a, b) { return b.score - a.score || a.section - b.section; });
    return { words: words, stems: stems, allTerms: all.length > 0, results: results };
  };

  /* About `width` characters of `text` around its first word with a stem in `wanted`. */
  PageSearch.prototype.excerpt = function (text, wanted, width) {
    var pieces = this.analyzer.pieces(text, wanted);
    var at = 0, hit = -1;
    for (var i = 0; i < pieces.length; i++) {
      if (pieces[i].match) { hit = at; break; }
      at += pieces[i].text.length;
    }
    var start = Math.max(0, hit - Math.floor(width / 3));
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space >= 0 && space < hit ? space + 1 : start;
    }
    var end = Math.min(text.length, start + width);
    if (end < text.length) {
      var back = text.lastIndexOf(" ", end);
      if (back > start) end = back;
    }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  };

  var api = {
    PageSearch: PageSearch,
    Engine: Engine,
    isChapter: isChapter,
    Analyzer: Analyzer,
    shardOf: shardOf,
    queryIndex: queryIndex,
    Shard: Shard,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  root.lgnetCerca = api;
  if (typeof document === "undefined") return;

  // ---- the page ----------------------------------------------------------------------

  var script = document.currentScript;
  var pending = Object.create(null);
  var startParams = new URLSearchParams(location.search);
  root.lgnetCercaDati = function (key, data) {
    var waiting = pending[key];
    if (waiting) {
      delete pending[key];
      waiting(data);
    }
  };

  /* `ordered`: run after the scripts added before it (lunr, then its Italian support). */
  function loadScript(url, ordered) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = url;
      tag.async = !ordered;
      tag.onload = function () { resolve(); };
      tag.onerror = function () { reject(new Error(url)); };
      document.head.appendChild(tag);
    });
  }

  function dataLoader(base, build) {
    return function (key) {
      return new Promise(function (resolve, reject) {
        pending[key] = resolve;
        loadScript(base + key + ".js?v=" + encodeURIComponent(build)).then(function () {
          if (pending[key]) { delete pending[key]; reject(new Error(key)); }
        }, function (err) { delete pending[key]; reject(err); });
      });
    };
  }

  function clock(seconds) {
    var total = Math.floor(seconds);
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var mm = (m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function setUp(form) {
    var input = form.querySelector("#lgnet-cerca-q");
    var status = document.getElementById("lgnet-cerca-stato");
    var list = document.getElementById("lgnet-cerca-risultati");
    var more = document.getElementById("lgnet-cerca-altri");
    var facetBox = document.getElementById("lgnet-cerca-filtri");
    var transcriptBox = document.getElementById("lgnet-cerca-trascrizioni");
    var pageBox = document.getElementById("lgnet-cerca-pagine");
    var pageList = document.getElementById("lgnet-cerca-pagine-lista");
    var pageMore = document.getElementById("lgnet-cerca-pagine-altre");
    var pagesReady = null;  // the PageSearch, loaded on the first query (null: none)
    var assets = new URL("../cerca/", script.src).href;
    var siteRoot = new URL("../../", script.src).href;
    var engine = null;
    var current = null;
    var shown = 0;
    var timer = null;
    var generation = 0;

    function say(text) { status.textContent = text; }

    function chosen() {
      var out = {};
      FACETS.forEach(function (f) {
        out[f] = Array.prototype.map.call(
          facetBox.querySelectorAll('input[name="' + PARAMS[f] + '"]:checked'),
          function (box) { return box.value; });
      });
      return out;
    }

    function remember() {
      if (!history.replaceState) return;
      var params = new URLSearchParams();
      if (input.value.trim()) params.set("q", input.value.trim());
      var filters = chosen();
      FACETS.forEach(function (f) { filters[f].forEach(function (v) { params.append(PARAMS[f], v); }); });
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    function facetLabels(f) {
      var m = engine.manifest;
      var present = Object.create(null);
      m.items.forEach(function (entry) {
        facetValues(entry)[f].forEach(function (v) { present[v] = true; });
      });
      var values = Object.keys(present);
      var label = function (v) {
        if (f === "city") return m.cities[v] || v;
        if (f === "kind") return m.kinds[v] || v;
        if (f === "area") return m.areas[v] || v;
        return v;
      };
      values.sort(function (a, b) {
        return f === "year" ? b.localeCompare(a) : label(a).localeCompare(label(b), "it");
      });
      return values.map(function (v) { return { value: v, label: label(v) }; });
    }

    function buildFacets(initial) {
      var titles = { city: "Città", kind: "Tipo", area: "Ambito", year: "Anno", role: "Chi parla" };
      FACETS.forEach(function (f) {
        var values = facetLabels(f);
        if (values.length < 2 && !(initial[f] || []).length) return;
        var set = el("fieldset", "lgnet-cerca__facet");
        set.appendChild(el("legend", null, titles[f]));
        values.forEach(function (v, n) {
          // A role is free text (spaces, brackets): its box is named by its position instead.
          var id = "lgnet-cerca-" + PARAMS[f] + "-" + (f === "role" ? n + 1 : v.value);
          var row = el("div", "lgnet-cerca__opzione");
          var box = el("input");
          box.type = "checkbox";
          box.name = PARAMS[f];
          box.value = v.value;
          box.id = id;
          box.checked = (initial[f] || []).indexOf(v.value) >= 0;
          var label = el("label");
          label.htmlFor = id;
          label.appendChild(document.createTextNode(v.label + " "));
          var count = el("span", "lgnet-cerca__conteggio");
          count.setAttribute("data-facet", f);
          count.setAttribute("data-value", v.value);
          label.appendChild(count);
          row.appendChild(box);
          row.appendChild(label);
          set.appendChild(row);
        });
        facetBox.appendChild(set);
      });
      facetBox.hidden = !facetBox.children.length;
      var jump = document.getElementById("lgnet-cerca-vai-filtri");
      if (jump) jump.hidden = facetBox.hidden;
    }

    function showCounts(facets, active) {
      Array.prototype.forEach.call(facetBox.querySelectorAll(".lgnet-cerca__conteggio"), function (span) {
        var n = facets[span.getAttribute("data-facet")][span.getAttribute("data-value")] || 0;
        span.textContent = active ? "(" + n + ")" : "";
      });
    }

    function fillHit(li, result, segments) {
      var span = engine.span(segments, current.stems);
      var wanted = Object.create(null);
      current.stems.forEach(function (s) { wanted[s] = true; });
      var entry = result.item;
      var m = engine.manifest;
      var link = el("a", "lgnet-risultato__link");
      var start = Math.round(span.start * 10) / 10;
      var page = "archivio/" + encodeURIComponent(entry.id) + "/" +
        (location.protocol === "file:" ? "index.html" : "");
      link.href = siteRoot + page + "#t=" + start;
      link.appendChild(el("span", "lgnet-risultato__tempo", clock(span.start)));
      link.appendChild(document.createTextNode(" "));
      link.appendChild(el("span", "lgnet-risultato__titolo", entry.title));
      li.appendChild(el("h3", "lgnet-risultato__titolo-riga")).appendChild(link);
      var meta = [m.cities[entry.city] || entry.city, m.kinds[entry.kind] || entry.kind, entry.year];
      var role = passageRole(entry, result.ref);
      if (role) meta.push("parla: " + role);
      li.appendChild(el("p", "lgnet-risultato__meta", meta.join(" · ")));
      if (isChapter(entry, result.ref)) {
        fillChapter(li, segments, wanted);
        return;
      }
      var text = el("p", "lgnet-risultato__testo");
      segments.forEach(function (seg, n) {
        if (n > 0) text.appendChild(document.createTextNode(" "));
        engine.analyzer.pieces(seg[2], wanted).forEach(function (piece) {
          text.appendChild(piece.match ? el("mark", null, piece.text) : document.createTextNode(piece.text));
        });
      });
      li.appendChild(text);
      li.hidden = false;
    }

    /* A chapter hit: "Capitolo: <title>", its synopsis and its keywords, matches marked. */
    function fillChapter(li, segments, wanted) {
      function marked(node, text) {
        engine.analyzer.pieces(text, wanted).forEach(function (piece) {
          node.appendChild(piece.match ? el("mark", null, piece.text) : document.createTextNode(piece.text));
        });
        return node;
      }
      var title = el("p", "lgnet-risultato__capitolo");
      title.appendChild(el("strong", null, "Capitolo: "));
      li.appendChild(marked(title, segments[0][2]));
      if (segments[1] && segments[1][2]) {
        li.appendChild(marked(el("p", "lgnet-risultato__testo"), segments[1][2]));
      }
      if (segments[2] && segments[2][2]) {
        var words = el("p", "lgnet-risultato__parole");
        words.appendChild(el("span", null, "Parole chiave: "));
        li.appendChild(marked(words, segments[2][2]));
      }
      li.setAttribute("data-lgnet-capitolo", "");
      li.hidden = false;
    }

    /* The site's pages: loaded once, on the first query; a site without them has none. */
    function loadPages() {
      if (!pageBox) return Promise.resolve(null);
      if (!pagesReady) {
        pagesReady = dataLoader(assets, engine.manifest.build)("pagine").then(function (data) {
          return new PageSearch(engine.analyzer, data.sections || []);
        }, function () { return null; });
      }
      return pagesReady;
    }

    function pageHref(where) {
      var parts = where.split("#");
      var path = parts[0];
      if (location.protocol === "file:" && (path === "" || path.slice(-1) === "/")) path += "index.html";
      return siteRoot + path + (parts.length > 1 ? "#" + parts.slice(1).join("#") : "");
    }

    /* Pages with the query's words, the first few shown (all on request); the count. */
    function showPages(pages, query, filtered) {
      pageList.textContent = "";
      pageMore.hidden = true;
      var found = pages && !filtered ? pages.search(query) : null;
      var results = found && found.allTerms ? found.results : [];
      pageBox.hidden = !results.length;
      if (!results.length) return 0;
      var wanted = Object.create(null);
      found.stems.forEach(function (stem) { wanted[stem] = true; });
      results.forEach(function (hit, n) {
        var section = pages.sections[hit.section];
        var li = el("li", "lgnet-risultato-pagina");
        li.hidden = n >= 3;
        var link = el("a", "lgnet-risultato__link");
        link.href = pageHref(section[0]);
        link.textContent = section[1] + (section[2] && section[2] !== section[1] ? " › " + section[2] : "");
        li.appendChild(el("h3", "lgnet-risultato__titolo-riga")).appendChild(link);
        var text = el("p", "lgnet-risultato__testo");
        var excerpt = pages.excerpt(section[3], wanted, 180);
        engine.analyzer.pieces(excerpt, wanted).forEach(function (piece) {
          text.appendChild(piece.match ? el("mark", null, piece.text) : document.createTextNode(piece.text));
        });
        if (excerpt) li.appendChild(text);
        pageList.appendChild(li);
      });
      if (results.length > 3) {
        pageMore.hidden = false;
        pageMore.textContent = "Mostra tutte le " + results.length + " pagine";
      }
      return results.length;
    }

    /* The next page of hits, each shown as soon as its text file arrives, in rank order. */
    function showMore(mine) {
      var page = current.results.slice(shown, shown + PAGE);
      shown += page.length;
      more.hidden = shown >= current.results.length;
      return Promise.all(page.map(function (result) {
        var li = el("li", "lgnet-risultato");
        li.hidden = true;
        list.appendChild(li);
        return engine.segments(result.ref).then(function (segments) {
          if (mine === generation) fillHit(li, result, segments);
        });
      }));
    }

    function run() {
      var mine = ++generation;
      var query = input.value.trim();
      remember();
      if (!engine) return;
      if (!query) {
        list.textContent = "";
        more.hidden = true;
        if (transcriptBox) transcriptBox.hidden = true;
        if (pageBox) pageBox.hidden = true;
        showCounts({}, false);
        say("");
        return;
      }
      say("Ricerca in corso…");
      Promise.all([engine.search(query, chosen()), loadPages()]).then(function (ready) {
        var found = ready[0];
        if (mine !== generation) return null;
        current = found;
        shown = 0;
        list.textContent = "";
        showCounts(found.facets, found.words.length > 0);
        if (!found.words.length) {
          more.hidden = true;
          if (pageBox) pageBox.hidden = true;
          if (transcriptBox) transcriptBox.hidden = true;
          say("Le parole cercate sono troppo comuni (come «di» o «che»): aggiungerne una più specifica.");
          return null;
        }
        var filtered = FACETS.some(function (f) { return (chosen()[f] || []).length; });
        var pages = pageBox ? showPages(ready[1], query, filtered) : 0;
        var inPages = pages ? " " + plural(pages, "pagina", "pagine") + " del sito contengono le parole cercate." : "";
        if (transcriptBox) transcriptBox.hidden = !found.results.length;
        // Filters narrow passages: with none to narrow (and none chosen) they are noise.
        facetBox.hidden = !facetBox.children.length || (!found.results.length && !filtered);
        var jump = document.getElementById("lgnet-cerca-vai-filtri");
        if (jump) jump.hidden = facetBox.hidden;
        return showMore(mine).then(function () {
          if (mine !== generation) return;
          if (!found.results.length) {
            say((pages ? "Nessun passaggio delle trascrizioni" : "Nessun risultato") + " per «" +
              query + "»" + (filtered ? " con i filtri scelti." : ".") + inPages);
            return;
          }
          var text = plural(found.results.length, "passaggio", "passaggi") + " in " +
            plural(found.items, "registrazione", "registrazioni") + " per «" + query + "»";
          if (filtered) text += " con i filtri scelti";
          if (!found.allTerms) {
            text = "Nessun passaggio contiene tutte le parole cercate. " + text + " contengono alcune delle parole";
          }
          say(text + "." + inPages);
        });
      }).catch(function () {
        if (mine !== generation) return;
        say("Impossibile caricare l'indice di ricerca. Se il sito è stato appena copiato, " +
          "ricostruirlo con 'lgnet build'.");
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    }

    var initial = {};
    FACETS.forEach(function (f) { initial[f] = startParams.getAll(PARAMS[f]); });
    if (startParams.get("q")) input.value = startParams.get("q");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run();
    });
    input.addEventListener("input", later);
    facetBox.addEventListener("change", function () { clearTimeout(timer); run(); });
    more.addEventListener("click", function () { showMore(generation); });
    if (pageMore) {
      pageMore.addEventListener("click", function () {
        var hidden = pageList.querySelectorAll("li[hidden]");
        Array.prototype.forEach.call(hidden, function (li) { li.hidden = false; });
        pageMore.hidden = true;
        var next = hidden.length ? hidden[0].querySelector("a") : null;
        if (next) next.focus();
      });
    }

    say("Caricamento dell'indice di ricerca…");
    var lunrReady = Promise.all([
      loadScript(assets + "lunr.js", true),
      loadScript(assets + "lunr.stemmer.support.js", true),
      loadScript(assets + "lunr.it.js", true),
    ]);
    var manifestReady = dataLoader(assets, String(Date.now()))("manifest");  // never cached
    Promise.all([lunrReady, manifestReady]).then(function (ready) {
      var manifest = ready[1];
      engine = new Engine(root.lunr, manifest, dataLoader(assets, manifest.build));
      buildFacets(initial);
      form.setAttribute("data-pronto", "");
      if (input.value.trim()) run(); else say("");
    }).catch(function () {
      say("Impossibile caricare l'indice di ricerca: ricostruire il sito con 'lgnet build'.");
    });
  }

  function start() {
    var form = document.getElementById("lgnet-cerca");
    if (form && script) setUp(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof window !== "undefined" ? window : globalThis);
