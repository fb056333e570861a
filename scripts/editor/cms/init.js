/* Decap CMS waits for workbench.js (the workbench's words and widgets) to
   start it. A file, not an inline script: the page's policy allows scripts
   from the workbench itself only. */
window.CMS_MANUAL_INIT = true;
