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
        // the landing page (shown at load): its main-numbers tables and its link to the claims category
        const tables = Array.from(document.querySelectorAll("#app table"));
        const landing = document.querySelector("#app .prose");
        report.landingTop = landing ? landing.getBoundingClientRect().top : null;  // < 0: its top is cut off
        report.findings = tables.filter((t) => /robust accuracy/.test(t.textContent) && /clean accuracy/.test(t.textContent)).length;
        report.generators = tables.filter((t) => /classes covered/.test(t.textContent)).length;
        report.verdicts = tables.filter((t) => /source claims/.test(t.textContent)).length;
        report.claimsLink = Array.from(document.querySelectorAll("#app a")).some((a) => /showCategory\('Claims'\)/.test(a.getAttribute("href") || ""));
        // the claims page embedded as a result of the report (what a report sent on carries)
        const decode = function (uri) {
            const body = uri.slice(uri.indexOf(",") + 1);
            if (/;base64,/.test(uri)) {
                return new TextDecoder().decode(Uint8Array.from(atob(body), (c) => c.charCodeAt(0)));
            }
            return decodeURIComponent(body);
        };
        const claims = Object.keys(results).filter((p) => /claims\.html$/.test(p));
        report.claimsPages = claims.length;
        report.claimsDigest = claims.filter((p) => { const t = decode(results[p].data_uri); return t.indexOf('id="digest"') >= 0 && t.indexOf('id="filter"') >= 0; }).length;
        report.claimsCategory = typeof categories !== "undefined" && Object.keys(categories).indexOf("Claims") >= 0;
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
