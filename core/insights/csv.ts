// The one CSV writer lives in core/csv.ts; re-exported so core/insights stays one import.
export * from "../csv";
