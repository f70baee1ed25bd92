/* Accessibility and small interaction fixes for this book (local extension site_layout.py).
 * Checked by tests/browser/test_accessibility.py and axe-core (tests/browser/_axe.py). */
(() => {
  "use strict";

  /* ---- Accessible names that contain the visible text (axe: label-content-name-mismatch) ----
   * The search field is labelled "Search" but shows "Search Ctrl+K": its label is dropped, so its
   * name is what it shows, and the shortcut is declared as one. The colour-mode button's icons
   * carry titles ("Light", "Dark", "System Settings") that count as its visible text beside its
   * label "Color mode"; they are decorative. Font Awesome replaces the icons after load and copies
   * their attributes, hence the observer. */
  const fixNames = () => {
    document.querySelectorAll(".search-button-field").forEach((button) => {
      if (!button.querySelector(".search-button__default-text")) return;
      button.removeAttribute("aria-label");
      button.setAttribute("aria-keyshortcuts", "Control+K");
    });
    document.querySelectorAll(".theme-switch-button :is(svg, i)").forEach((icon) => {
      if (icon.getAttribute("aria-hidden") === "true" && !icon.querySelector("title")) return;
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("aria-labelledby");
      icon.removeAttribute("title");
      icon.removeAttribute("role");
      icon.querySelectorAll("title").forEach((title) => title.remove());
    });
  };

  /* ---- Landmarks (axe: region) -------------------------------------------------------------
   * The book title and the search field at the top of the chapter list sit outside any landmark;
   * the chapter list's column becomes a navigation landmark that holds them. */
  const fixLandmarks = () => {
    const sidebar = document.getElementById("pst-primary-sidebar");
    if (sidebar && !sidebar.hasAttribute("role")) {
      sidebar.setAttribute("role", "navigation");
      sidebar.setAttribute("aria-label", "Book");
    }
  };

  /* ---- Expand buttons and scrolling boxes (axe: summary-name, scrollable-region-focusable) ---
   * The chapter list's expand buttons (a chevron in a <summary>) have no name: they are named after
   * their entry. A box whose content scrolls (code, an output, a wide table) must be reachable by
   * keyboard. The theme decides that at load and 300 ms after a resize or a change in the page, by
   * measuring once: a measure taken while the layout was passing through another width (a window
   * being resized, a full-page capture) left scrolling code out of the tab order, and a block that
   * starts to scroll later (fonts, a solution opened) stayed out. Each box is measured again
   * whenever its size changes, and once the fonts are in. */
  const nameExpanders = () => {
    document.querySelectorAll("nav.bd-links li.has-children > details > summary").forEach((s) => {
      const link = s.closest("li").querySelector(":scope > a");
      if (link && !s.hasAttribute("aria-label")) {
        s.setAttribute("aria-label", "Pages in " + link.textContent.trim());
      }
    });
  };
  const SCROLLERS =
    "#main-content :is(pre, .cell_output > .output, .jp-RenderedHTMLCommon, " +
    ".pst-scrollable-table-container)";
  const setTabStop = (box) => {
    const scrolls =
      box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    const stop = scrolls ? 0 : -1;
    if (box.tabIndex !== stop && (scrolls || box.hasAttribute("tabindex"))) box.tabIndex = stop;
  };
  const sized =
    typeof ResizeObserver === "undefined"
      ? null
      : new ResizeObserver((entries) => entries.forEach((e) => setTabStop(e.target)));
  const focusableScrollers = () => {
    document.querySelectorAll(SCROLLERS).forEach((box) => {
      setTabStop(box);
      if (sized && !box.slSized) {
        box.slSized = true;
        sized.observe(box);
      }
    });
  };
  window.addEventListener("load", focusableScrollers);
  window.addEventListener("resize", () => requestAnimationFrame(focusableScrollers));
  if (document.fonts) document.fonts.ready.then(focusableScrollers);

  /* ---- Solution bars ------------------------------------------------------------------------
   * "Solution to Exercise N" holds a link to the exercise, which sits right above it. On a phone
   * that link fills the middle of the bar, so a tap there jumps to the exercise instead of opening
   * the solution. The link becomes plain text of the title: the whole bar opens the solution
   * (sphinx-togglebutton listens to clicks on the title element itself). */
  const fixSolutionTitles = () => {
    document.querySelectorAll(".solution > .admonition-title a").forEach((link) => {
      const text = document.createTextNode(" " + link.textContent.trim());
      link.replaceWith(text);
    });
    document.querySelectorAll(".solution > .admonition-title").forEach((t) => t.normalize());
  };

  /* ---- Phone drawers ------------------------------------------------------------------------
   * The chapter list and the page contents open as modal dialogs. A tap on a link in them closes
   * the dialog (the page contents stayed open over the section the reader jumped to), and the
   * chapter list opens scrolled to the current chapter (it opened at Part I). */
  const setUpDrawers = () => {
    ["pst-primary-sidebar-modal", "pst-secondary-sidebar-modal"].forEach((id) => {
      const dialog = document.getElementById(id);
      if (!dialog) return;
      dialog.addEventListener("click", (event) => {
        const link = event.target.closest("a[href]");
        if (link && dialog.open) dialog.close();
      });
    });
    const chapters = document.getElementById("pst-primary-sidebar-modal");
    if (!chapters) return;
    new MutationObserver(() => {
      if (!chapters.open) return;
      const current = Array.from(chapters.querySelectorAll("nav a.current"));
      const link = current[current.length - 1];
      if (link) requestAnimationFrame(() => link.scrollIntoView({ block: "center" }));
    }).observe(chapters, { attributes: true, attributeFilter: ["open"] });
  };

  /* ---- Tooltips on a touch screen -------------------------------------------------------------
   * Bootstrap shows a button's tooltip on hover and focus. A tap gives both, and neither ends
   * until the reader taps elsewhere, so "Color mode" stayed over the text. After a tap the tooltip
   * goes away after a moment, and any tooltip goes when the page scrolls. */
  let lastPointer = "mouse";
  const hideTooltips = () => {
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach((el) => {
      const tip = window.bootstrap && window.bootstrap.Tooltip.getInstance(el);
      if (tip) tip.hide();
    });
  };
  document.addEventListener("pointerdown", (e) => (lastPointer = e.pointerType), true);
  document.addEventListener("shown.bs.tooltip", () => {
    if (lastPointer === "touch") setTimeout(hideTooltips, 1500);
  });
  window.addEventListener("scroll", hideTooltips, { passive: true });

  const run = () => {
    fixNames();
    fixLandmarks();
    nameExpanders();
    fixSolutionTitles();
    setUpDrawers();
    const observer = new MutationObserver(fixNames);
    document.querySelectorAll(".theme-switch-button").forEach((button) =>
      observer.observe(button, { childList: true, subtree: true }),
    );
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
