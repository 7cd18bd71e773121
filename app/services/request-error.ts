/** Field → what is wrong with it: every bad field of a request, shown beside its control. */
export type FieldErrors = Record<string, string>;

/**
 * A request the app cannot answer as asked (bad parameters, an unknown id, a conflict):
 * routes answer `status` with the message, never a 5xx. Built from field errors, the
 * message lists them all ("from: …; to: …").
 */
export class RequestError extends Error {
  readonly fieldErrors: FieldErrors;
  constructor(
    message: string | FieldErrors,
    readonly status: 400 | 403 | 404 | 409 = 400,
  ) {
    super(
      typeof message === "string"
        ? message
        : Object.entries(message)
            .map(([k, v]) => `${k}: ${v}`)
            .join("; "),
    );
    this.fieldErrors = typeof message === "string" ? {} : message;
  }
}
