// chainfix serve: reads the chosen files in the browser, sends them (base64,
// JSON) to this same local server with the token from the URL, and shows
// the answer. No third-party code, nothing stored.
"use strict";
(function () {
  const token = new URLSearchParams(location.search).get("t") || "";
  const $ = (id) => document.getElementById(id);
  let dropped = [];

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function showChosen() {
    const ul = $("chosen");
    ul.replaceChildren();
    for (const f of allFiles()) ul.append(el("li", f.name + " (" + f.size + " bytes)"));
  }
  function allFiles() {
    return [...$("files").files, ...dropped];
  }
  function b64(buf) {
    const bytes = new Uint8Array(buf);
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function download(name, data, type) {
    const a = el("a", "Download " + name);
    a.href = URL.createObjectURL(new Blob([data], { type: type }));
    a.download = name;
    a.id = "dl-" + name.replace(/[^a-z0-9]/gi, "-");
    $("downloads").append(a);
  }

  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    dropped.push(...e.dataTransfer.files);
    showChosen();
  });
  $("files").addEventListener("change", showChosen);

  $("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const files = [];
    for (const f of allFiles()) files.push({ name: f.name, data: b64(await f.arrayBuffer()) });
    const paste = $("paste").value.trim();
    if (paste) files.push({ name: "pasted text", data: b64(new TextEncoder().encode(paste)) });
    const body = {
      files: files,
      password: $("password").value || null,
      journey: document.querySelector("input[name=journey]:checked").value,
      keystore: $("keystore").value || null,
      fetch: $("fetch").checked,
      keystore_password: $("kspassword").value || null,
    };
    const at = new URLSearchParams(location.search).get("at");
    if (at) body.at = at;
    $("check").disabled = true;
    try {
      const r = await fetch("/api/check", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Chainfix-Token": token },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(await r.text());
      show(await r.json());
    } catch (err) {
      show({ problems: [String(err.message || err)] });
    } finally {
      $("check").disabled = false;
    }
  });

  function show(res) {
    $("result").hidden = false;
    const v = res.verify;
    const verdict = $("verdict");
    verdict.replaceChildren();
    if (v) {
      verdict.append(el("span", v.valid ? "Valid. " : "Not valid. ", v.valid ? "ok" : "bad"));
      verdict.append(el("span", v.verdict.headline));
    }
    const problems = $("problems");
    problems.replaceChildren(...(res.problems || []).map((p) => el("li", p)));
    for (const a of (res.completion && res.completion.attempts) || []) {
      problems.append(el("li", "Fetching " + a.url + ": " + a.result + (a.reason || a.detail ? " (" + (a.reason || a.detail) + ")" : "")));
    }
    // The SVG is chainfix's own output (every text escaped), drawn inline.
    $("picture").innerHTML = res.svg || "";
    const findings = $("findings");
    findings.replaceChildren();
    for (const f of (v && v.findings) || []) {
      const li = el("li", undefined, f.fatal ? "fatal" : "");
      li.append(el("strong", (f.fatal ? "Error: " : "Note: ") + f.message));
      li.append(el("div", "Fix: " + f.fix, "fix"));
      findings.append(li);
    }
    if (v && !findings.children.length) findings.append(el("li", "Nothing to fix."));
    const dl = $("downloads");
    dl.replaceChildren();
    if (res.fullcert_pem) download("fullcert.pem", res.fullcert_pem, "application/x-pem-file");
    if (res.chain_pem) download("chain.pem", res.chain_pem, "application/x-pem-file");
    if (res.keystore) {
      const raw = Uint8Array.from(atob(res.keystore), (c) => c.charCodeAt(0));
      download(res.keystore_name, raw, "application/octet-stream");
    }
    if (!dl.children.length) dl.textContent = "Nothing to download yet.";
    $("result").focus && $("result").scrollIntoView();
  }
})();
