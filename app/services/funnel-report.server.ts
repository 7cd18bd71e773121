/**
 * Funnel reports for the admin, split by job under ./funnel-report/: the request
 * (params.ts), the read (read.server.ts), the view model the page, the JSON API and the
 * CSV share (view.ts) and the CSV tables (csv.ts). This module is their one entry point.
 */
export { BREAKDOWN_KEYS, BREAKDOWN_LABELS, reportQuery, type ReportParams } from "../lib/funnel-query";
export { DEFAULT_RANGE, REPORT_TABLES, funnelNotFound, parseReportParams, parseReportTable, type ReportTable } from "./funnel-report/params";
export {
  funnelReport,
  readReport,
  reportDiagnosis,
  type DiagnosisBasis,
  type ReportDeps,
  type ReportDiagnosis,
  type ReportRead,
} from "./funnel-report/read.server";
export { reportView, type FunnelReportView, type ReportShop } from "./funnel-report/view";
export { breakdownCsv, csvFilename, csvPercent, diagnosisCsv, funnelCsv, funnelCsvMeta, pathsCsv, stepsCsv, trendCsv } from "./funnel-report/csv";
