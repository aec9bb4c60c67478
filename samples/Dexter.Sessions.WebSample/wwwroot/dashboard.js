// The session dashboard: GET /agent/stats after every change of the history, shown as figures and an SVG chart of the
// response time of each turn; and GET /agent/context, which explains what the model would receive for a question. Plain DOM and SVG, no inline script or style, so it runs under the page's strict CSP.
"use strict";

(() => {
  const byId = (id) => document.getElementById(id);
  const svgNs = "http://www.w3.org/2000/svg";
  const width = 320, height = 120, pad = 4;

  function requestHeaders() {
    const key = localStorage.getItem("apiKey");
    return key ? { "X-API-Key": key } : {};
  }

  function ms(value) {
    return value === null || value === undefined ? "–" : `${Math.round(value)} ms`;
  }

  function svg(name, attributes) {
    const element = document.createElementNS(svgNs, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    return element;
  }

  function drawChart(points) {
    const chart = byId("response-chart");
    chart.replaceChildren();
    const measured = points.filter((p) => typeof p.response_time_ms === "number");
    if (measured.length === 0) {
      chart.setAttribute("aria-label", "No response times yet");
      return;
    }
    const max = Math.max(...measured.map((p) => p.response_time_ms), 1);
    const slot = (width - pad * 2) / points.length;
    points.forEach((point, i) => {
      if (typeof point.response_time_ms !== "number") return;
      const h = Math.max(1, (point.response_time_ms / max) * (height - pad * 2));
      const bar = svg("rect", {
        class: "bar", x: pad + i * slot + slot * 0.15, y: height - pad - h, width: slot * 0.7, height: h,
        "data-turn": point.id, "data-ms": Math.round(point.response_time_ms),
      });
      const title = svg("title", {});
      title.textContent = `Turn ${point.id}: ${ms(point.response_time_ms)}`;
      bar.appendChild(title);
      chart.appendChild(bar);
    });
    chart.setAttribute("aria-label", `Response time of ${measured.length} turn${measured.length === 1 ? "" : "s"}, longest ${ms(max)}`);
  }

  async function refresh() {
    const sessionId = localStorage.getItem("sessionId");
    if (!sessionId) return;
    const response = await fetch(`/agent/stats?session_id=${encodeURIComponent(sessionId)}`, { headers: requestHeaders(), credentials: "include" });
    if (!response.ok) {
      byId("stats-status").textContent = response.status === 404 ? "No statistics yet." : `Statistics unavailable (${response.status}).`;
      return;
    }
    const stats = await response.json();
    byId("stats-status").textContent = "";
    byId("stat-turns").textContent = String(stats.turns);
    byId("stat-tokens").textContent = `${stats.input_tokens} in / ${stats.output_tokens} out`;
    byId("stat-p50").textContent = ms(stats.response_time_p50_ms);
    byId("stat-p95").textContent = ms(stats.response_time_p95_ms);
    byId("stat-max").textContent = ms(stats.response_time_max_ms);
    byId("stat-fallbacks").textContent = `${stats.summarizer_fallbacks} summary / ${stats.selector_fallbacks} selection`;
    drawChart(stats.per_turn);
    document.body.dataset.statsTurns = String(stats.turns);
  }

  function part(value) {
    return typeof value === "number" ? value.toFixed(2) : "–";
  }

  // GET /agent/context: the context the model would receive before a question (nothing is recorded), each past turn with its
  // tokens and the parts of its score. Text goes in with textContent only: turns are the users' words, never HTML.
  async function explain(query) {
    const sessionId = localStorage.getItem("sessionId");
    if (!sessionId) return;
    const list = byId("explain-turns");
    const response = await fetch(
      `/agent/context?session_id=${encodeURIComponent(sessionId)}&query=${encodeURIComponent(query)}`,
      { headers: requestHeaders(), credentials: "include" });
    if (!response.ok) {
      list.replaceChildren();
      byId("explain-summary").textContent = response.status === 404 ? "Ask a question first: the session has no turns yet." : `Explanation unavailable (${response.status}).`;
      return;
    }
    const context = await response.json();
    const summary = context.rolling_summary_through_turn_id ? `, the summary of turns 1–${context.rolling_summary_through_turn_id}` : "";
    byId("explain-summary").textContent =
      `${context.token_count} of ${context.max_tokens} tokens: ${context.turns.length} of ${context.considered_turns} turns${summary} (${context.selector}).`;
    list.replaceChildren(...context.turns.map((turn) => {
      const item = document.createElement("li");
      item.className = "explained";
      item.dataset.turn = String(turn.id);
      item.dataset.tokens = String(turn.tokens);
      item.textContent = `Turn ${turn.id} · rank ${turn.rank} · ${turn.tokens} tokens` +
        (turn.pinned ? " · latest" : ` · lexical ${part(turn.lexical)} · vector ${part(turn.vector)} · recency ${part(turn.recency)}`) +
        (turn.cut ? " · cut to fit" : "");
      return item;
    }));
    document.body.dataset.explainedTurns = String(context.turns.length);
  }

  byId("explain").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = byId("explain-query").value.trim();
    if (query) explain(query).catch(() => { byId("explain-summary").textContent = "Explanation unavailable: the server did not answer."; });
  });

  const chart = byId("response-chart");
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  // The chat script re-renders the history after every answer and every clear: the figures follow it.
  new MutationObserver(() => { refresh().catch(() => {}); }).observe(byId("history"), { childList: true });
  byId("stats-refresh").addEventListener("click", () => { refresh().catch(() => {}); });
})();
