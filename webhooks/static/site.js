// Live job progress: the buttons enqueue a job (POST with the CSRF token in X-CSRFToken),
// then the page polls the job's JSON until it finishes and shows its step, result and links.
// One box per job: a second job (Đồng bộ ngay during a compile) gets its own box and never
// hides the first one's progress or result.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function part(box, cls, tag) {
    var el = box.querySelector("." + cls);
    if (!el) {
      el = document.createElement(tag);
      el.className = cls;
      box.appendChild(el);
    }
    return el;
  }

  function boxFor(data) {
    var list = document.getElementById("jobs");
    if (!list) return document.getElementById("job");
    var box = list.querySelector('[data-job-id="' + data.id + '"]');
    if (!box) {
      box = document.createElement("div");
      box.className = "job card";
      box.dataset.jobId = data.id;
      if (data.kind) box.dataset.kind = data.kind;
      list.insertBefore(box, list.firstChild);
    }
    return box;
  }

  function show(data, box) {
    box = box || boxFor(data);
    if (!box) return;
    box.hidden = false;
    var bar = part(box, "job-progress", "progress");
    bar.max = data.total || 1;
    bar.value = data.finished ? bar.max : (data.done || 0);
    var text = (data.kind_label ? data.kind_label + " #" + data.id + ": " : "") + data.state_label;
    if (data.step && !data.finished) text += " — " + data.step;
    var label = part(box, "job-label", "span");
    label.textContent = text;
    label.dataset.state = data.state;
    var result = part(box, "job-result", "p");
    result.textContent = data.error || data.result || "";
    result.className = "job-result " + (data.error || data.accepted === false ? "error" : "ok");
    var links = part(box, "job-links", "ul");
    links.innerHTML = "";
    (data.links || []).forEach(function (link) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = link.url;
      a.textContent = link.label + (link.name ? ": " + link.name : "");
      a.className = "job-link";
      li.appendChild(a);
      links.appendChild(li);
    });
  }

  function poll(url, box) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data, box);
        if (!data.finished) setTimeout(function () { poll(url, box); }, 1000);
        else document.querySelectorAll("button[data-job-url]").forEach(function (b) { b.disabled = false; });
      })
      .catch(function () { setTimeout(function () { poll(url, box); }, 3000); });
  }

  document.querySelectorAll("button[data-job-url]").forEach(function (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      fetch(button.dataset.jobUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { var box = boxFor(data); show(data, box); poll("/api/viec/" + data.id, box); })
        .catch(function () {
          button.disabled = false;
          show({ id: "loi", state: "failed", state_label: "Không gửi được yêu cầu, hãy tải lại trang", finished: true });
        });
    });
  });

  document.querySelectorAll(".job[data-poll]").forEach(function (box) { poll(box.dataset.poll, box); });

  // Filters apply as soon as a choice changes (the Lọc button works without JavaScript); the
  // form's action ends in #ket-qua, so the results are in view after the reload.
  ["filter-group", "filter-status", "filter-state", "filter-sort"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) el.addEventListener("change", function () { el.form.submit(); });
  });

  document.querySelectorAll(".reminder .copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = button.closest(".reminder").querySelector("textarea");
      text.select();
      if (navigator.clipboard) navigator.clipboard.writeText(text.value);
      button.textContent = "Đã sao chép";
    });
  });
})();
