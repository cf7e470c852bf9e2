// Injected into a copy of results/report.html by test_report_browser.py. Uses the report's
// own globals (`results`: path -> {data_uri, ...}; `app`: the React app) to decode every
// embedded figure and to open the first one the way a click on it does; the findings go
// into the pre element #advgen-probe, read back with --dump-dom.
window.addEventListener("load", function () {
    setTimeout(function () {
        const out = document.createElement("pre");
        out.id = "advgen-probe";
        const paths = Object.keys(results).filter((p) => /\.(png|svg)$/i.test(p));
        const report = { figures: paths.length, decoded: 0, failed: [], appChildren: document.querySelector("#app").childElementCount };
        let pending = paths.length;
        const done = function () {
            out.textContent = JSON.stringify(report);
            document.body.appendChild(out);
        };
        if (pending === 0) { done(); return; }
        paths.forEach(function (p) {
            const img = new Image();
            img.onload = function () {
                if (img.naturalWidth > 0 && img.naturalHeight > 0) { report.decoded += 1; } else { report.failed.push(p); }
                if (--pending === 0) { done(); }
            };
            img.onerror = function () { report.failed.push(p); if (--pending === 0) { done(); } };
            img.src = results[p].data_uri;
        });
        const first = paths.filter((p) => /\.png$/i.test(p))[0];
        if (first) { app.setView({ content: "img", contentPath: results[first].data_uri, resultPath: first }); }
    }, 500);
});
