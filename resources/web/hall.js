/*
  The hall model of the web board: the same rules as app/client/hall.py (the Qt display, the kiosk and the
  counter use that one), in plain ES5 for old smart-TV browsers. display.html inlines this file when the
  service sends the page; tests/unit/test_client_hall_parity.py runs it in Node.js beside the Python model on
  the same event scripts and compares what both show. Change a rule in both files, never in one.

  MotcuaHall.create() → a model:
    applySnapshot(queue, authoritative) → true when applied (rule 1)
    applyEvent(message) → {fresh, resync, call} (rules 2–7)
    counters(), groups(), recentCalls, lastCall(), seq, day
  MotcuaHall.counterPhrase("Quầy 3") → "đến quầy 3"
*/
var MotcuaHall = (function () {
  "use strict";

  var CALL_KINDS = { "ticket.called": 1, "ticket.recalled": 1 };
  var TICKET_KINDS = { "ticket.issued": 1, "ticket.called": 1, "ticket.recalled": 1, "ticket.started": 1,
    "ticket.finished": 1, "ticket.no_show": 1, "ticket.transferred": 1, "ticket.cancelled": 1 };
  var COUNTER_KINDS = { "counter.paused": 1, "counter.opened": 1 };
  var RECENT_CALLS = 6;
  var NEXT_NUMBERS = 3;
  var STATE_RANK = { waiting: 0, called: 1, serving: 2, done: 3 };
  var IDLE_VALUE = "—";
  var PAUSED_VALUE = "Tạm nghỉ";

  function has(obj, key) { return obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key); }

  function isObject(value) { return value !== null && typeof value === "object" && !(value instanceof Array); }

  function asInt(value, fallback) {
    if (fallback === undefined) { fallback = 0; }
    if (typeof value === "boolean") { return value ? 1 : 0; }
    if (typeof value === "number" && isFinite(value)) { return value < 0 ? Math.ceil(value) : Math.floor(value); }
    if (typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value)) { return parseInt(value, 10); }
    return fallback;
  }

  function text(value, fallback) { return value === null || value === undefined ? fallback : String(value); }

  function copy(obj) {
    var out = {};
    for (var k in obj) { if (has(obj, k)) { out[k] = obj[k]; } }
    return out;
  }

  function progress(t) {
    return [asInt(t.transfers), has(STATE_RANK, String(t.state)) ? STATE_RANK[String(t.state)] : 0,
      asInt(t.call_count)];
  }

  function compareProgress(a, b) {
    for (var i = 0; i < 3; i++) { if (a[i] !== b[i]) { return a[i] < b[i] ? -1 : 1; } }
    return 0;
  }

  // About the order call-next takes a group's waiting tickets: priority first, then issue time.
  function waitingOrder(a, b) {
    var pa = a.priority === null || a.priority === undefined ? 1 : 0;
    var pb = b.priority === null || b.priority === undefined ? 1 : 0;
    if (pa !== pb) { return pa - pb; }
    var ia = text(a.issued_at, ""), ib = text(b.issued_at, "");
    if (ia !== ib) { return ia < ib ? -1 : 1; }
    return asInt(a.id) - asInt(b.id);
  }

  // The centre's local day (Asia/Ho_Chi_Minh, UTC+7 all year) of an ISO timestamp; "" when unreadable. Parsed
  // by hand: old TV browsers do not all read six-digit fractions or offsets.
  function localDay(at) {
    var m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.exec(text(at, ""));
    if (!m) { return ""; }
    var offset = 0;
    if (m[7] !== "Z") {
      var sign = m[7].charAt(0) === "-" ? -1 : 1, digits = m[7].replace(":", "");
      offset = sign * (parseInt(digits.substr(1, 2), 10) * 60 + parseInt(digits.substr(3, 2), 10));
    }
    var utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) - offset * 60000;
    var local = new Date(utc + 7 * 3600000);
    return local.getUTCFullYear() + "-" + pad2(local.getUTCMonth() + 1) + "-" + pad2(local.getUTCDate());
  }

  function pad2(n) { return n < 10 ? "0" + n : String(n); }

  // "Quầy 3" → "đến quầy 3"; "Quầy số 3" → "đến quầy 3"; "Tư pháp" → "đến quầy Tư pháp"
  function counterPhrase(name) {
    name = String(name).split(/\s+/).join(" ").replace(/^ | $/g, "");
    var rest = name.replace(/^qu[aầ]y\s*(?:số\s*)?/i, "");
    return "đến quầy " + (rest || name);
  }

  function create(recentMax) {
    var m = {
      seq: null, day: "", groupRows: [], counterRows: [], tickets: {}, seen: {}, recentCalls: [],
      recentMax: recentMax || RECENT_CALLS
    };

    m.loaded = function () { return m.seq !== null; };
    m.lastCall = function () { return m.recentCalls.length ? m.recentCalls[0] : null; };

    // Rule 1: a snapshot replaces everything; an older re-fetch is dropped, the socket's own one never is.
    m.applySnapshot = function (queue, authoritative) {
      var seq = asInt(queue.seq), i, t;
      if (m.seq !== null && seq < m.seq && !authoritative) { return false; }
      var reset = m.seq !== null && seq < m.seq;
      m.seq = seq;
      m.day = queue.day ? String(queue.day) : "";
      m.groupRows = [];
      var groups = queue.groups || [];
      for (i = 0; i < groups.length; i++) { if (isObject(groups[i])) { m.groupRows.push(copy(groups[i])); } }
      var tickets = {}, counters = queue.counters || [];
      m.counterRows = [];
      for (i = 0; i < counters.length; i++) {
        var c = counters[i];
        if (!isObject(c)) { continue; }
        var row = copy(c);
        delete row.current;
        m.counterRows.push(row);
        if (isObject(c.current)) { tickets[asInt(c.current.id)] = copy(c.current); }
      }
      var waiting = queue.waiting || [];
      for (i = 0; i < waiting.length; i++) {
        t = waiting[i];
        if (isObject(t)) { tickets[asInt(t.id)] = copy(t); }
      }
      m.tickets = tickets;
      m.seen = {};
      for (var id in tickets) { if (has(tickets, id)) { m.seen[id] = progress(tickets[id]); } }
      var kept = [];
      if (!reset) {
        for (i = 0; i < m.recentCalls.length; i++) { if (m.recentCalls[i].day === m.day) { kept.push(m.recentCalls[i]); } }
      }
      m.recentCalls = kept;
      return true;
    };

    m.applyEvent = function (event) {
      var seq = asInt(event.seq), kind = text(event.kind, "");
      var payload = isObject(event.payload) ? event.payload : {};
      var ticket = isObject(payload.ticket) ? payload.ticket : null;
      if (m.seq === null) { return { fresh: false, resync: true, call: noteCall(kind, payload, ticket, seq) }; }
      if (seq <= m.seq) { return { fresh: false, resync: false, call: noteCall(kind, payload, ticket, seq) }; }
      var resync = seq !== m.seq + 1;  // rule 3: a gap
      m.seq = seq;
      var day = localDay(event.at), ticketDay = ticket && ticket.day ? String(ticket.day) : "";
      if (ticketDay > day) { day = ticketDay; }
      if (kind === "day.closed" && payload.day && String(payload.day) > day) { day = String(payload.day); }
      if (day > m.day) { newDay(day); resync = true; }  // rule 6: the service rolled its day before this event
      if (has(TICKET_KINDS, kind) && ticket) {
        if ((ticketDay || m.day) === m.day) {
          var isNew = !has(m.seen, asInt(ticket.id));
          if (m.applyTicket(ticket) && kind === "ticket.issued" && isNew) { countIssued(text(ticket.group, "")); }
          var counter = has(payload, "counter") ? payload.counter : ticket.counter;
          if (kind === "ticket.called" && counter !== null && counter !== undefined) {
            m.setStatus(asInt(counter), "open", null);  // a call opens the counter
          }
        }
      } else if (has(COUNTER_KINDS, kind) && payload.counter !== null && payload.counter !== undefined) {
        m.setStatus(asInt(payload.counter), text(payload.status, ""), has(payload, "reason") ? payload.reason : null);
      } else if (kind === "day.closed") {
        var removed = payload.removed || [];
        for (var i = 0; i < removed.length; i++) { forget(asInt(removed[i])); }
        resync = true;
      } else if (kind === "centre.changed") {
        resync = true;  // rule 8: the director changed the settings
      }
      return { fresh: true, resync: resync, call: noteCall(kind, payload, ticket, seq) };
    };

    // Rule 4: a ticket never goes back; done tickets leave the hall.
    m.applyTicket = function (ticket) {
      var id = asInt(ticket.id), next = progress(ticket);
      if (has(m.seen, id) && compareProgress(next, m.seen[id]) < 0) { return false; }
      m.seen[id] = next;
      if (ticket.state === "done") { forget(id); } else { m.tickets[id] = copy(ticket); }
      return true;
    };

    m.setStatus = function (counterId, status, reason) {
      var row = m.counterRow(counterId);
      if (row) { row.status = status; row.reason = reason; }
    };

    // Rules 2 and 7: a call of the model's day, kept once if newer than the last one; brought out unless its
    // ticket has moved on since.
    function noteCall(kind, payload, ticket, seq) {
      if (!has(CALL_KINDS, kind) || !ticket || !ticket.number) { return null; }
      var day = ticket.day ? String(ticket.day) : "";
      if (m.seq !== null && day !== m.day) { return null; }
      if (m.recentCalls.length && seq <= m.recentCalls[0].seq) { return null; }
      var counterId = asInt(payload.counter || ticket.counter);
      var call = { number: String(ticket.number), counter_id: counterId, counter_name: m.counterName(counterId),
        recall: kind === "ticket.recalled", day: day, seq: seq, ticket_id: asInt(ticket.id) };
      m.recentCalls = [call].concat(m.recentCalls).slice(0, m.recentMax);
      var id = asInt(ticket.id);  // kept as the last call, but not said again if the citizen has moved on since
      if (has(m.seen, id) && compareProgress(m.seen[id], progress(ticket)) > 0) { return null; }
      return call;
    }

    // Rule 6: a new day drops older tickets and calls and closes every counter.
    function newDay(day) {
      m.day = day;
      for (var id in m.tickets) {
        if (has(m.tickets, id) && (m.tickets[id].day ? String(m.tickets[id].day) : day) < day) { forget(id); }
      }
      for (var i = 0; i < m.counterRows.length; i++) { m.counterRows[i].status = "closed"; m.counterRows[i].reason = null; }
      for (i = 0; i < m.groupRows.length; i++) { m.groupRows[i].issued_today = 0; }
      var kept = [];
      for (i = 0; i < m.recentCalls.length; i++) { if (m.recentCalls[i].day === day) { kept.push(m.recentCalls[i]); } }
      m.recentCalls = kept;
    }

    function forget(id) { delete m.tickets[id]; }

    function countIssued(code) {
      var g = m.group(code);
      if (g) { g.issued_today = asInt(g.issued_today) + 1; }
    }

    m.group = function (code) {
      for (var i = 0; i < m.groupRows.length; i++) { if (m.groupRows[i].code === code) { return m.groupRows[i]; } }
      return null;
    };

    m.counterRow = function (id) {
      for (var i = 0; i < m.counterRows.length; i++) { if (m.counterRows[i].id === id) { return m.counterRows[i]; } }
      return null;
    };

    m.counterName = function (id) {
      var row = m.counterRow(id);
      return row && row.name ? String(row.name) : "Quầy " + id;
    };

    // Rule 5: a counter's ticket is its newest called or serving one.
    m.current = function (counterId) {
      var best = null;
      for (var id in m.tickets) {
        var t = m.tickets[id];
        if (has(m.tickets, id) && t.counter === counterId && t.state !== "waiting" &&
            (best === null || asInt(t.id) > asInt(best.id))) { best = t; }
      }
      return best;
    };

    m.waitingTickets = function () {
      var list = [];
      for (var id in m.tickets) { if (has(m.tickets, id) && m.tickets[id].state === "waiting") { list.push(m.tickets[id]); } }
      return list.sort(waitingOrder);
    };

    m.counters = function () {
      var views = [];
      for (var i = 0; i < m.counterRows.length; i++) {
        var row = m.counterRows[i], id = asInt(row.id), current = m.current(id), status;
        if (row.status === "paused") {
          status = "paused";
        } else if (current) {
          status = current.state === "called" ? "called" : "serving";
        } else {
          status = row.status === "open" ? "free" : "closed";
        }
        var served = row.groups || {}, groups = [];
        for (var code in served) { if (has(served, code)) { groups.push(code); } }
        groups.sort(function (a, b) {
          var la = asInt(served[a], 1), lb = asInt(served[b], 1);
          if (la !== lb) { return la - lb; }
          return a < b ? -1 : (a > b ? 1 : 0);
        });
        var number = current && status !== "paused" ? String(current.number) : null;
        views.push({ id: id, name: text(row.name, ""), status: status, number: number, groups: groups,
          reason: status === "paused" && row.reason ? String(row.reason) : null,
          value: status === "paused" ? PAUSED_VALUE : (number === null ? IDLE_VALUE : number) });
      }
      return views;
    };

    m.groups = function () {
      var byGroup = {}, waiting = m.waitingTickets(), i, j;
      for (i = 0; i < waiting.length; i++) {
        var code = text(waiting[i].group, "");
        if (!has(byGroup, code)) { byGroup[code] = []; }
        byGroup[code].push(waiting[i]);
      }
      var views = [];
      for (i = 0; i < m.groupRows.length; i++) {
        var g = m.groupRows[i], gcode = text(g.code, ""), list = has(byGroup, gcode) ? byGroup[gcode] : [];
        var next = [], counters = [];
        for (j = 0; j < list.length && j < NEXT_NUMBERS; j++) { next.push(String(list[j].number)); }
        for (j = 0; j < m.counterRows.length; j++) {
          if (has(m.counterRows[j].groups, gcode)) { counters.push(asInt(m.counterRows[j].id)); }
        }
        var estimate = g.estimated_wait_s;
        views.push({ code: gcode, name: text(g.name, ""), prefix: text(g.prefix, ""), waiting: list.length,
          next_numbers: next, open: g.open !== false, counters: counters, closed_message: g.closed_message || null,
          reopens_at: g.reopens_at || null, issued_today: asInt(g.issued_today),
          estimated_wait_s: estimate === null || estimate === undefined ? null : asInt(estimate) });
      }
      return views;
    };

    return m;
  }

  return { create: create, counterPhrase: counterPhrase, IDLE_VALUE: IDLE_VALUE, PAUSED_VALUE: PAUSED_VALUE };
}());
