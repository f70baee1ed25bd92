/* Small behaviours for this book (local extension _ext/site_layout.py). No external resources. */
(() => {
  "use strict";

  /* ---- Display math ----------------------------------------------------------------------
   * Record each display's natural width in em of its own font (--sl-math-em, an equation
   * number included) so that the print stylesheet can shrink a formula to the printed column,
   * and let the keyboard reach the ones that scroll. Runs once MathJax has typeset the page,
   * and again just before printing.
   * A display wider than its column gets the class sl-math-scrolls, and sl-math-more-right /
   * sl-math-more-left while part of it is hidden on that side: site_layout.css fades the
   * formula out at that edge, so a reader sees that it goes on. The classes follow the
   * scroll position and are re-checked whenever the box changes size (rotation, sidebar). */
  const markEdges = (box) => {
    const wide = box.classList.contains("sl-math-scrolls");
    const right = box.scrollWidth - box.clientWidth - box.scrollLeft;
    box.classList.toggle("sl-math-more-left", wide && box.scrollLeft > 1);
    box.classList.toggle("sl-math-more-right", wide && right > 1);
    if (!wide) return;
    // The drawn scrollbar (site_layout.css): its thumb's share and place, as a native one's.
    const travel = box.scrollWidth - box.clientWidth;
    const percent = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;
    box.style.setProperty("--sl-thumb-size", percent(box.clientWidth, box.scrollWidth));
    box.style.setProperty("--sl-thumb-pos", percent(box.scrollLeft, travel));
  };
  const markScrolling = (box) => {
    box.classList.toggle("sl-math-scrolls", box.scrollWidth > box.clientWidth + 1);
    markEdges(box);
  };
  const resized =
    typeof ResizeObserver === "undefined"
      ? null
      : new ResizeObserver((entries) => entries.forEach((e) => markScrolling(e.target)));
  const watch = (box) => {
    if (box.slWatched) return;
    box.slWatched = true;
    box.addEventListener("scroll", () => markEdges(box), { passive: true });
    if (resized) resized.observe(box);
  };
  const measureMath = () => {
    document.querySelectorAll('mjx-container[display="true"]').forEach((box) => {
      const math = box.querySelector(":scope > mjx-math");
      if (!math) return;
      const px = parseFloat(getComputedStyle(math).fontSize) || 16;
      const eqno = box.parentElement && box.parentElement.querySelector(":scope > .eqno");
      const extra = eqno ? eqno.getBoundingClientRect().width + px : 0;
      const em = (math.getBoundingClientRect().width + extra) / px;
      if (em > 0) box.style.setProperty("--sl-math-em", (em * 1.02).toFixed(3));
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
      }
      markScrolling(box);
      watch(box);
    });
  };
  window.slMeasureMath = measureMath; // for content typeset later (and the browser tests)
  const whenTypeset = () => {
    const startup = window.MathJax && window.MathJax.startup;
    if (startup && startup.promise) startup.promise.then(measureMath);
  };
  window.addEventListener("load", whenTypeset);
  window.addEventListener("resize", () => requestAnimationFrame(measureMath));
  // Added once the page is parsed, so that it runs after sphinx-togglebutton's own
  // "beforeprint" handler has opened the collapsed solutions (their math is measured too).
  document.addEventListener("DOMContentLoaded", () =>
    window.addEventListener("beforeprint", measureMath),
  );

  /* ---- Search ------------------------------------------------------------------------------
   * Sphinx 7.4 builds each result's excerpt from the text of the page's [role="main"], which in
   * this theme also holds the download menu (".pdf"), the print-only table of contents
   * ("Contents") and the page's own table of contents; the math is raw TeX, since MathJax has
   * not run on the fetched page. Excerpts are taken from the article's prose alone (code cells,
   * their outputs and code blocks made 4 of 5 excerpts imports or asserts), with simple math
   * kept as text and other formulas shown as an ellipsis. */
  const mathText = (el) => {
    const tex = el.textContent.trim().replace(/^\\[([]/, "").replace(/\\[)\]]$/, "").trim();
    const simple = /^[A-Za-z0-9 =+\-<>.,()|]{1,12}$/.test(tex);
    return el.tagName === "DIV" ? " … " : simple ? tex : "…";
  };
  const htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    const article = doc.querySelector("article.bd-article") || doc.querySelector('[role="main"]');
    if (!article) return "";
    article
      .querySelectorAll(
        ".headerlink, script, style, button, form, input, .anim-controls, " +
          ".cell_input, .cell_output, div.highlight, pre",
      )
      .forEach((el) => el.remove());
    article.querySelectorAll(".math").forEach((el) => el.replaceWith(mathText(el)));
    let part = article;
    if (anchor) {
      try {
        part = article.querySelector(anchor) || article;
      } catch (e) {
        part = article;
      }
    }
    return part.textContent.replace(/\s+/g, " ").trim();
  };
  const patchSearch = () => {
    if (typeof Search === "undefined" || Search.slPatched) return;
    Search.htmlToText = htmlToText;
    Search.slPatched = true;
  };

  /* Opened from the file system, the browser refuses to fetch the pages that excerpts are made
   * from (one CORS error per result); show the results without excerpts instead. */
  if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }
  patchSearch();
  document.addEventListener("DOMContentLoaded", patchSearch);
})();
