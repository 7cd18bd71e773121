import { z } from "zod";

/** customers/redact and customers/data_request payload: only the customer id is used. */
export const CustomerPayload = z.object({
  customer: z.object({ id: z.union([z.number().int(), z.string().regex(/^\d{1,20}$/)]) }),
});

export function customerIdOf(payload: z.infer<typeof CustomerPayload>): string {
  return String(payload.customer.id);
}
