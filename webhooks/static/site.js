// Live job progress: the buttons enqueue a job (POST with the CSRF token in X-CSRFToken),
// then the page polls the job's JSON until it finishes and shows its links.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function show(data) {
    var box = document.getElementById("job");
    if (!box) return;
    box.hidden = false;
    var bar = document.getElementById("job-progress");
    bar.max = data.total || 1;
    bar.value = data.finished ? bar.max : (data.done || 0);
    var text = (data.kind_label ? data.kind_label + " #" + data.id + ": " : "") + data.state_label;
    if (data.label && !data.finished) text += " — " + data.label;
    if (data.total && !data.finished) text += " (" + data.done + "/" + data.total + ")";
    if (data.error) text += " — " + data.error;
    var label = document.getElementById("job-label");
    label.textContent = text;
    label.dataset.state = data.state;
    var links = document.getElementById("job-links");
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

  function poll(url) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data);
        if (!data.finished) setTimeout(function () { poll(url); }, 1000);
        else document.querySelectorAll("button[data-job-url]").forEach(function (b) { b.disabled = false; });
      })
      .catch(function () { setTimeout(function () { poll(url); }, 3000); });
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
        .then(function (data) { show(data); poll("/api/viec/" + data.id); })
        .catch(function () {
          button.disabled = false;
          show({ state: "failed", state_label: "Không gửi được yêu cầu, hãy tải lại trang", finished: true });
        });
    });
  });

  var box = document.getElementById("job");
  if (box && box.dataset.poll) poll(box.dataset.poll);

  // Filters apply as soon as a choice changes (the Lọc button works without JavaScript).
  ["filter-group", "filter-status"].forEach(function (id) {
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
