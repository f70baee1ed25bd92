// A figure links to its wide PNG; a tap or click opens the layout the reader was shown instead
// (on a phone, the narrow one: it fills the screen, and the reader can zoom into it).
document.addEventListener(
  "click",
  (event) => {
    const link = event.target.closest && event.target.closest("a.logreg-figure-link");
    const img = link && link.querySelector("img");
    if (img && img.currentSrc) link.href = img.currentSrc;
  },
  true,
);
