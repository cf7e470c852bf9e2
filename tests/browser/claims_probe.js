// Injected into a copy of a claims page by test_claims_page_browser.py: finds every element whose
// box overlaps a claims table without being inside it (or containing it), cells of one table that
// overlap each other, and content wider than the window. Findings go into #advgen-probe (--dump-dom).
window.addEventListener("load", function () {
    const boxes = function (el) { const r = el.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom }; };
    const cross = function (a, b) { return a.l < b.r - 0.5 && b.l < a.r - 0.5 && a.t < b.b - 0.5 && b.t < a.b - 0.5; };
    const name = function (el) { return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""); };
    const report = { tables: 0, rows: 0, overlaps: [], cellOverlaps: [], width: document.documentElement.scrollWidth, window: window.innerWidth };
    const tables = Array.from(document.querySelectorAll("table.claims"));
    report.tables = tables.length;
    const all = Array.from(document.body.querySelectorAll("*"));
    tables.forEach(function (table) {
        const box = boxes(table);
        report.rows += table.querySelectorAll("tbody tr").length;
        all.forEach(function (el) {
            if (table.contains(el) || el.contains(table)) { return; }
            const b = boxes(el);
            if (b.r - b.l > 0 && b.b - b.t > 0 && cross(b, box)) { report.overlaps.push(name(el)); }
        });
        const cells = Array.from(table.querySelectorAll("th, td")).map(boxes);
        for (let i = 0; i < cells.length; i++) {
            for (let j = i + 1; j < cells.length; j++) {
                if (cross(cells[i], cells[j])) { report.cellOverlaps.push([i, j]); }
            }
        }
    });
    // the verdict filter (CSS radio buttons): a click on "holds" leaves the rows that hold
    const rows = Array.from(document.querySelectorAll("table.claims tbody tr"));
    const shown = function () { return rows.filter((r) => r.getClientRects().length > 0).length; };
    const holds = document.querySelector('label[for="vf-holds"]');
    report.filter = { rows: rows.length, holdRows: rows.filter((r) => r.classList.contains("g-holds")).length };
    if (holds) {
        holds.click();
        report.filter.shownHolds = shown();
        report.filter.shownOther = rows.filter((r) => !r.classList.contains("g-holds") && r.getClientRects().length > 0).length;
        document.querySelector('label[for="vf-all"]').click();
        report.filter.shownAll = shown();
    }
    report.digest = !!document.querySelector("#digest");
    const out = document.createElement("pre");
    out.id = "advgen-probe";
    out.style.display = "none";
    out.textContent = JSON.stringify(report);
    document.body.appendChild(out);
});
