"""A small Sphinx extension that keeps the built book offline and free of console errors.

- Drops sphinx-thebe's scripts: the book offers no live code on the page (readers run the
  notebooks in JupyterLab), thebe would load from a CDN, and jupyter-book 1 adds its inline
  config twice, which raises "Identifier 'THEBE_JS_URL' has already been declared".
- Sets the theme's default colour mode, whose absence the theme reports as a console error.
"""

from __future__ import annotations


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    # pydata-sphinx-theme logs a console error when no colour mode is set; the book is light.
    context["default_mode"] = "light"
    scripts = context.get("script_files")
    if not scripts:
        return
    context["script_files"] = [
        js for js in scripts
        if "sphinx-thebe" not in (getattr(js, "filename", None) or str(js))
        and "THEBE_JS_URL" not in (getattr(js, "attributes", {}) or {}).get("body", "")
    ]


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
