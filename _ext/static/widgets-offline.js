// Loaded between require.js and the widget manager (see _config.yml, nb_ipywidgets_js).
(function () {
  // 1. The widget manager resolves its font files relative to its AMD module name; point that
  //    name at the copy served from this book's _static/ so nothing is fetched from elsewhere.
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": here + "html-manager" } });
  // 2. ipywidgets typesets HTML widgets with the MathJax 2 call MathJax.Hub.Queue; the book
  //    uses MathJax 3 (Sphinx's default), so map that call onto MathJax 3's typesetPromise.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = {
        Queue: function (job) {
          var el = Array.isArray(job) ? job[2] : undefined;
          if (window.MathJax.typesetPromise) window.MathJax.typesetPromise(el ? [el] : undefined);
        },
      };
    }
  });
})();
