// The chat page over the session endpoints under /agent: POST /session starts a conversation, POST /query streams the
// answer as "data: {...}" events, GET /history (paged) rebuilds the conversation on load, DELETE /history clears it.
// Answers are Markdown, rendered by marked and sanitised by DOMPurify before they reach the page; everything else the
// users wrote goes in with textContent. Recent conversations are kept in localStorage, or listed by GET /sessions
// (a page at a time, "Show more conversations" for the next) where the server offers it. Regenerate rewinds the last
// turn (POST /session/rewind) and asks its question again; editing an earlier question forks the conversation before it
// (POST /session/fork) and asks the edited question in the new branch, which links back to the original.
"use strict";

const API = "/agent";
const HISTORY_PAGE = 50;
const LIST_PAGE = 20;
const LIST_MAX = 100;   // the largest page GET /sessions gives
const $ = (id) => document.getElementById(id);

const state = {
  sessionId: null,
  controller: null,     // the AbortController of the answer being streamed
  retry: null,          // what the alert's Retry button does
  serverList: null,     // GET /sessions: true when it answered 200, false when the server has no such endpoint (404)
  listCursor: null,     // GET /sessions: the next page's cursor, null when every conversation is shown
  listShown: 0,         // GET /sessions: how many conversations are shown, so a reload of the list shows as many
  conversations: new Map(),  // the conversations in the sidebar by id: title, and the fork's origin for a branch
};

// ---------------------------------------------------------------------------------------------------------------------
// Requests, and their failures written for people

/** A request that failed, with a message a person can act on; status is the HTTP status, 0 when the server was not reached. */
class ChatError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

function headers(extra = {}) {
  const key = localStorage.getItem("apiKey");
  return key ? { ...extra, "X-API-Key": key } : extra;
}

function retryAfterSeconds(response, fallback) {
  const value = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function problemDetail(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || "";
  } catch {
    return "";
  }
}

/** The message for a response that is not a success; 404 is left to the caller (its meaning depends on the request). */
async function failure(response, action) {
  switch (response.status) {
    case 401:
    case 403:
      $("api-key-box").open = true;
      return localStorage.getItem("apiKey")
        ? "Your API key was refused. Check the key under “API key” and try again."
        : "This server needs an API key. Enter it under “API key” and try again.";
    case 404:
      return "That conversation no longer exists on the server.";
    case 429:
      return `Too many requests, try again in ${retryAfterSeconds(response, 60)} s.`;
    case 503:
      return `The service is unavailable right now; try again in ${retryAfterSeconds(response, 5)} s.`;
    case 400:
    case 413: {
      const detail = await problemDetail(response);
      return `The server did not accept this request${detail ? ": " + detail : "."}`;
    }
    default:
      return `${action} failed (the server answered ${response.status}). Try again in a moment.`;
  }
}

/** fetch with the API key, the cookie and readable failures; returns the response when it is a success. */
async function call(method, path, { json, signal, action = "The request" } = {}) {
  let response;
  try {
    response = await fetch(API + path, {
      method,
      headers: headers(json === undefined ? {} : { "Content-Type": "application/json" }),
      body: json === undefined ? undefined : JSON.stringify(json),
      credentials: "include",
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ChatError("Could not reach the server. Check your connection, then try again.");
  }
  if (!response.ok) {
    throw new ChatError(await failure(response, action), response.status);
  }
  return response;
}

const sessionQuery = (id, extra = "") => `?session_id=${encodeURIComponent(id)}${extra}`;

// ---------------------------------------------------------------------------------------------------------------------
// The alert: one place for what went wrong (role="alert"), with Retry where trying again makes sense

function showAlert(message, { retry = null, notice = false, retryLabel = "Retry" } = {}) {
  const box = $("alert");
  box.classList.toggle("notice", notice);
  $("alert-text").textContent = message;
  state.retry = retry;
  $("retry").hidden = retry === null;
  $("retry").textContent = retryLabel;
  box.hidden = false;
}

function clearAlert() {
  $("alert").hidden = true;
  $("alert-text").textContent = "";
  state.retry = null;
}

// ---------------------------------------------------------------------------------------------------------------------
// The conversation pane

const rawAnswers = new WeakMap();

function formatTime(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString([], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

// Every link opens in a new tab without giving it this page.
if (window.DOMPurify) {
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
}

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// Raw HTML in an answer is shown as text, as a chat shows what the model wrote; what Markdown itself produces (links
// included) passes through DOMPurify before it reaches the page.
const markdown = window.marked
  ? new marked.Marked({ gfm: true, breaks: true, async: false, renderer: { html: ({ text }) => escapeHtml(text) } })
  : null;

/** Markdown to sanitised HTML; without the libraries, the plain text. */
function renderAnswer(bubble, text) {
  rawAnswers.set(bubble, text);
  if (markdown && window.DOMPurify) {
    bubble.innerHTML = DOMPurify.sanitize(markdown.parse(text));
  } else {
    bubble.textContent = text;
  }
}

function scrollToEnd() {
  $("messages").scrollTop = $("messages").scrollHeight;
}

function showEmpty(text) {
  const empty = document.createElement("p");
  empty.className = "empty";
  empty.id = "no-messages";
  empty.textContent = text;
  $("messages").replaceChildren(empty);
}

async function copyAnswer(bubble, button) {
  const text = rawAnswers.get(bubble) ?? bubble.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API (an insecure origin): copy through a selection instead.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
}

/** Adds a message: a bubble and a line of meta (time, state, copy). Returns the message element; its bubble is .bubble. */
function createMessage(kind, text, time, { streaming = false, messageId = null } = {}) {
  const message = document.createElement("div");
  message.className = "message " + kind;
  const bubble = document.createElement("div");
  bubble.className = "bubble " + kind + (streaming ? " streaming" : "");
  if (kind === "agent") renderAnswer(bubble, text); else bubble.textContent = text;
  const meta = document.createElement("div");
  meta.className = "meta";
  message.append(bubble, meta);
  if (!streaming) finishMessage(message, time, { messageId });
  return message;
}

function finishMessage(message, time, { messageId = null, label = null } = {}) {
  const bubble = message.querySelector(".bubble");
  bubble.classList.remove("streaming");
  if (messageId !== null && messageId !== undefined) message.dataset.messageId = String(messageId);
  const meta = message.querySelector(".meta");
  meta.replaceChildren();
  if (time) {
    const stamp = document.createElement("time");
    const date = time instanceof Date ? time : new Date(time);
    stamp.dateTime = date.toISOString();
    stamp.textContent = formatTime(date);
    meta.appendChild(stamp);
  }
  if (label) {
    const status = document.createElement("span");
    status.className = "state";
    status.textContent = label;
    meta.appendChild(status);
  }
  if (message.classList.contains("user") && message.dataset.messageId) {
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "edit";
    edit.textContent = "Edit";
    edit.setAttribute("aria-label", "Edit this question (asks it again in a new branch; this conversation stays as it is)");
    edit.disabled = state.controller !== null;
    edit.addEventListener("click", () => startEdit(message));
    meta.appendChild(edit);
  }
  if (message.classList.contains("agent")) {
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "copy";
    copy.textContent = "Copy";
    copy.setAttribute("aria-label", "Copy this answer");
    copy.addEventListener("click", () => { copyAnswer(bubble, copy).catch(() => showAlert("Could not copy the answer.")); });
    meta.appendChild(copy);
  }
}

function appendMessage(message) {
  $("no-messages")?.remove();
  $("messages").appendChild(message);
  scrollToEnd();
  return message;
}

function turnMessages(turns) {
  return turns.flatMap((turn) => {
    const answer = createMessage("agent", turn.answer, turn.created_at, { messageId: turn.id });
    if (turn.interrupted) {
      // A stopped answer the server recorded: shown as it was left.
      answer.querySelector(".bubble").classList.add("stopped");
      finishMessage(answer, turn.created_at, { messageId: turn.id, label: "stopped" });
    }
    return [createMessage("user", turn.query, turn.created_at, { messageId: turn.id }), answer];
  });
}

/** "Show earlier messages": the page of turns before the oldest one shown. */
function olderButton(before) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "ghost older";
  button.textContent = "Show earlier messages";
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await call("GET", "/history" + sessionQuery(state.sessionId, `&limit=${HISTORY_PAGE}&before=${before}`), { action: "Loading earlier messages" });
      const page = await response.json();
      const added = turnMessages(page.messages);
      if (page.next_before) added.unshift(olderButton(page.next_before));
      button.replaceWith(...added);
    } catch (error) {
      button.disabled = false;
      showAlert(error.message);
    }
  });
  return button;
}

/** Rebuilds the pane from a page of GET /history (the latest turns, oldest first). */
function renderConversation(page) {
  if (page.messages.length === 0) {
    showEmpty("Ask a question: the agent remembers the conversation.");
    return;
  }
  const children = turnMessages(page.messages);
  if (page.next_before) children.unshift(olderButton(page.next_before));
  $("messages").replaceChildren(...children);
  updateRegenerate();
  scrollToEnd();
}

// ---------------------------------------------------------------------------------------------------------------------
// Regenerate the last answer; edit an earlier question in a new branch

/** The message of the same turn's question or answer: `kind` "user" or "agent". */
function turnMessage(kind, turnId) {
  return $("messages").querySelector(`.message.${kind}[data-message-id="${turnId}"]`);
}

/** Puts "Regenerate" on the last answer, when it is a recorded turn (it has an id), and nowhere else. */
function updateRegenerate() {
  for (const button of $("messages").querySelectorAll(".regenerate")) button.remove();
  const last = $("messages").lastElementChild;
  if (!last?.classList.contains("agent") || !last.dataset.messageId || last.querySelector(".streaming")) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "regenerate";
  button.textContent = "Regenerate";
  button.setAttribute("aria-label", "Regenerate this answer (replaces it)");
  button.disabled = state.controller !== null;
  button.addEventListener("click", () => { regenerate(Number(last.dataset.messageId), button).catch((e) => showAlert(e.message || String(e))); });
  last.querySelector(".meta").appendChild(button);
}

/**
 * Regenerates the last answer: POST /session/rewind removes turn `turnId` if it is still the last one (409 otherwise,
 * nothing removed), then its question is asked again and the new answer takes the old one's place.
 */
async function regenerate(turnId, button) {
  if (state.controller) return;
  const question = turnMessage("user", turnId)?.querySelector(".bubble").textContent;
  if (question === undefined) return;
  clearAlert();
  button.disabled = true;
  try {
    await call("POST", "/session/rewind", {
      json: { session_id: state.sessionId, through_turn_id: turnId - 1, expected_last_turn_id: turnId },
      action: "Regenerating the answer",
    });
  } catch (error) {
    button.disabled = false;
    if (error.status === 409) {
      showAlert("This conversation changed since the page loaded it (someone else added a turn, in another tab or on another device), " +
        "so nothing was regenerated. Reload the conversation to see its latest turns.", { retry: reloadConversation, retryLabel: "Reload" });
    } else {
      showAlert(error.message, { retry: () => regenerate(turnId, button) });
    }
    return;
  }
  turnMessage("user", turnId)?.remove();
  turnMessage("agent", turnId)?.remove();
  await ask(question);
}

/** Reads the current conversation again from the server: the pane, the side panel and the sidebar. */
function reloadConversation() {
  clearAlert();
  openConversation(state.sessionId)
    .then(loadConversations)
    .catch((error) => showAlert(error.message, { retry: reloadConversation, retryLabel: "Reload" }));
}

/** Turns a question's bubble into a box to edit it, with Save (ask it in a new branch) and Cancel. */
function startEdit(message) {
  if (state.controller || message.classList.contains("editing")) return;
  const bubble = message.querySelector(".bubble");
  const meta = message.querySelector(".meta");
  const turnId = Number(message.dataset.messageId);
  const form = document.createElement("form");
  form.className = "edit-box";
  form.setAttribute("aria-label", "Edit the question");
  const area = document.createElement("textarea");
  area.value = bubble.textContent;
  area.rows = Math.min(8, Math.max(2, area.value.split("\n").length));
  area.setAttribute("aria-label", "Edited question");
  area.required = true;
  const actions = document.createElement("div");
  actions.className = "edit-actions";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "ghost";
  cancel.textContent = "Cancel";
  cancel.setAttribute("aria-label", "Cancel the edit");
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = "Save";
  save.setAttribute("aria-label", "Save and ask the edited question in a new branch");
  actions.append(cancel, save);
  form.append(area, actions);

  const close = () => {
    form.remove();
    bubble.hidden = false;
    meta.hidden = false;
    message.classList.remove("editing");
    meta.querySelector(".edit")?.focus();
  };
  cancel.addEventListener("click", close);
  area.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = area.value.trim();
    if (!question || state.controller) return;
    save.disabled = true;
    cancel.disabled = true;
    try {
      await editQuestion(turnId, question);
    } catch (error) {
      // Nothing was branched: the edit stays open with its text.
      save.disabled = false;
      cancel.disabled = false;
      showAlert(error.message, { retry: () => form.requestSubmit() });
    }
  });

  message.classList.add("editing");
  bubble.hidden = true;
  meta.hidden = true;
  message.insertBefore(form, bubble);
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);
}

/**
 * Edits the question of turn `turnId`: POST /session/fork copies the turns before it into a new conversation (the
 * original stays as it was), which opens, and the edited question is asked there.
 */
async function editQuestion(turnId, question) {
  clearAlert();
  const from = state.sessionId;
  const response = await call("POST", "/session/fork", {
    json: { session_id: from, through_turn_id: turnId - 1 }, action: "Branching the conversation",
  });
  const fork = await response.json();
  const origin = knownConversation(from);
  recent.upsert(fork.session_id, {
    // In this browser's list, a branch before the first question is named after its own first question.
    title: turnId === 1 ? question.slice(0, 60) : origin?.title || "",
    forkedFromSessionId: fork.forked_from_session_id ?? from,
    forkedFromTurnId: fork.forked_from_turn_id ?? turnId - 1,
  });
  await openConversation(fork.session_id);
  await loadConversations();
  await ask(question);
}

/** What the page knows of a conversation: the server's list, else this browser's. */
function knownConversation(sessionId) {
  return state.conversations.get(sessionId) ?? recent.load().find((c) => c.sessionId === sessionId) ?? null;
}

/** Above a branch: "Branched from “original”", a button that opens the original. Hidden for any other conversation. */
function renderBranchNotice() {
  const current = knownConversation(state.sessionId);
  const originId = current?.forkedFromSessionId;
  const notice = $("branch-notice");
  if (!originId) {
    notice.hidden = true;
    delete notice.dataset.origin;
    return;
  }
  const title = knownConversation(originId)?.title || "the original conversation";
  const link = $("branch-origin");
  link.textContent = title;
  link.setAttribute("aria-label", `Branched from ${title}: open the original conversation`);
  notice.dataset.origin = originId;
  notice.hidden = false;
}

// The side panel: each turn with its summary.
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

async function readHistory(sessionId) {
  const response = await call("GET", "/history" + sessionQuery(sessionId, `&limit=${HISTORY_PAGE}`), { action: "Reading the history" });
  return response.json();
}

async function showHistory() {
  try {
    renderHistory(await readHistory(state.sessionId));
  } catch (error) {
    throw new ChatError("Could not read the history: " + error.message, error.status);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Conversations: the current one, new ones, the list in the sidebar

const recent = {
  load() {
    try {
      const list = JSON.parse(localStorage.getItem("recentSessions") || "[]");
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  },
  save(list) {
    localStorage.setItem("recentSessions", JSON.stringify(list.slice(0, 50)));
  },
  upsert(sessionId, changes) {
    const list = recent.load();
    const index = list.findIndex((c) => c.sessionId === sessionId);
    const now = new Date().toISOString();
    const item = index >= 0 ? { ...list[index], ...changes } : { sessionId, title: "", createdAt: now, lastActivityAt: now, ...changes };
    if (index >= 0) list.splice(index, 1);
    list.unshift(item);
    recent.save(list);
  },
  remove(sessionId) {
    recent.save(recent.load().filter((c) => c.sessionId !== sessionId));
  },
};

function setCurrent(sessionId) {
  state.sessionId = sessionId;
  localStorage.setItem("sessionId", sessionId);
  $("session-id").textContent = sessionId;
  for (const button of document.querySelectorAll("#conversations .conversation")) {
    button.setAttribute("aria-current", String(button.dataset.sessionId === sessionId));
  }
}

/** Opens a conversation: its latest turns in the pane and in the side panel. Throws ChatError (404 when it is gone). */
async function openConversation(sessionId) {
  const page = await readHistory(sessionId);
  setCurrent(sessionId);
  renderBranchNotice();
  renderConversation(page);
  renderHistory(page);
  if (!recent.load().some((c) => c.sessionId === sessionId)) {
    recent.upsert(sessionId, { title: page.messages[0]?.query.slice(0, 60) ?? "" });
  }
}

/** A new conversation (POST /session); the current one stays in the list. */
async function newConversation() {
  const response = await call("POST", "/session", { action: "Starting a conversation" });
  const sessionId = (await response.json()).session_id;
  recent.upsert(sessionId, {});
  setCurrent(sessionId);
  renderBranchNotice();
  showEmpty("Ask a question: the agent remembers the conversation.");
  renderHistory({ turns: 0, messages: [] });
  await loadConversations();
}

/** One conversation of GET /sessions, with the field names in either casing (session_id or sessionId, …). */
function listedConversation(item) {
  const sessionId = item.sessionId ?? item.session_id;
  const local = recent.load().find((c) => c.sessionId === sessionId);
  return {
    sessionId,
    title: item.title ?? "",
    turnCount: item.turnCount ?? item.turn_count,
    lastActivityAt: item.lastActivityAt ?? item.last_activity_at,
    forkedFromSessionId: item.forkedFromSessionId ?? item.forked_from_session_id ?? local?.forkedFromSessionId ?? null,
    forkedFromTurnId: item.forkedFromTurnId ?? item.forked_from_turn_id ?? local?.forkedFromTurnId ?? null,
  };
}

/** A page of GET /sessions: {items, nextCursor}; null when the server lists no sessions for this caller (404, 403, 501). */
async function fetchConversations(limit, cursor) {
  const query = `?limit=${limit}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
  const response = await fetch(API + "/sessions" + query, { headers: headers(), credentials: "include" });
  if (response.status === 404 || response.status === 501) state.serverList = false;
  if (!response.ok) {
    if (response.status === 429 || (response.status >= 500 && response.status !== 501)) throw new ChatError(await failure(response, "Listing the conversations"), response.status);
    return null;
  }
  const page = await response.json();
  state.serverList = true;
  return { items: (page.items ?? []).map(listedConversation), nextCursor: page.next_cursor ?? page.nextCursor ?? null };
}

/**
 * The sidebar list: GET /sessions where the server offers it, as many as were shown (the first page at least), else the
 * conversations this browser started or opened (localStorage).
 */
async function loadConversations() {
  let items = null;
  // As many as were shown; when that was all of them, room for the ones started since.
  const wanted = state.listCursor === null && state.listShown > 0 ? state.listShown + LIST_PAGE : state.listShown;
  state.listCursor = null;
  if (state.serverList !== false) {
    try {
      const page = await fetchConversations(Math.min(LIST_MAX, Math.max(LIST_PAGE, wanted)), null);
      if (page) {
        items = page.items;
        state.listCursor = page.nextCursor;
      }
    } catch {
      // Not reachable now: the local list below, and the server's list is asked for again next time.
    }
  }
  state.listShown = items === null ? 0 : items.length;
  if (items === null) items = recent.load();
  if (state.sessionId && !items.some((c) => c.sessionId === state.sessionId)) {
    items = [knownConversation(state.sessionId) ?? { sessionId: state.sessionId, title: "" }, ...items];
  }
  renderConversations(items);
}

/** "Show more conversations": the next page of GET /sessions, added below the ones shown. */
async function showMoreConversations() {
  const button = $("more-conversations");
  if (!state.listCursor) return;
  button.disabled = true;
  try {
    const page = await fetchConversations(LIST_PAGE, state.listCursor);
    if (page === null) throw new ChatError("The server did not list more conversations. Try again in a moment.");
    const shown = new Set(state.conversations.keys());
    const added = page.items.filter((item) => !shown.has(item.sessionId));
    state.listCursor = page.nextCursor;
    state.listShown += added.length;
    renderConversations([...state.conversations.values(), ...added]);
    // The first of the new conversations takes the focus, so a keyboard goes on from where the button was.
    $("conversations").querySelector(`.conversation[data-session-id="${added[0]?.sessionId}"]`)?.focus();
  } catch (error) {
    showAlert(error.message, { retry: showMoreConversations });
  } finally {
    button.disabled = false;
  }
}

function renderConversations(items) {
  state.conversations = new Map(items.map((item) => [item.sessionId, item]));
  const list = $("conversations");
  list.replaceChildren(...items.map((item) => {
    const title = item.title || "New conversation";
    const li = document.createElement("li");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "conversation";
    open.dataset.sessionId = item.sessionId;
    open.setAttribute("aria-current", String(item.sessionId === state.sessionId));
    const name = document.createElement("span");
    name.className = "title";
    name.textContent = title;
    open.appendChild(name);
    open.title = item.title || item.sessionId;
    if (item.forkedFromSessionId) {
      // A branch: marked, and its tooltip names the conversation it came from.
      li.classList.add("branch");
      open.dataset.forkedFrom = item.forkedFromSessionId;
      const mark = document.createElement("span");
      mark.className = "branch-mark";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = "↳";
      const spoken = document.createElement("span");
      spoken.className = "visually-hidden";
      spoken.textContent = " (branch)";
      open.prepend(mark);
      open.appendChild(spoken);
      const origin = items.find((c) => c.sessionId === item.forkedFromSessionId) ?? knownConversation(item.forkedFromSessionId);
      open.title = `${title} (branched from ${origin?.title || "another conversation"})`;
    }
    open.addEventListener("click", () => switchConversation(item.sessionId));
    const rename = document.createElement("button");
    rename.type = "button";
    rename.className = "icon rename";
    rename.textContent = "✎";
    rename.setAttribute("aria-label", `Rename “${title}”`);
    rename.addEventListener("click", () => {
      const newTitle = window.prompt("Name this conversation", item.title || "");
      if (newTitle !== null && newTitle.trim()) renameConversation(item.sessionId, newTitle.trim()).catch((e) => showAlert(e.message));
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "icon delete";
    remove.textContent = "✕";
    remove.setAttribute("aria-label", `Delete “${title}”`);
    remove.addEventListener("click", () => { deleteConversation(item.sessionId).catch((e) => showAlert(e.message)); });
    li.append(open, rename, remove);
    return li;
  }));
  $("more-conversations").hidden = !state.listCursor;
  renderBranchNotice();
}

async function switchConversation(sessionId) {
  if (state.controller || sessionId === state.sessionId) return;
  clearAlert();
  try {
    await openConversation(sessionId);
  } catch (error) {
    if (error.status !== 404) {
      showAlert(error.message, { retry: () => switchConversation(sessionId) });
      return;
    }
    recent.remove(sessionId);
    await loadConversations();
    showAlert("That conversation no longer exists on the server (it may have expired), so it was removed from the list.", { notice: true });
  }
}

/** Names a conversation: PATCH /session {title} where the server offers it, else in this browser only. */
async function renameConversation(sessionId, title) {
  if (state.serverList === true) {
    const response = await fetch(API + "/session" + sessionQuery(sessionId), {
      method: "PATCH",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ title }),
      credentials: "include",
    });
    if (!response.ok && response.status !== 404 && response.status !== 405) {
      throw new ChatError(await failure(response, "Renaming the conversation"), response.status);
    }
  }
  recent.upsert(sessionId, { title });
  await loadConversations();
}

/** Deletes a conversation and every turn of it (DELETE /history), once the user confirmed. */
async function deleteConversation(sessionId) {
  if (!window.confirm("Delete this conversation and all its messages? This cannot be undone.")) return;
  const response = await fetch(API + "/history" + sessionQuery(sessionId), { method: "DELETE", headers: headers(), credentials: "include" });
  if (!response.ok && response.status !== 404) {
    throw new ChatError("Could not delete the conversation: " + await failure(response, "Deleting the conversation"), response.status);
  }
  recent.remove(sessionId);
  if (sessionId === state.sessionId) {
    const next = recent.load()[0];
    if (next) await switchConversation(next.sessionId); else await newConversation();
  }
  await loadConversations();
}

// ---------------------------------------------------------------------------------------------------------------------
// Asking: the answer streams into the page; Stop keeps what was shown

function setBusy(busy) {
  $("send").hidden = busy;
  $("send").disabled = busy;
  $("stop").hidden = !busy;
  $("clear").disabled = busy;
  $("new-chat").disabled = busy;
  for (const button of $("messages").querySelectorAll(".edit, .regenerate")) button.disabled = busy;
  document.body.dataset.busy = String(busy);
}

async function* serverEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  while (true) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
      if (data) yield JSON.parse(data);
    }
  }
}

async function ask(question) {
  clearAlert();
  const asked = new Date();
  const user = appendMessage(createMessage("user", question, asked));
  const agent = appendMessage(createMessage("agent", "", null, { streaming: true }));
  const bubble = agent.querySelector(".bubble");
  const controller = new AbortController();
  state.controller = controller;
  setBusy(true);
  let text = "";
  let stopped = false;
  try {
    const response = await call("POST", "/query", {
      json: { query: question, session_id: state.sessionId }, signal: controller.signal, action: "Sending the question",
    });
    let answered = false;
    for await (const event of serverEvents(response)) {
      if (event.type === "token") {
        text += event.content;
        renderAnswer(bubble, text);
      } else if (event.type === "answer") {
        text = event.content;
        renderAnswer(bubble, text);
        finishMessage(agent, new Date(), { messageId: event.message_id });
        finishMessage(user, asked, { messageId: event.message_id });
        if (event.session_id && event.session_id !== state.sessionId) setCurrent(event.session_id);
        answered = true;
      } else if (event.type === "error") {
        throw new ChatError(event.content || event.error || "The answer failed; nothing was recorded. Try again.");
      }
      scrollToEnd();
    }
    if (!answered) throw new ChatError("The answer was cut off before it finished. Try again.");
    const known = recent.load().find((c) => c.sessionId === state.sessionId);
    recent.upsert(state.sessionId, { title: known?.title || question.slice(0, 60), lastActivityAt: new Date().toISOString() });
  } catch (error) {
    if (controller.signal.aborted) {
      // Stopped: what was shown stays, marked as such; the server keeps it too, marked stopped.
      if (!text) bubble.textContent = "";
      bubble.classList.add("stopped");
      finishMessage(agent, new Date(), { label: "stopped" });
      stopped = Boolean(text);
    } else {
      // Nothing was recorded: the exchange leaves the pane and the question goes back in the box.
      user.remove();
      agent.remove();
      if (!$("messages").querySelector(".message")) showEmpty("Ask a question: the agent remembers the conversation.");
      $("query").value = question;
      autosize();
      if (error.status === 404) {
        await newConversation();
        showAlert("That conversation no longer exists on the server (it may have expired), so a new one was started. Send your question again to ask it here.",
          { retry: send, notice: true });
      } else {
        showAlert(error.message, { retry: send });
      }
      return;
    }
  } finally {
    state.controller = null;
    setBusy(false);
    updateRegenerate();
  }
  if (stopped) {
    await adoptStoppedTurn(question);
  } else {
    await showHistory();
  }
  await loadConversations();
}

/**
 * After a stop, the server records what was written (marked stopped) once it sees the request end. When it has, the pane is
 * rebuilt from it, so the stopped answer has its turn id: it can be regenerated and its question edited.
 */
async function adoptStoppedTurn(question) {
  const sessionId = state.sessionId;
  for (let attempt = 0; attempt < 15; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (state.sessionId !== sessionId || state.controller) return; // the user moved on
    const page = await readHistory(sessionId).catch(() => null);
    const last = page?.messages.at(-1);
    if (last?.interrupted && last.query === question) {
      renderConversation(page);
      renderHistory(page);
      return;
    }
  }
  await showHistory().catch(() => {});
}

function send() {
  const question = $("query").value.trim();
  if (!question || state.controller) return;
  $("query").value = "";
  autosize();
  ask(question)
    .catch((error) => showAlert(error.message || String(error)))
    .finally(() => $("query").focus());
}

// ---------------------------------------------------------------------------------------------------------------------
// The question box: Enter sends, Shift+Enter adds a line, and the box grows with its text

function autosize() {
  const box = $("query");
  box.style.height = "auto";
  box.style.height = box.scrollHeight + 2 + "px";
}

$("query").addEventListener("input", autosize);
$("query").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
$("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
$("stop").addEventListener("click", () => state.controller?.abort());
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.controller) state.controller.abort();
});
$("retry").addEventListener("click", () => {
  const retry = state.retry;
  clearAlert();
  retry?.();
});
$("dismiss").addEventListener("click", clearAlert);
$("more-conversations").addEventListener("click", () => { showMoreConversations(); });
$("branch-origin").addEventListener("click", () => {
  const origin = $("branch-notice").dataset.origin;
  if (origin) switchConversation(origin);
});

$("new-chat").addEventListener("click", async () => {
  clearAlert();
  $("new-chat").disabled = true;
  try {
    await newConversation();
    $("query").focus();
  } catch (error) {
    showAlert(error.message, { retry: () => $("new-chat").click() });
  } finally {
    $("new-chat").disabled = false;
  }
});

// Clear history: deletes the current conversation, then starts a new one.
$("clear").addEventListener("click", async () => {
  clearAlert();
  $("clear").disabled = true;
  try {
    const response = await fetch(API + "/history" + sessionQuery(state.sessionId), { method: "DELETE", headers: headers(), credentials: "include" });
    // 404: the session is already gone. Any other failure leaves it, and the page, as they were.
    if (!response.ok && response.status !== 404) {
      throw new ChatError("Could not clear the history: " + await failure(response, "Clearing the history"), response.status);
    }
    recent.remove(state.sessionId);
    await newConversation();
    showEmpty("History cleared. Ask a new question.");
  } catch (error) {
    showAlert(error.message, { retry: () => $("clear").click() });
  } finally {
    $("clear").disabled = false;
  }
});

// ---------------------------------------------------------------------------------------------------------------------
// Theme: the system's, or the one chosen with the toggle

function applyTheme() {
  const chosen = localStorage.getItem("theme");
  if (chosen) document.documentElement.dataset.theme = chosen; else delete document.documentElement.dataset.theme;
  const dark = chosen ? chosen === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  $("theme-toggle").textContent = dark ? "Light mode" : "Dark mode";
}

$("theme-toggle").addEventListener("click", () => {
  const dark = document.documentElement.dataset.theme
    ? document.documentElement.dataset.theme === "dark"
    : window.matchMedia("(prefers-color-scheme: dark)").matches;
  localStorage.setItem("theme", dark ? "light" : "dark");
  applyTheme();
});
window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", applyTheme);

// ---------------------------------------------------------------------------------------------------------------------
// Start: the last conversation, rebuilt from the server; a new one when there is none or it is gone

async function start() {
  clearAlert();
  document.body.dataset.ready = "false";
  const stored = localStorage.getItem("sessionId");
  let notice = null;
  if (stored) {
    try {
      await openConversation(stored);
    } catch (error) {
      if (error.status !== 404) throw error;
      recent.remove(stored);
      notice = "Your last conversation is no longer on the server (it may have expired), so a new one was started.";
    }
  }
  if (state.sessionId === null || notice) await newConversation(); else await loadConversations();
  if (notice) showAlert(notice, { notice: true });
  document.body.dataset.ready = "true";
}

function startPage() {
  start().catch((error) => {
    document.body.dataset.ready = "failed";
    showAlert("Could not start a conversation. " + error.message, { retry: startPage });
  });
}

$("api-key").value = localStorage.getItem("apiKey") || "";
$("api-key").addEventListener("change", () => {
  const key = $("api-key").value.trim();
  if (key) localStorage.setItem("apiKey", key); else localStorage.removeItem("apiKey");
  state.sessionId = null;
  state.serverList = null;
  state.listShown = 0;
  startPage();
});

applyTheme();
startPage();
