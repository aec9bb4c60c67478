// The documented JavaScript client of the endpoints, grown into a page: the session id kept in localStorage, POST /agent/query read as a
// stream of "data: {...}" events, GET /agent/history for the turns and DELETE /agent/history to clear them.
"use strict";

const $ = (id) => document.getElementById(id);
let sessionId = null;

function headers(extra = {}) {
  const key = localStorage.getItem("apiKey");
  return key ? { ...extra, "X-API-Key": key } : extra;
}

async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || response.statusText;
  } catch {
    return response.status + " " + response.statusText;
  }
}

// Create or load session, replacing a stored id the server no longer knows.
async function ensureSession() {
  sessionId = localStorage.getItem("sessionId");
  if (sessionId) {
    const check = await fetch(`/agent/history?session_id=${encodeURIComponent(sessionId)}`, { headers: headers(), credentials: "include" });
    if (check.ok) {
      $("session-id").textContent = sessionId;
      renderHistory(await check.json());
      return;
    }
  }
  const response = await fetch("/agent/session", { method: "POST", headers: headers(), credentials: "include" });
  if (!response.ok) {
    throw new Error(await problemText(response));
  }
  sessionId = (await response.json()).session_id;
  localStorage.setItem("sessionId", sessionId);
  $("session-id").textContent = sessionId;
  renderHistory({ turns: 0, messages: [] });
}

function addBubble(kind, text) {
  $("no-messages")?.remove();
  const bubble = document.createElement("div");
  bubble.className = "bubble " + kind;
  bubble.textContent = text;
  $("messages").appendChild(bubble);
  $("messages").scrollTop = $("messages").scrollHeight;
  return bubble;
}

// Query with context persistence: the answer streams into the page token by token.
async function askAgent(question) {
  addBubble("user", question);
  const bubble = addBubble("agent streaming", "");
  const response = await fetch("/agent/query", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ query: question, session_id: sessionId }),
    credentials: "include",
  });
  if (!response.ok) {
    bubble.className = "bubble agent error";
    bubble.textContent = await problemText(response);
    return;
  }

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
      if (!data) continue;
      const event = JSON.parse(data);
      if (event.type === "token") {
        bubble.textContent += event.content;
      } else if (event.type === "answer") {
        bubble.textContent = event.content;
        bubble.dataset.messageId = event.message_id;
      } else if (event.type === "error") {
        bubble.classList.add("error");
        bubble.textContent = event.content;
      }
      $("messages").scrollTop = $("messages").scrollHeight;
    }
  }
  bubble.classList.remove("streaming");
}

// View full conversation: each turn with its summary.
async function showHistory() {
  const response = await fetch(`/agent/history?session_id=${encodeURIComponent(sessionId)}`, { headers: headers(), credentials: "include" });
  if (!response.ok) {
    throw new Error("Could not read the history: " + await problemText(response));
  }
  renderHistory(await response.json());
}

function renderHistory(hist) {
  $("history-count").textContent = `${hist.turns} turn${hist.turns === 1 ? "" : "s"} in conversation`;
  const list = $("history");
  list.replaceChildren();
  for (const msg of hist.messages) {
    const item = document.createElement("li");
    item.className = "turn";
    item.dataset.id = msg.id;
    const q = document.createElement("div");
    q.className = "q";
    q.textContent = `${msg.id}. ${msg.query}`;
    const summary = document.createElement("div");
    summary.className = "summary";
    summary.textContent = msg.summary;
    item.append(q, summary);
    list.appendChild(item);
  }
}

// Clear session, then start a new one.
async function clearSession() {
  const response = await fetch(`/agent/history?session_id=${encodeURIComponent(sessionId)}`, { method: "DELETE", headers: headers(), credentials: "include" });
  // 404: the session is already gone. Any other failure leaves it, and the page, as they were.
  if (!response.ok && response.status !== 404) {
    throw new Error("Could not clear the history: " + await problemText(response));
  }
  localStorage.removeItem("sessionId");
  $("messages").replaceChildren();
  const empty = document.createElement("p");
  empty.className = "empty";
  empty.id = "no-messages";
  empty.textContent = "History cleared. Ask a new question.";
  $("messages").appendChild(empty);
  await ensureSession();
}

$("ask").addEventListener("submit", async (e) => {
  e.preventDefault();
  const question = $("query").value.trim();
  if (!question) return;
  $("query").value = "";
  $("send").disabled = true;
  try {
    await askAgent(question);
    await showHistory();
  } catch (error) {
    addBubble("agent error", String(error.message || error));
  } finally {
    $("send").disabled = false;
    $("query").focus();
  }
});

$("clear").addEventListener("click", async () => {
  $("clear").disabled = true;
  try {
    await clearSession();
  } catch (error) {
    addBubble("agent error", String(error.message || error));
  } finally {
    $("clear").disabled = false;
  }
});

$("api-key").value = localStorage.getItem("apiKey") || "";
$("api-key").addEventListener("change", async () => {
  const key = $("api-key").value.trim();
  if (key) localStorage.setItem("apiKey", key); else localStorage.removeItem("apiKey");
  await ensureSession();
});

document.body.dataset.ready = "false";
ensureSession()
  .then(() => { document.body.dataset.ready = "true"; })
  .catch((error) => { addBubble("agent error", "Could not start a session: " + error.message); });
