"""The readiness report and its files, one module per idea, so a caller loads only the format it writes:
document (the report as data), specs and images (charts), cells and tables (CSV, XLSX), html, pdf, pptx.
cxchange.exports gathers them for the app."""
