// Injected into a copy of a claims page by test_claims_page_browser.py: the page's height at the
// window's width with every claim closed (one line each), then, closed and with every <details>
// opened: every element whose box overlaps a list of claims without being inside it (or
// containing it), the parts of one claim (its line's cells, its details' terms and values) that
// overlap each other, and content wider than the window. Findings go into #advgen-probe (--dump-dom).
window.addEventListener("load", function () {
    // shown: not inside a closed <details> (Chromium lays out its hidden content all the same)
    const shown = function (el) { return el.checkVisibility(); };
    const boxes = function (el) { const r = el.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom }; };
    const cross = function (a, b) { return a.l < b.r - 0.5 && b.l < a.r - 0.5 && a.t < b.b - 0.5 && b.t < a.b - 0.5; };
    const name = function (el) { return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""); };
    const lists = Array.from(document.querySelectorAll("div.claims"));
    const claims = Array.from(document.querySelectorAll("details.claim"));
    const all = Array.from(document.body.querySelectorAll("*"));
    const report = { tables: lists.length, rows: claims.length, overlaps: [], cellOverlaps: [], window: window.innerWidth };
    const check = function (state) {
        lists.forEach(function (list) {
            const box = boxes(list);
            all.forEach(function (el) {
                if (list.contains(el) || el.contains(list) || !shown(el)) { return; }
                const b = boxes(el);
                if (b.r - b.l > 0 && b.b - b.t > 0 && cross(b, box)) { report.overlaps.push(state + ": " + name(el)); }
            });
        });
        claims.forEach(function (claim) {
            const parts = Array.from(claim.querySelectorAll(":scope > summary > span, :scope > dl > dt, :scope > dl > dd"))
                .filter(shown).map(boxes).filter(function (b) { return b.r - b.l > 0 && b.b - b.t > 0; });
            for (let i = 0; i < parts.length; i++) {
                for (let j = i + 1; j < parts.length; j++) {
                    if (cross(parts[i], parts[j])) { report.cellOverlaps.push([state, claim.id, i, j]); }
                }
            }
        });
        report[state] = { height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth };
    };
    // closed: each claim one line (its summary no taller than two lines of text)
    report.lineHeights = claims.map(function (c) { return c.querySelector("summary").getBoundingClientRect().height; });
    report.lineHeight = parseFloat(getComputedStyle(document.body).lineHeight) || 20;
    check("closed");
    // the verdict filter (CSS radio buttons): a click on "holds" leaves the claims that hold
    const count = function () { return claims.filter((r) => r.getClientRects().length > 0).length; };
    const holds = document.querySelector('label[for="vf-holds"]');
    report.filter = { rows: claims.length, holdRows: claims.filter((r) => r.classList.contains("g-holds")).length };
    if (holds) {
        holds.click();
        report.filter.shownHolds = count();
        report.filter.shownOther = claims.filter((r) => !r.classList.contains("g-holds") && r.getClientRects().length > 0).length;
        document.querySelector('label[for="vf-all"]').click();
        report.filter.shownAll = count();
    }
    report.digest = !!document.querySelector("#digest");
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    check("open");
    const out = document.createElement("pre");
    out.id = "advgen-probe";
    out.style.display = "none";
    out.textContent = JSON.stringify(report);
    document.body.appendChild(out);
});
